-- Schema: row level security is on for every table, each table has exactly one policy per command
-- a client may run, and every policy is permissive, names the authenticated role only, is named
-- <table>_<command>_policy, and evaluates auth.uid() and the agent claim once per statement.
-- Catalog assertions only: no personas.
begin;
select plan(30);

-- The same assertion as tests.rls_enabled('public'), written out: that helper pins
-- search_path = '' and pgTAP's is() then cannot resolve its own ok(), so it raises instead of
-- reporting (see the helpers file).
select is_empty($$
  select c.relname from pg_catalog.pg_class c
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relrowsecurity
$$, 'every table in schema public has row level security enabled');

select policies_are('public', 'agents', array[
  'agents_select_policy', 'agents_insert_policy', 'agents_update_policy', 'agents_delete_policy'
], 'agents have exactly a select, insert, update and delete policy');
select policies_are('public', 'contacts', array[
  'contacts_select_policy', 'contacts_insert_policy', 'contacts_update_policy', 'contacts_delete_policy'
], 'contacts have exactly a select, insert, update and delete policy');
select policies_are('public', 'contact_communication_channels', array[
  'contact_communication_channels_select_policy', 'contact_communication_channels_insert_policy',
  'contact_communication_channels_update_policy', 'contact_communication_channels_delete_policy'
], 'channels have exactly a select, insert, update and delete policy');
select policies_are('public', 'contact_groups', array[
  'contact_groups_select_policy', 'contact_groups_insert_policy', 'contact_groups_update_policy', 'contact_groups_delete_policy'
], 'groups have exactly a select, insert, update and delete policy');
select policies_are('public', 'contact_group_memberships', array[
  'contact_group_memberships_select_policy', 'contact_group_memberships_insert_policy', 'contact_group_memberships_delete_policy'
], 'memberships have a select, insert and delete policy and no update policy');
select policies_are('public', 'agent_contact_permissions', array[
  'agent_contact_permissions_select_policy', 'agent_contact_permissions_insert_policy',
  'agent_contact_permissions_update_policy', 'agent_contact_permissions_delete_policy'
], 'grants have exactly a select, insert, update and delete policy');
select policies_are('public', 'agent_specific_contact_access', array[
  'agent_specific_contact_access_select_policy', 'agent_specific_contact_access_insert_policy',
  'agent_specific_contact_access_delete_policy'
], 'specific contact access has a select, insert and delete policy and no update policy');
select policies_are('public', 'contact_interactions', array[
  'contact_interactions_select_policy', 'contact_interactions_insert_policy', 'contact_interactions_update_policy',
  'contact_interactions_delete_policy'
], 'interactions have exactly a select, insert, update and delete policy');
select policies_are('public', 'contact_import_jobs', array[
  'contact_import_jobs_select_policy', 'contact_import_jobs_update_policy', 'contact_import_jobs_delete_policy'
], 'import jobs have a select, update and delete policy: private.create_import_job creates them');
select policies_are('public', 'contact_import_job_errors', array['contact_import_job_errors_select_policy'],
  'import error rows have a select policy only: the import writes them');
select policies_are('public', 'contact_import_changes', array['contact_import_changes_select_policy'],
  'import change rows have a select policy only: the import functions write them');
select policies_are('public', 'contact_retention_policies', array[
  'contact_retention_policies_select_policy', 'contact_retention_policies_insert_policy',
  'contact_retention_policies_update_policy', 'contact_retention_policies_delete_policy'
], 'retention policies have exactly a select, insert, update and delete policy');
select policies_are('public', 'agent_contact_access_log', array['agent_contact_access_log_select_policy'],
  'the access log has a select policy only: clients never write it');
select policies_are('public', 'contact_audit_log', array['contact_audit_log_select_policy'],
  'the audit log has a select policy only: the audit triggers write it');
select policies_are('public', 'contact_consent_events', array[
  'contact_consent_events_select_policy', 'contact_consent_events_insert_policy'
], 'consent history has a select and an insert policy only: it is never updated or deleted through the API');
select policies_are('public', 'contact_merges', array['contact_merges_select_policy'],
  'merge records have a select policy only: merge_contacts writes them');

select policies_are('public', 'contact_subject_requests', array['contact_subject_requests_select_policy'],
  'data subject requests have a select policy only: the GDPR functions write them, clients never');
