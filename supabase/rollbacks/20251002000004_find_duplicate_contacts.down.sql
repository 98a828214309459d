-- Rollback of 20251002000004_find_duplicate_contacts.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function public.find_duplicate_contacts(uuid, numeric, integer, numeric, uuid, uuid, uuid);
drop function private.duplicate_contact_pairs(uuid, uuid, numeric, integer, numeric, uuid, uuid);
