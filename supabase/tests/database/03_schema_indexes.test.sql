-- Schema: the indexes of every table by name and columns, their kind where it matters (unique,
-- GIN), and the generic rule that every foreign key in public is served by an index whose leading
-- columns are exactly the key's columns. Catalog assertions only: no personas.
begin;
select plan(74);

-- Exact index sets per table (constraint-backed indexes included).
select indexes_are('public', 'agents', array['agents_pkey', 'agents_id_user_id_key', 'agents_user_id_name_key'],
  'agents have exactly their primary key and two unique keys as indexes');
select indexes_are('public', 'contacts', array[
  'contacts_pkey', 'contacts_id_user_id_key', 'contacts_user_id_external_id_key', 'contacts_user_id_display_name_active_idx',
  'contacts_user_id_updated_at_idx', 'contacts_user_id_name_sort_idx', 'contacts_user_id_last_name_sort_idx',
  'contacts_user_id_organization_sort_idx', 'contacts_search_vector_idx', 'contacts_user_id_display_name_trgm_idx',
  'contacts_user_id_organization_trgm_idx', 'contacts_metadata_idx', 'contacts_tags_idx', 'contacts_user_id_created_at_idx',
  'contacts_legal_hold_idx', 'contacts_user_id_name_block_idx', 'contacts_external_id_match_idx'
], 'contacts have exactly their list, search and filter indexes');
select indexes_are('public', 'contact_communication_channels', array[
  'contact_communication_channels_pkey', 'contact_communication_channels_id_user_id_key',
  'contact_communication_channels_id_contact_type_key',
  'contact_communication_channels_identifier_key', 'contact_communication_channels_primary_key',
  'contact_communication_channels_contact_idx', 'contact_communication_channels_phone_suffix_idx',
  'contact_communication_channels_match_key_idx'
], 'channels have exactly their key, uniqueness and search indexes');
select indexes_are('public', 'contact_groups', array[
  'contact_groups_pkey', 'contact_groups_id_user_id_key', 'contact_groups_user_id_name_key', 'contact_groups_parent_idx'
], 'groups have exactly their key and hierarchy indexes');
select indexes_are('public', 'contact_group_memberships', array[
  'contact_group_memberships_pkey', 'contact_group_memberships_group_idx', 'contact_group_memberships_contact_idx',
  'contact_group_memberships_user_id_idx'
], 'memberships have exactly their key and foreign-key indexes');
select indexes_are('public', 'agent_contact_permissions', array[
  'agent_contact_permissions_pkey', 'agent_contact_permissions_id_user_id_key', 'agent_contact_permissions_id_agent_id_user_id_key',
  'agent_contact_permissions_agent_idx', 'agent_contact_permissions_group_idx', 'agent_contact_permissions_user_id_idx'
], 'grants have exactly their key and foreign-key indexes');
select indexes_are('public', 'agent_specific_contact_access', array[
  'agent_specific_contact_access_pkey', 'agent_specific_contact_access_permission_contact_key',
  'agent_specific_contact_access_agent_contact_idx', 'agent_specific_contact_access_permission_idx',
  'agent_specific_contact_access_contact_idx', 'agent_specific_contact_access_user_id_idx'
], 'specific contact access has exactly its key, decision and foreign-key indexes');
select indexes_are('public', 'contact_interactions', array[
  'contact_interactions_pkey', 'contact_interactions_timeline_idx', 'contact_interactions_user_occurred_idx',
  'contact_interactions_agent_idx', 'contact_interactions_channel_idx', 'contact_interactions_pending_idx'
], 'interactions have exactly their key, timeline, retention, worker and foreign-key indexes');
select indexes_are('public', 'contact_import_jobs', array[
  'contact_import_jobs_pkey', 'contact_import_jobs_id_user_id_key', 'contact_import_jobs_user_created_idx',
  'contact_import_jobs_user_sha256_idx'
], 'import jobs have exactly their key, list and idempotency indexes');
select indexes_are('public', 'contact_import_job_errors', array[
  'contact_import_job_errors_pkey', 'contact_import_job_errors_job_idx', 'contact_import_job_errors_user_id_idx'
], 'import error rows have exactly their key and foreign-key indexes');
select indexes_are('public', 'contact_import_changes', array[
  'contact_import_changes_pkey', 'contact_import_changes_job_contact_idx', 'contact_import_changes_contact_idx',
  'contact_import_changes_user_id_idx', 'contact_import_changes_job_row_idx'
], 'import change rows have exactly their key, job, contact, owner and row-number indexes');
select indexes_are('public', 'contact_retention_policies', array[
  'contact_retention_policies_pkey', 'contact_retention_policies_user_id_data_class_key'
], 'retention policies have exactly their key and one-policy-per-class index');
select indexes_are('public', 'agent_contact_access_log', array[
  'agent_contact_access_log_pkey', 'agent_contact_access_log_agent_idx', 'agent_contact_access_log_user_idx'
], 'the access log has exactly its key, per-agent and per-owner indexes');

