-- Schema: primary keys, the composite (id, user_id) keys children point at, the composite foreign
-- keys that keep every child row with its parent's owner, and the check constraints by name.
-- Catalog assertions only: no personas.
begin;
select plan(52);

-- Primary keys.
select col_is_pk('public', 'agents', 'id', 'agents are keyed by id');
select col_is_pk('public', 'contacts', 'id', 'contacts are keyed by id');
select col_is_pk('public', 'contact_communication_channels', 'id', 'channels are keyed by id');
select col_is_pk('public', 'contact_groups', 'id', 'groups are keyed by id');
select col_is_pk('public', 'contact_group_memberships', array['group_id', 'contact_id'], 'a membership is keyed by (group_id, contact_id)');
select col_is_pk('public', 'agent_contact_permissions', 'id', 'grants are keyed by id');
select col_is_pk('public', 'agent_specific_contact_access', 'id', 'specific contact access rows are keyed by id');
select col_is_pk('public', 'contact_interactions', 'id', 'interactions are keyed by id');
select col_is_pk('public', 'contact_import_jobs', 'id', 'import jobs are keyed by id');
select col_is_pk('public', 'contact_import_job_errors', 'id', 'import error rows are keyed by id');
select col_is_pk('public', 'contact_retention_policies', 'id', 'retention policies are keyed by id');
select col_is_pk('public', 'agent_contact_access_log', 'id', 'access log rows are keyed by id');

-- The composite keys that children reference.
select col_is_unique('public', 'agents', array['id', 'user_id'], 'agents have a unique (id, user_id) key for owner-checked references');
select col_is_unique('public', 'contacts', array['id', 'user_id'], 'contacts have a unique (id, user_id) key for owner-checked references');
select col_is_unique('public', 'contact_communication_channels', array['id', 'user_id'], 'channels have a unique (id, user_id) key for owner-checked references');
select col_is_unique('public', 'contact_groups', array['id', 'user_id'], 'groups have a unique (id, user_id) key for owner-checked references');
select col_is_unique('public', 'agent_contact_permissions', array['id', 'user_id'], 'grants have a unique (id, user_id) key');
select col_is_unique('public', 'agent_contact_permissions', array['id', 'agent_id', 'user_id'], 'grants have a unique (id, agent_id, user_id) key so listed contacts stay with the grant''s agent');
select col_is_unique('public', 'contact_import_jobs', array['id', 'user_id'], 'import jobs have a unique (id, user_id) key for owner-checked references');

-- Other natural keys.
select col_is_unique('public', 'agents', array['user_id', 'name'], 'an owner cannot have two agents of the same name');
select col_is_unique('public', 'contacts', array['user_id', 'external_id'], 'an owner cannot have two contacts with the same external id');
select col_is_unique('public', 'contact_groups', array['user_id', 'name'], 'an owner cannot have two groups of the same name');
select col_is_unique('public', 'agent_specific_contact_access', array['permission_id', 'contact_id'], 'a grant lists a contact at most once');
select col_is_unique('public', 'contact_retention_policies', array['user_id', 'data_class'], 'an owner has at most one retention policy per data class');

-- Composite foreign keys: a child row can only point at a parent of the same owner.
select fk_ok('public', 'contact_communication_channels', array['contact_id', 'user_id'], 'public', 'contacts', array['id', 'user_id'],
  'channels reference their contact by (contact_id, user_id)');
select fk_ok('public', 'contact_groups', array['parent_group_id', 'user_id'], 'public', 'contact_groups', array['id', 'user_id'],
  'a subgroup references its parent by (parent_group_id, user_id)');
select fk_ok('public', 'contact_group_memberships', array['group_id', 'user_id'], 'public', 'contact_groups', array['id', 'user_id'],
  'memberships reference their group by (group_id, user_id)');
select fk_ok('public', 'contact_group_memberships', array['contact_id', 'user_id'], 'public', 'contacts', array['id', 'user_id'],
  'memberships reference their contact by (contact_id, user_id)');
select fk_ok('public', 'agent_contact_permissions', array['agent_id', 'user_id'], 'public', 'agents', array['id', 'user_id'],
  'grants reference their agent by (agent_id, user_id)');