select policies_are('public', 'contact_privacy_settings', array[
  'contact_privacy_settings_select_policy', 'contact_privacy_settings_insert_policy',
  'contact_privacy_settings_update_policy', 'contact_privacy_settings_delete_policy'
], 'privacy settings have exactly a select, insert, update and delete policy');
select policies_are('public', 'contact_interaction_statistics', array['contact_interaction_statistics_select_policy'],
  'interaction statistics have a select policy only: erasure writes them');
select policies_are('public', 'contact_suppressions', array['contact_suppressions_select_policy', 'contact_suppressions_update_policy'],
  'suppressions have a select and an update (lift) policy, no insert or delete: the list is evidence');

-- Generic rules over pg_policies.
select is_empty($$
  select tablename, policyname, permissive from pg_catalog.pg_policies
  where schemaname = 'public' and permissive <> 'PERMISSIVE'
$$, 'every policy in public is permissive');

select is_empty($$
  select tablename, policyname, roles from pg_catalog.pg_policies
  where schemaname = 'public' and roles <> array['authenticated']::name[]
$$, 'every policy in public names the authenticated role and no other (never public, never anon)');

select is_empty($$
  select tablename, policyname, cmd from pg_catalog.pg_policies
  where schemaname = 'public'
    and (cmd not in ('SELECT', 'INSERT', 'UPDATE', 'DELETE')
         or policyname <> tablename || '_' || lower(cmd) || '_policy')
$$, 'every policy in public covers one command (never ALL) and is named <table>_<command>_policy');

select is_empty($$
  select tablename, policyname from pg_catalog.pg_policies
  where schemaname = 'public'
    and ((cmd in ('SELECT', 'DELETE') and (qual is null or with_check is not null))
      or (cmd = 'INSERT' and (qual is not null or with_check is null))
      or (cmd = 'UPDATE' and (qual is null or with_check is null)))
$$, 'select and delete policies have using, insert policies have with check, update policies have both');

select is_empty($$
  select tablename, policyname from pg_catalog.pg_policies
  where schemaname = 'public'
    and (coalesce(qual, '') || ' ' || coalesce(with_check, '')) !~ 'user_id = \( SELECT auth\.uid\(\) AS uid\)'
$$, 'every policy in public tests the owner column against (select auth.uid())');

select is_empty($$
  select tablename, policyname from pg_catalog.pg_policies
  where schemaname = 'public'
    and (coalesce(qual, '') || ' ' || coalesce(with_check, '')) ~ '(?<!SELECT )auth\.(uid|jwt|role)\(\)'
$$, 'no policy calls auth.uid(), auth.jwt() or auth.role() bare: each is wrapped in (select ...) and evaluated once per statement');

select is_empty($$
  select tablename, policyname from pg_catalog.pg_policies
  where schemaname = 'public'
    and (coalesce(qual, '') || ' ' || coalesce(with_check, '')) ~ '(?<!SELECT )private\.current_agent_id\(\)'
$$, 'no policy calls private.current_agent_id() bare: the agent claim is read once per statement');

select is_empty($$
  select tablename, policyname from pg_catalog.pg_policies
  where schemaname = 'public'
    and (coalesce(qual, '') || ' ' || coalesce(with_check, '')) ~ 'private\.agent_can_access_contact'
    and (coalesce(qual, '') || ' ' || coalesce(with_check, '')) !~ '\( SELECT private\.current_agent_id\(\) AS current_agent_id\) IS NULL\) OR'
$$, 'policies that consult the access decision skip it for owner tokens (agent claim is null) before calling it');

-- Policies and grants agree: a command authenticated may run has exactly one policy, and no
-- policy exists for a command authenticated cannot run.
select set_eq($$
  select c.relname::text || ':' || lower(p.cmd)
  from pg_catalog.pg_class c
  cross join (values ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE')) as p (cmd)
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and (has_table_privilege('authenticated', c.oid, p.cmd)
         or (p.cmd <> 'DELETE' and has_any_column_privilege('authenticated', c.oid, p.cmd)))
$$, $$
  select tablename::text || ':' || lower(cmd) from pg_catalog.pg_policies where schemaname = 'public'
$$, 'every command authenticated holds a privilege for has a policy, and every policy guards a granted command');

select * from finish();
rollback;
