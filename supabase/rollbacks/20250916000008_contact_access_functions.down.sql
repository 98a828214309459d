-- Rolls back 20250916000008_contact_access_functions.
set lock_timeout = '5s';

drop function private.agent_can_access_contact(uuid, uuid, text, text);
drop function public.contact_group_member_ids(uuid, boolean);
drop function private.contact_in_group(uuid, uuid);
drop function private.contact_matches_criteria(public.contacts, jsonb);
drop function private.permission_level_rank(text);
