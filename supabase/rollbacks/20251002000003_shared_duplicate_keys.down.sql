-- Rollback of 20251002000003_shared_duplicate_keys.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop trigger contacts_track_shared_keys_delete on public.contacts;
drop trigger contacts_track_shared_keys_update on public.contacts;
drop trigger contacts_track_shared_keys_insert on public.contacts;
drop trigger contact_communication_channels_track_shared_keys_delete on public.contact_communication_channels;
drop trigger contact_communication_channels_track_shared_keys_update on public.contact_communication_channels;
drop trigger contact_communication_channels_track_shared_keys_insert on public.contact_communication_channels;
drop function private.track_shared_contact_keys();
drop function private.track_shared_channel_keys();
drop table private.duplicate_keys;
