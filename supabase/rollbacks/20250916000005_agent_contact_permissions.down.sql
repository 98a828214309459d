-- Rolls back 20250916000005_agent_contact_permissions.
set lock_timeout = '5s';

drop table public.agent_specific_contact_access;
drop function private.require_specific_contacts_grant();
drop table public.agent_contact_permissions;