select fk_ok('public', 'agent_contact_permissions', array['group_id', 'user_id'], 'public', 'contact_groups', array['id', 'user_id'],
  'group grants reference their group by (group_id, user_id)');
select fk_ok('public', 'agent_specific_contact_access', array['permission_id', 'agent_id', 'user_id'],
  'public', 'agent_contact_permissions', array['id', 'agent_id', 'user_id'],
  'specific contact access references its grant by (permission_id, agent_id, user_id)');
select fk_ok('public', 'agent_specific_contact_access', array['contact_id', 'user_id'], 'public', 'contacts', array['id', 'user_id'],
  'specific contact access references its contact by (contact_id, user_id)');
select fk_ok('public', 'contact_interactions', array['contact_id', 'user_id'], 'public', 'contacts', array['id', 'user_id'],
  'interactions reference their contact by (contact_id, user_id)');
select fk_ok('public', 'contact_interactions', array['agent_id', 'user_id'], 'public', 'agents', array['id', 'user_id'],
  'interactions reference their agent by (agent_id, user_id)');
select fk_ok('public', 'contact_interactions', array['channel_id', 'contact_id', 'user_id', 'channel_type'],
  'public', 'contact_communication_channels', array['id', 'contact_id', 'user_id', 'channel_type'],
  'interactions reference their channel by (channel_id, contact_id, user_id, channel_type): one of the contact''s own channels, of the same type');
select fk_ok('public', 'contact_import_job_errors', array['job_id', 'user_id'], 'public', 'contact_import_jobs', array['id', 'user_id'],
  'import error rows reference their job by (job_id, user_id)');
select fk_ok('public', 'agent_contact_access_log', array['agent_id', 'user_id'], 'public', 'agents', array['id', 'user_id'],
  'access log rows reference their agent by (agent_id, user_id)');

select set_eq($$
  select c.conrelid::regclass::text || '.' || c.conname || ' on delete '
    || case c.confdeltype when 'c' then 'cascade' when 'n' then 'set null' when 'a' then 'no action' when 'r' then 'restrict' else 'set default' end
    || coalesce(' (' || (select string_agg(a.attname, ', ' order by a.attnum) from pg_catalog.pg_attribute a
                         where a.attrelid = c.conrelid and a.attnum = any (c.confdelsetcols)) || ')', '')
  from pg_catalog.pg_constraint c
  where c.contype = 'f' and c.connamespace = 'public'::regnamespace and cardinality(c.conkey) > 1
$$, array[
  'contact_communication_channels.contact_communication_channels_contact_fkey on delete cascade',
  'contact_groups.contact_groups_parent_fkey on delete set null (parent_group_id)',
  'contact_group_memberships.contact_group_memberships_group_fkey on delete cascade',
  'contact_group_memberships.contact_group_memberships_contact_fkey on delete cascade',
  'agent_contact_permissions.agent_contact_permissions_agent_fkey on delete cascade',
  'agent_contact_permissions.agent_contact_permissions_group_fkey on delete cascade',
  'agent_specific_contact_access.agent_specific_contact_access_permission_fkey on delete cascade',
  'agent_specific_contact_access.agent_specific_contact_access_contact_fkey on delete cascade',
  'contact_interactions.contact_interactions_contact_fkey on delete cascade',
  'contact_interactions.contact_interactions_agent_fkey on delete set null (agent_id)',
  'contact_interactions.contact_interactions_channel_fkey on delete set null (channel_id)',
  'contact_import_job_errors.contact_import_job_errors_job_fkey on delete cascade',
  'agent_contact_access_log.agent_contact_access_log_agent_fkey on delete cascade'
], 'the composite foreign keys are exactly these, with these delete actions (set null clears only the reference, never user_id)');

select is_empty($$
  select c.relname
  from pg_catalog.pg_class c
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and not exists (
      select 1 from pg_catalog.pg_constraint f
      where f.conrelid = c.oid and f.contype = 'f' and f.confrelid = 'auth.users'::regclass and f.confdeltype = 'c'
        and f.conkey = array[(select a.attnum from pg_catalog.pg_attribute a where a.attrelid = c.oid and a.attname = 'user_id')]
        and f.confkey = array[(select a.attnum from pg_catalog.pg_attribute a where a.attrelid = 'auth.users'::regclass and a.attname = 'id')])
$$, 'every public table references auth.users(id) through user_id, on delete cascade');