select indexes_are('public', 'contact_subject_requests', array[
  'contact_subject_requests_pkey', 'contact_subject_requests_id_user_id_key', 'contact_subject_requests_idempotency_key',
  'contact_subject_requests_user_created_idx', 'contact_subject_requests_identifier_hmacs_idx', 'contact_subject_requests_contact_ids_idx'
], 'data subject requests have exactly their keys, the per-owner list and the hash and contact-id lookups');
select indexes_are('public', 'contact_privacy_settings', array['contact_privacy_settings_pkey'],
  'privacy settings have exactly their key');
select indexes_are('public', 'contact_interaction_statistics', array['contact_interaction_statistics_pkey'],
  'interaction statistics have exactly their bucket key');
select indexes_are('public', 'contact_suppressions', array[
  'contact_suppressions_pkey', 'contact_suppressions_active_key', 'contact_suppressions_user_created_idx'
], 'suppressions have exactly their key, the active-suppression lookup and the per-owner list');
select index_is_type('public', 'contact_subject_requests', 'contact_subject_requests_identifier_hmacs_idx', 'gin',
  'receipts are verified through a GIN index on the identifier hashes');
select has_index('public', 'contact_suppressions', 'contact_suppressions_active_key', array['user_id', 'identifier_hmac'],
  'every channel insert checks the suppression list through (user_id, identifier_hmac)');

-- The explicitly created indexes, by name and columns.
select has_index('public', 'contacts', 'contacts_user_id_display_name_active_idx', array['user_id', 'display_name', 'id'],
  'contacts are listed alphabetically per owner through (user_id, display_name, id)');
select has_index('public', 'contacts', 'contacts_user_id_updated_at_idx', array['user_id', 'updated_at'],
  'recently changed contacts are listed per owner through (user_id, updated_at)');
select has_index('public', 'contacts', 'contacts_user_id_created_at_idx', array['user_id', 'created_at', 'id'],
  'retention walks an owner''s contacts oldest first through (user_id, created_at, id)');
select indexes_are('private', 'retention_runs', array[
  'retention_runs_pkey', 'retention_runs_owner_id_idx', 'retention_runs_resumed_run_id_idx', 'retention_runs_status_idx'
], 'the retention run log has exactly its key, foreign-key and resumption indexes');
select indexes_are('private', 'retention_run_items', array[
  'retention_run_items_pkey', 'retention_run_items_user_id_idx', 'retention_run_items_pending_idx'
], 'retention run items have exactly their key, owner and next-policy indexes');
select has_index('public', 'contacts', 'contacts_user_id_name_sort_idx', array['user_id', 'lower(display_name)', 'id'],
  'agent search reads an owner''s contacts in rank order: (user_id, lower(display_name), id)');
select has_index('public', 'contacts', 'contacts_user_id_last_name_sort_idx',
  array['user_id', 'lower(last_name)', 'lower(display_name)', 'id'],
  'surname searches read an owner''s contacts by (user_id, lower(last_name)) in rank order');
select has_index('public', 'contacts', 'contacts_user_id_organization_sort_idx',
  array['user_id', 'lower(organization)', 'lower(display_name)', 'id', 'last_name'],
  'organization searches read an owner''s contacts by (user_id, lower(organization)) in rank order, last names included');
select has_index('public', 'contacts', 'contacts_search_vector_idx', array['search_vector'],
  'full-text search on contacts uses an index on search_vector (rare words)');
select has_index('public', 'contacts', 'contacts_user_id_display_name_trgm_idx', array['user_id', 'display_name'],
  'fuzzy name search uses an index on (user_id, display_name)');
select has_index('public', 'contacts', 'contacts_user_id_organization_trgm_idx', array['user_id', 'organization'],
  'fuzzy organization search uses an index on (user_id, organization)');
select has_index('public', 'contacts', 'contacts_metadata_idx', array['metadata'],
  'custom-field containment queries use an index on metadata');
select has_index('public', 'contacts', 'contacts_tags_idx', array['tags'],
  'tag filters use an index on tags');
