-- Rolls back 20250916000001_agents.
set lock_timeout = '5s';

drop function private.is_service_caller();
drop function private.current_agent_id();
drop table public.agents;
