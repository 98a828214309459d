-- Rollback of 20251002000002_duplicate_contact_matching.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop index public.contacts_external_id_match_idx;
drop index public.contacts_name_block_idx;
drop index public.contact_communication_channels_match_key_idx;
drop function private.contact_name_block(text, text);
drop function private.name_sound_key(text);
drop function private.organization_match_key(text);
drop function private.channel_match_key(text, text);
