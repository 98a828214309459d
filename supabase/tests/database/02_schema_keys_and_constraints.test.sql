-- Schema: primary keys, the composite (id, user_id) keys children point at, the composite foreign
-- keys that keep every child row with its parent's owner, and the check constraints by name.
-- Catalog assertions only: no personas.
begin;
select plan(73);

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
select col_is_pk('public', 'contact_import_changes', 'id', 'import change rows are keyed by id');
select col_is_pk('public', 'contact_retention_policies', 'id', 'retention policies are keyed by id');
select col_is_pk('public', 'agent_contact_access_log', 'id', 'access log rows are keyed by id');
select col_is_pk('public', 'contact_audit_log', 'id', 'audit log rows are keyed by id');
select col_is_pk('public', 'contact_consent_events', 'id', 'consent events are keyed by id');
select col_is_pk('public', 'contact_merges', 'id', 'merge records are keyed by id');
select col_is_unique('public', 'contact_merges', array['user_id', 'duplicate_id'], 'a contact is merged away at most once: merges are idempotent per pair');

select col_is_pk('public', 'contact_subject_requests', 'id', 'data subject requests are keyed by id (the request id of a receipt)');
select col_is_pk('public', 'contact_privacy_settings', 'user_id', 'privacy settings are keyed by their owner: one row per owner');
select col_is_pk('public', 'contact_interaction_statistics',
  array['user_id', 'period_start', 'channel_type', 'interaction_type', 'direction', 'delivery_status'],
  'interaction statistics are keyed by owner, month and kind: one bucket each');
select col_is_pk('public', 'contact_suppressions', 'id', 'suppressions are keyed by id');

-- The composite keys that children reference.
select col_is_unique('public', 'agents', array['id', 'user_id'], 'agents have a unique (id, user_id) key for owner-checked references');
select col_is_unique('public', 'contacts', array['id', 'user_id'], 'contacts have a unique (id, user_id) key for owner-checked references');
select col_is_unique('public', 'contact_communication_channels', array['id', 'user_id'], 'channels have a unique (id, user_id) key for owner-checked references');
select col_is_unique('public', 'contact_groups', array['id', 'user_id'], 'groups have a unique (id, user_id) key for owner-checked references');
select col_is_unique('public', 'agent_contact_permissions', array['id', 'user_id'], 'grants have a unique (id, user_id) key');
select col_is_unique('public', 'agent_contact_permissions', array['id', 'agent_id', 'user_id'], 'grants have a unique (id, agent_id, user_id) key so listed contacts stay with the grant''s agent');
select col_is_unique('public', 'contact_import_jobs', array['id', 'user_id'], 'import jobs have a unique (id, user_id) key for owner-checked references');

select col_is_unique('public', 'contact_subject_requests', array['id', 'user_id'], 'data subject requests have a unique (id, user_id) key');

-- Other natural keys.
select col_is_unique('public', 'agents', array['user_id', 'name'], 'an owner cannot have two agents of the same name');
select col_is_unique('public', 'contacts', array['user_id', 'external_id'], 'an owner cannot have two contacts with the same external id');
select col_is_unique('public', 'contact_groups', array['user_id', 'name'], 'an owner cannot have two groups of the same name');
select col_is_unique('public', 'agent_specific_contact_access', array['permission_id', 'contact_id'], 'a grant lists a contact at most once');
select col_is_unique('public', 'contact_retention_policies', array['user_id', 'data_class'], 'an owner has at most one retention policy per data class');
select col_is_unique('public', 'contact_subject_requests', array['user_id', 'idempotency_key'],
  'an idempotency key names at most one request of an owner (a repeat gets the same receipt)');

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
select fk_ok('public', 'contact_import_changes', array['contact_id', 'user_id'], 'public', 'contacts', array['id', 'user_id'],
  'import change rows reference their contact by (contact_id, user_id)');
select fk_ok('public', 'agent_contact_access_log', array['agent_id', 'user_id'], 'public', 'agents', array['id', 'user_id'],
  'access log rows reference their agent by (agent_id, user_id)');
