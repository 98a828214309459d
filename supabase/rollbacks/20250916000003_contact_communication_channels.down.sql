-- Rolls back 20250916000003_contact_communication_channels.
set lock_timeout = '5s';

drop table public.contact_communication_channels;
drop function private.prepare_contact_channel();