select has_index('public', 'contact_communication_channels', 'contact_communication_channels_identifier_key',
  array['user_id', 'channel_type', 'normalized_identifier'],
  'channel identifiers are indexed per owner and type on their normalized form');
select has_index('public', 'contact_communication_channels', 'contact_communication_channels_primary_key',
  array['contact_id', 'channel_type'],
  'primary channels are indexed per contact and type');
select has_index('public', 'contact_communication_channels', 'contact_communication_channels_contact_idx',
  array['contact_id', 'user_id'],
  'a contact''s channels are found through (contact_id, user_id)');
select has_index('public', 'contact_communication_channels', 'contact_communication_channels_phone_suffix_idx',
  array['user_id', 'reverse(normalized_identifier)'],
  'phone numbers typed in national formats are found through their reversed E.164 form');
select has_index('public', 'contact_groups', 'contact_groups_parent_idx', array['parent_group_id', 'user_id'],
  'the group hierarchy is walked downwards through (parent_group_id, user_id)');
select has_index('public', 'contact_group_memberships', 'contact_group_memberships_group_idx', array['group_id', 'user_id'],
  'a group''s memberships are found through (group_id, user_id)');
select has_index('public', 'contact_group_memberships', 'contact_group_memberships_contact_idx', array['contact_id', 'user_id'],
  'a contact''s memberships are found through (contact_id, user_id)');
select has_index('public', 'contact_group_memberships', 'contact_group_memberships_user_id_idx', array['user_id'],
  'memberships are indexed by owner');
select has_index('public', 'agent_contact_permissions', 'agent_contact_permissions_agent_idx', array['agent_id', 'user_id'],
  'an agent''s grants are found through (agent_id, user_id)');
select has_index('public', 'agent_contact_permissions', 'agent_contact_permissions_group_idx', array['group_id', 'user_id'],
  'grants on a group are found through (group_id, user_id)');
select has_index('public', 'agent_contact_permissions', 'agent_contact_permissions_user_id_idx', array['user_id'],
  'grants are indexed by owner');
select has_index('public', 'agent_specific_contact_access', 'agent_specific_contact_access_agent_contact_idx',
  array['agent_id', 'contact_id'],
  'the access decision finds a listed contact through (agent_id, contact_id)');
select has_index('public', 'agent_specific_contact_access', 'agent_specific_contact_access_permission_idx',
  array['permission_id', 'agent_id', 'user_id'],
  'a grant''s listed contacts are found through (permission_id, agent_id, user_id)');
select has_index('public', 'agent_specific_contact_access', 'agent_specific_contact_access_contact_idx',
  array['contact_id', 'user_id'],
  'grants naming a contact are found through (contact_id, user_id)');
select has_index('public', 'agent_specific_contact_access', 'agent_specific_contact_access_user_id_idx', array['user_id'],
  'specific contact access is indexed by owner');
select has_index('public', 'contact_interactions', 'contact_interactions_timeline_idx', array['contact_id', 'user_id', 'occurred_at'],
  'a contact''s timeline is read through (contact_id, user_id, occurred_at)');
select has_index('public', 'contact_interactions', 'contact_interactions_user_occurred_idx', array['user_id', 'occurred_at'],
  'retention finds old interactions per owner through (user_id, occurred_at)');
select has_index('public', 'contact_interactions', 'contact_interactions_agent_idx', array['agent_id', 'user_id'],
  'an agent''s interactions are found through (agent_id, user_id)');
select has_index('public', 'contact_interactions', 'contact_interactions_channel_idx', array['channel_id', 'contact_id', 'user_id', 'channel_type'],
  'a channel''s interactions are found through (channel_id, contact_id, user_id, channel_type)');
select has_index('public', 'contact_interactions', 'contact_interactions_pending_idx', array['user_id', 'delivery_status', 'queued_at'],
  'delivery workers find pending messages through (user_id, delivery_status, queued_at)');
select has_index('public', 'contact_import_jobs', 'contact_import_jobs_user_created_idx', array['user_id', 'created_at'],
  'an owner''s imports are listed through (user_id, created_at)');
select has_index('public', 'contact_import_jobs', 'contact_import_jobs_user_sha256_idx', array['user_id', 'file_sha256'],
  'an earlier import of the same file is found through (user_id, file_sha256)');
select has_index('public', 'contact_import_job_errors', 'contact_import_job_errors_job_idx', array['job_id', 'user_id', 'row_number'],
  'a job''s error report is read in file order through (job_id, user_id, row_number)');
