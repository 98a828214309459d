-- Rolls back 20251020000042_a_channel_with_consent_history_keeps_its_address: a channel's address
-- may change under its consent history again.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop trigger contact_communication_channels_protect_consented_address on public.contact_communication_channels;
drop function private.keep_consented_address();
