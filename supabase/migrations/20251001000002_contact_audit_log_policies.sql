-- Row Level Security policy of the audit log, in a migration of its own as the RLS policies of
-- the first schema are (20250916000012_rls_policies): the owner reads their trail; agent-scoped
-- tokens see none of it; nobody writes it but the audit triggers (no insert, update or delete
-- policy, and no such grant to authenticated). service_role bypasses RLS; anon has no grant.
set lock_timeout = '5s';
set statement_timeout = '5min';

create policy contact_audit_log_select_policy on public.contact_audit_log
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
comment on policy contact_audit_log_select_policy on public.contact_audit_log is
  'Owners read their own audit trail; agent-scoped tokens read none of it.';