select has_index('public', 'contact_import_job_errors', 'contact_import_job_errors_user_id_idx', array['user_id'],
  'import error rows are indexed by owner');
select has_index('public', 'contact_import_changes', 'contact_import_changes_job_contact_idx', array['job_id', 'user_id', 'contact_id'],
  'a job''s changes (undo, duplicates within a file) are read through (job_id, user_id, contact_id)');
select has_index('public', 'contact_import_changes', 'contact_import_changes_contact_idx', array['contact_id', 'user_id'],
  'a contact''s import history is read through (contact_id, user_id)');
select has_index('public', 'agent_contact_access_log', 'agent_contact_access_log_agent_idx', array['agent_id', 'user_id', 'searched_at'],
  'an agent''s recent searches are read through (agent_id, user_id, searched_at)');
select indexes_are('public', 'contact_audit_log', array[
  'contact_audit_log_pkey', 'contact_audit_log_user_occurred_idx', 'contact_audit_log_contact_idx'
], 'the audit log has exactly its key, per-owner and per-contact indexes');
select has_index('public', 'contact_audit_log', 'contact_audit_log_user_occurred_idx', array['user_id', 'occurred_at'],
  'an owner''s audit trail is read by time through (user_id, occurred_at)');
select has_index('public', 'contact_audit_log', 'contact_audit_log_contact_idx', array['contact_id', 'occurred_at'],
  'a contact''s history is read through (contact_id, occurred_at)');
select has_index('public', 'agent_contact_access_log', 'agent_contact_access_log_user_idx', array['user_id', 'searched_at'],
  'an owner''s access log is read by time through (user_id, searched_at)');

select indexes_are('public', 'contact_consent_events', array[
  'contact_consent_events_pkey', 'contact_consent_events_channel_idx', 'contact_consent_events_contact_idx',
  'contact_consent_events_user_idx'
], 'the consent history has exactly its key, per-channel, per-contact and per-owner indexes');
select has_index('public', 'contact_consent_events', 'contact_consent_events_channel_idx',
  array['channel_id', 'contact_id', 'user_id', 'channel_type', 'occurred_at', 'id'],
  'a channel''s latest consent event is read through (channel_id, contact_id, user_id, channel_type, occurred_at, id)');
select indexes_are('public', 'contact_merges', array[
  'contact_merges_pkey', 'contact_merges_user_id_duplicate_id_key', 'contact_merges_user_survivor_idx'
], 'merge records have exactly their key, idempotency and per-survivor indexes');
select has_index('public', 'contact_merges', 'contact_merges_user_survivor_idx', array['user_id', 'survivor_id', 'merged_at'],
  'the merges into one contact are read through (user_id, survivor_id, merged_at)');

-- Kinds that carry meaning.
select index_is_unique('public', 'contact_communication_channels', 'contact_communication_channels_identifier_key',
  'the identifier index is unique: one owner holds an identifier once per type');
select index_is_unique('public', 'contact_communication_channels', 'contact_communication_channels_primary_key',
  'the primary-channel index is unique: one primary per contact and type');
select index_is_type('public', 'contacts', 'contacts_search_vector_idx', 'gin', 'the full-text index is a GIN index');
select index_is_type('public', 'contacts', 'contacts_user_id_display_name_trgm_idx', 'gin', 'the name trigram index is a GIN index');
select index_is_type('public', 'contacts', 'contacts_metadata_idx', 'gin', 'the custom-field index is a GIN index');
select index_is_type('public', 'contacts', 'contacts_tags_idx', 'gin', 'the tag index is a GIN index');

-- Generic rule: every foreign key is served by a full (non-partial) index whose leading key
-- columns are exactly the foreign key's columns, in any order.
select is_empty($$
  select c.conrelid::regclass as table_name, c.conname,
    (select array_agg(a.attname order by a.attnum) from pg_catalog.pg_attribute a
     where a.attrelid = c.conrelid and a.attnum = any (c.conkey)) as fk_columns
  from pg_catalog.pg_constraint c
  where c.contype = 'f' and c.connamespace = 'public'::regnamespace
    and not exists (
      select 1
      from pg_catalog.pg_index i
      where i.indrelid = c.conrelid
        and i.indpred is null
        and i.indnkeyatts >= cardinality(c.conkey)
        and (select array_agg(k order by k) from unnest((i.indkey::int2[])[0:cardinality(c.conkey) - 1]) as lead (k))
          = (select array_agg(k order by k) from unnest(c.conkey) as fk (k)))
$$, 'every foreign key in public has an index whose leading columns are exactly its columns');

select * from finish();
rollback;