select fk_ok('public', 'contact_consent_events', array['channel_id', 'contact_id', 'user_id', 'channel_type'],
  'public', 'contact_communication_channels', array['id', 'contact_id', 'user_id', 'channel_type'],
  'consent events reference their channel with its contact, owner and type');

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
  'contact_import_changes.contact_import_changes_job_fkey on delete cascade',
  'contact_import_changes.contact_import_changes_contact_fkey on delete cascade',
  'agent_contact_access_log.agent_contact_access_log_agent_fkey on delete cascade',
  'contact_consent_events.contact_consent_events_channel_fkey on delete cascade'
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
        'contact_interactions_delivery_direction_check', 'contact_interactions_failure_check', 'contact_interactions_text_check', 'contact_interactions_error_check',
        'contact_interactions_metadata_check'],
  'interactions carry exactly their named check constraints, the delivery status and its direction included');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_import_jobs'::regclass and contype = 'c' $$,
  array['contact_import_jobs_status_check', 'contact_import_jobs_file_name_check', 'contact_import_jobs_file_size_check',
        'contact_import_jobs_sha256_check', 'contact_import_jobs_storage_path_check', 'contact_import_jobs_json_check',
        'contact_import_jobs_counts_check', 'contact_import_jobs_completed_check', 'contact_import_jobs_processing_check'],
  'import jobs carry exactly their named check constraints, the row accounting included');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_import_job_errors'::regclass and contype = 'c' $$,
  array['contact_import_job_errors_row_number_check', 'contact_import_job_errors_text_check'],
  'import error rows carry exactly their named check constraints');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_import_changes'::regclass and contype = 'c' $$,
  array['contact_import_changes_action_check', 'contact_import_changes_previous_check'],
  'import change rows carry exactly their named check constraints (created or updated; previous values only for updates)');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_retention_policies'::regclass and contype = 'c' $$,
  array['contact_retention_policies_data_class_check', 'contact_retention_policies_action_check',
        'contact_retention_policies_retain_days_check', 'contact_retention_policies_suppress_check'],
  'retention policies carry exactly their named check constraints');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.agent_contact_access_log'::regclass and contype = 'c' $$,
  array['agent_contact_access_log_caller_check', 'agent_contact_access_log_query_hmac_check',
        'agent_contact_access_log_query_key_hmac_check', 'agent_contact_access_log_result_count_check'],
  'access log rows carry exactly their named check constraints, the hashed query and its hashed digits included');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_audit_log'::regclass and contype = 'c' $$,
  array['contact_audit_log_table_name_check', 'contact_audit_log_action_check', 'contact_audit_log_changed_columns_check',
        'contact_audit_log_actor_role_check'],
  'audit log rows carry exactly their named check constraints');

select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_subject_requests'::regclass and contype = 'c' $$,
  array['contact_subject_requests_request_type_check', 'contact_subject_requests_actor_role_check',
        'contact_subject_requests_contact_ids_check', 'contact_subject_requests_identifier_hmacs_check',
        'contact_subject_requests_counts_check'],
  'data subject requests carry exactly their named check constraints, the hex-only identifier hashes included');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_privacy_settings'::regclass and contype = 'c' $$,
  array[]::text[], 'privacy settings carry no check constraints');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_interaction_statistics'::regclass and contype = 'c' $$,
  array['contact_interaction_statistics_period_check', 'contact_interaction_statistics_channel_type_check',
        'contact_interaction_statistics_interaction_type_check', 'contact_interaction_statistics_direction_check',
        'contact_interaction_statistics_delivery_status_check', 'contact_interaction_statistics_count_check'],
  'interaction statistics carry exactly their named check constraints (month buckets, known kinds, positive counts)');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_suppressions'::regclass and contype = 'c' $$,
  array['contact_suppressions_identifier_type_check', 'contact_suppressions_identifier_hmac_check',
        'contact_suppressions_lift_check', 'contact_suppressions_lift_reason_check'],
  'suppressions carry exactly their named check constraints (a hex hash, never an identifier; a lift with its reason)');

select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_consent_events'::regclass and contype = 'c' $$,
  array['contact_consent_events_status_check', 'contact_consent_events_source_check', 'contact_consent_events_text_check'],
  'consent events carry exactly their named check constraints: granted or withdrawn, from a known source');
select set_eq($$ select conname::text from pg_catalog.pg_constraint where conrelid = 'public.contact_merges'::regclass and contype = 'c' $$,
  array['contact_merges_distinct_check', 'contact_merges_row_counts_check', 'contact_merges_filled_fields_check',
        'contact_merges_actor_role_check'],
  'merge records carry exactly their named check constraints (field names only, never values)');

select * from finish();
rollback;
