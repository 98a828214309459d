-- Rollback of 20251002000006_merge_contacts.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function public.merge_contacts(uuid, uuid, jsonb, uuid);
drop function private.merge_contact_pair(uuid, uuid, jsonb, uuid);
