-- Rolls back 20250916000009_search_contacts_for_agent.
set lock_timeout = '5s';

drop function public.search_contacts_for_agent(uuid, text, text[], uuid, integer, numeric, uuid);
drop function private.search_contact_candidates(uuid, text, text[], uuid);
drop function private.record_agent_search(uuid, text, integer);
drop table public.agent_contact_access_log;