select is_empty($$
  select f.conrelid::regclass, f.conname
  from pg_catalog.pg_constraint f
  where f.contype = 'f' and f.connamespace = 'public'::regnamespace and f.confrelid <> 'auth.users'::regclass
    and not exists (
      select 1 from pg_catalog.pg_attribute a
      where a.attrelid = f.conrelid and a.attnum = any (f.conkey) and a.attname = 'user_id')
$$, 'every foreign key between public tables includes user_id, so no row can point at another owner''s row');

-- Check constraints, by name, table by table.
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.agents'::regclass and contype = 'c' $$,
  array['agents_name_check', 'agents_description_check', 'agents_metadata_check'],
  'agents carry exactly their named check constraints');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contacts'::regclass and contype = 'c' $$,
  array['contacts_status_check', 'contacts_source_check', 'contacts_names_check', 'contacts_external_id_check',
        'contacts_metadata_check', 'contacts_tags_check', 'contacts_legal_hold_reason_check'],
  'contacts carry exactly their named check constraints');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_communication_channels'::regclass and contype = 'c' $$,
  array['contact_communication_channels_channel_type_check', 'contact_communication_channels_identifier_check',
        'contact_communication_channels_email_check', 'contact_communication_channels_phone_check',
        'contact_communication_channels_label_check', 'contact_communication_channels_consent_status_check',
        'contact_communication_channels_consent_source_check', 'contact_communication_channels_metadata_check'],
  'channels carry exactly their named check constraints, e-mail and phone validation included');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_groups'::regclass and contype = 'c' $$,
  array['contact_groups_name_check', 'contact_groups_description_check', 'contact_groups_group_type_check',
        'contact_groups_criteria_check', 'contact_groups_parent_not_self_check'],
  'groups carry exactly their named check constraints, smart-group criteria included');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_group_memberships'::regclass and contype = 'c' $$,
  array[]::text[],
  'memberships carry no check constraints (a trigger keeps them to static groups)');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.agent_contact_permissions'::regclass and contype = 'c' $$,
  array['agent_contact_permissions_permission_type_check', 'agent_contact_permissions_group_check',
        'agent_contact_permissions_permission_level_check', 'agent_contact_permissions_channel_types_check',
        'agent_contact_permissions_window_check'],
  'grants carry exactly their named check constraints, the validity window included');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.agent_specific_contact_access'::regclass and contype = 'c' $$,
  array[]::text[],
  'specific contact access carries no check constraints (a trigger keeps it to specific_contacts grants)');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_interactions'::regclass and contype = 'c' $$,
  array['contact_interactions_channel_type_check', 'contact_interactions_interaction_type_check',
        'contact_interactions_direction_check', 'contact_interactions_delivery_status_check',
        'contact_interactions_failure_check', 'contact_interactions_text_check', 'contact_interactions_error_check',
        'contact_interactions_metadata_check'],
  'interactions carry exactly their named check constraints, the delivery status included');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_import_jobs'::regclass and contype = 'c' $$,
  array['contact_import_jobs_status_check', 'contact_import_jobs_file_name_check', 'contact_import_jobs_file_size_check',
        'contact_import_jobs_sha256_check', 'contact_import_jobs_storage_path_check', 'contact_import_jobs_json_check',
        'contact_import_jobs_counts_check', 'contact_import_jobs_completed_check'],
  'import jobs carry exactly their named check constraints, the row accounting included');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_import_job_errors'::regclass and contype = 'c' $$,
  array['contact_import_job_errors_row_number_check', 'contact_import_job_errors_text_check'],
  'import error rows carry exactly their named check constraints');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_retention_policies'::regclass and contype = 'c' $$,
  array['contact_retention_policies_data_class_check', 'contact_retention_policies_action_check',
        'contact_retention_policies_retain_days_check'],
  'retention policies carry exactly their named check constraints');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.agent_contact_access_log'::regclass and contype = 'c' $$,
  array['agent_contact_access_log_caller_check', 'agent_contact_access_log_query_hmac_check',
        'agent_contact_access_log_result_count_check'],
  'access log rows carry exactly their named check constraints, the hashed query included');

select * from finish();
rollback;
