-- Rollback of 20251020000044_a_withdrawn_address_stays_withdrawn_when_added_again: withdrawn
-- addresses are no longer remembered after their channel goes (what was remembered is dropped);
-- channels that already got a remembered withdrawal keep it (consent history is append-only).
set lock_timeout = '5s';
set statement_timeout = '5min';

drop trigger contact_suppressions_forget_withdrawn_addresses on public.contact_suppressions;
drop trigger contact_communication_channels_recall_withdrawn_import_grant on public.contact_communication_channels;
drop trigger contact_communication_channels_recall_withdrawn_update on public.contact_communication_channels;
drop trigger contact_communication_channels_recall_withdrawn_insert on public.contact_communication_channels;
drop trigger contact_communication_channels_remember_withdrawn_delete on public.contact_communication_channels;
drop function private.forget_suppressed_withdrawals();
drop function private.hold_import_grants_behind_withdrawals();
drop function private.recall_withdrawn_addresses();
drop function private.remember_withdrawn_addresses();
drop table private.withdrawn_addresses;
drop function private.channel_address_key(text, text);
