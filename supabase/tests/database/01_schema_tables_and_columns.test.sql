-- Schema: every table of the contacts subsystem exists in public with exactly the columns the
-- migrations give it, owners are `user_id uuid not null default auth.uid()`, and every table that
-- carries updated_at has the trigger that keeps it honest. Catalog assertions only: no personas.
begin;
select plan(52);

select has_schema('private', 'the private schema for internals exists');

select tables_are('public', array[
  'agents', 'contacts', 'contact_communication_channels', 'contact_groups', 'contact_group_memberships',
  'agent_contact_permissions', 'agent_specific_contact_access', 'contact_interactions', 'contact_import_jobs',
  'contact_import_job_errors', 'contact_import_changes', 'contact_retention_policies', 'agent_contact_access_log', 'contact_audit_log',
  'contact_consent_events', 'contact_merges',
  'contact_subject_requests', 'contact_privacy_settings', 'contact_interaction_statistics', 'contact_suppressions'
], 'public holds exactly the tables of the contacts subsystem');

select tables_are('private', array['owner_keys', 'retention_runs', 'retention_run_items', 'retention_watermarks', 'table_size_snapshots',
  'contact_import_dry_run_claims', 'duplicate_keys', 'contact_search_words', 'import_uploads_to_remove', 'withdrawn_addresses',
  'import_jobs_given_up_when_they_fail'],
  'private holds the per-owner HMAC keys, the retention run log and watermarks, the table size snapshots, the claims of running import dry runs, the shared duplicate keys, the owners'' search words, the uploads waiting to be removed, the withdrawn addresses of deleted channels and the running imports an erasure gives up if they fail; everything else is functions');

-- agents
select has_table('public', 'agents', 'table public.agents exists');
select columns_are('public', 'agents', array[
  'id', 'user_id', 'name', 'description', 'is_active', 'metadata', 'created_at', 'updated_at'
], 'public.agents has exactly its documented columns');

-- contacts
select has_table('public', 'contacts', 'table public.contacts exists');
select columns_are('public', 'contacts', array[
  'id', 'user_id', 'first_name', 'last_name', 'display_name', 'organization', 'job_title', 'metadata', 'tags',
  'status', 'source', 'external_id', 'legal_hold', 'legal_hold_reason', 'created_at', 'updated_at', 'search_vector', 'name_block'
], 'public.contacts has exactly its documented columns');

-- contact_communication_channels
select has_table('public', 'contact_communication_channels', 'table public.contact_communication_channels exists');
select columns_are('public', 'contact_communication_channels', array[
  'id', 'user_id', 'contact_id', 'channel_type', 'identifier', 'normalized_identifier', 'label', 'is_primary',
  'is_verified', 'verified_at', 'consent_status', 'consent_source', 'consent_updated_at', 'vault_secret_id',
  'metadata', 'created_at', 'updated_at'
], 'public.contact_communication_channels has exactly its documented columns');

-- contact_groups
select has_table('public', 'contact_groups', 'table public.contact_groups exists');
select columns_are('public', 'contact_groups', array[
  'id', 'user_id', 'name', 'description', 'group_type', 'criteria', 'parent_group_id', 'created_at', 'updated_at'
], 'public.contact_groups has exactly its documented columns');

-- contact_group_memberships
select has_table('public', 'contact_group_memberships', 'table public.contact_group_memberships exists');
select columns_are('public', 'contact_group_memberships', array[
  'group_id', 'contact_id', 'user_id', 'created_at'
], 'public.contact_group_memberships has exactly its documented columns');

-- agent_contact_permissions
select has_table('public', 'agent_contact_permissions', 'table public.agent_contact_permissions exists');
select columns_are('public', 'agent_contact_permissions', array[
  'id', 'user_id', 'agent_id', 'permission_type', 'group_id', 'permission_level', 'allowed_channel_types',
  'valid_from', 'valid_until', 'created_at', 'updated_at'
], 'public.agent_contact_permissions has exactly its documented columns');

-- agent_specific_contact_access
select has_table('public', 'agent_specific_contact_access', 'table public.agent_specific_contact_access exists');
select columns_are('public', 'agent_specific_contact_access', array[
  'id', 'user_id', 'permission_id', 'agent_id', 'contact_id', 'created_at'
], 'public.agent_specific_contact_access has exactly its documented columns');

-- contact_interactions
select has_table('public', 'contact_interactions', 'table public.contact_interactions exists');
select columns_are('public', 'contact_interactions', array[
  'id', 'user_id', 'contact_id', 'agent_id', 'channel_id', 'channel_type', 'interaction_type', 'direction',
  'subject', 'content', 'summary', 'delivery_status', 'queued_at', 'sent_at', 'delivered_at', 'read_at',
  'failed_at', 'error_code', 'error_message', 'metadata', 'occurred_at', 'created_at', 'updated_at'
], 'public.contact_interactions has exactly its documented columns');

-- contact_import_jobs
select has_table('public', 'contact_import_jobs', 'table public.contact_import_jobs exists');
select columns_are('public', 'contact_import_jobs', array[
  'id', 'user_id', 'status', 'file_name', 'file_size_bytes', 'file_sha256', 'storage_path', 'column_mapping',
  'options', 'dry_run', 'total_rows', 'processed_rows', 'created_count', 'updated_count', 'skipped_count',
  'failed_count', 'error_summary', 'started_at', 'completed_at', 'created_at', 'updated_at',
  'source', 'encoding', 'delimiter', 'header', 'resume_offset', 'resume_line', 'slice_count', 'slice_stats', 'dry_run_report',
  'undone_at', 'undo_summary', 'file_version'
], 'public.contact_import_jobs has exactly its documented columns, the processing state of chunked imports included');

-- contact_import_changes (what an import did to each contact, for undo)
select has_table('public', 'contact_import_changes', 'table public.contact_import_changes exists');
select columns_are('public', 'contact_import_changes', array[
  'id', 'job_id', 'contact_id', 'user_id', 'action', 'previous', 'added_channel_ids', 'added_to_group', 'contact_updated_at', 'created_at',
  'row_number'
], 'public.contact_import_changes has exactly its documented columns');

-- contact_import_job_errors
select has_table('public', 'contact_import_job_errors', 'table public.contact_import_job_errors exists');
select columns_are('public', 'contact_import_job_errors', array[
  'id', 'user_id', 'job_id', 'row_number', 'column_name', 'value_excerpt', 'reason', 'created_at'
], 'public.contact_import_job_errors has exactly its documented columns');

-- contact_retention_policies
select has_table('public', 'contact_retention_policies', 'table public.contact_retention_policies exists');
select columns_are('public', 'contact_retention_policies', array[
  'id', 'user_id', 'data_class', 'action', 'retain_days', 'is_enabled', 'created_at', 'updated_at', 'suppress_identifiers'
], 'public.contact_retention_policies has exactly its documented columns');
select columns_are('private', 'retention_runs', array[
  'id', 'source', 'dry_run', 'owner_id', 'max_batches', 'batch_size', 'status', 'started_at', 'finished_at', 'batches',
  'longest_batch_ms', 'affected_rows', 'counts', 'error', 'resumed_run_id', 'sweep_next_at', 'sweep_end_at',
  'sweep_window', 'sweep_skipped_locked'
], 'private.retention_runs (the retention run log) has exactly its documented columns');
select columns_are('private', 'retention_run_items', array[
  'run_id', 'policy_id', 'user_id', 'data_class', 'action', 'retain_days', 'suppress_identifiers', 'cutoff',
  'position_at', 'position_id', 'affected_rows', 'batches', 'finished_at', 'swept', 'error'
], 'private.retention_run_items (per-owner, per-class counts and positions of a run) has exactly its documented columns');
select columns_are('private', 'retention_watermarks', array[
  'user_id', 'data_class', 'action', 'clean_before', 'pending_before', 'pending_void', 'recorded_at'
], 'private.retention_watermarks (where an owner''s rows are known to be clean) has exactly its documented columns');
select columns_are('private', 'withdrawn_addresses', array[
  'user_id', 'channel_type', 'identifier_hmac', 'withdrawn_at', 'remembered_at'
], 'private.withdrawn_addresses (withdrawn addresses of deleted channels, keyed hashes only) has exactly its documented columns');

-- agent_contact_access_log
select has_table('public', 'agent_contact_access_log', 'table public.agent_contact_access_log exists');
select columns_are('public', 'agent_contact_access_log', array[
  'id', 'user_id', 'agent_id', 'caller', 'query_hmac', 'query_key_hmac', 'result_count', 'searched_at'
], 'public.agent_contact_access_log has exactly its documented columns (no query text, no personal data)');

-- contact_audit_log (the audit trail) and private.table_size_snapshots (db:health growth)
select has_table('public', 'contact_audit_log', 'table public.contact_audit_log exists');
select columns_are('public', 'contact_audit_log', array[
  'id', 'user_id', 'contact_id', 'table_name', 'row_id', 'action', 'changed_columns', 'actor_user_id', 'actor_agent_id',
  'actor_role', 'occurred_at'
], 'public.contact_audit_log has exactly its documented columns (column names, never values)');
select columns_are('private', 'table_size_snapshots', array[
  'id', 'taken_at', 'schema_name', 'table_name', 'row_estimate', 'table_bytes', 'index_bytes', 'total_bytes'
], 'private.table_size_snapshots has exactly its documented columns');

-- contact_subject_requests (data subject requests and erasure receipts)
select has_table('public', 'contact_subject_requests', 'table public.contact_subject_requests exists');
select columns_are('public', 'contact_subject_requests', array[
  'id', 'user_id', 'request_type', 'idempotency_key', 'contact_ids', 'identifier_hmacs', 'counts', 'actor_user_id',
  'actor_role', 'created_at'
], 'public.contact_subject_requests has exactly its documented columns (identifiers only as keyed hashes)');

-- contact_privacy_settings
select has_table('public', 'contact_privacy_settings', 'table public.contact_privacy_settings exists');
select columns_are('public', 'contact_privacy_settings', array[
  'user_id', 'keep_interaction_statistics', 'created_at', 'updated_at'
], 'public.contact_privacy_settings has exactly its documented columns');

-- contact_interaction_statistics
select has_table('public', 'contact_interaction_statistics', 'table public.contact_interaction_statistics exists');
select columns_are('public', 'contact_interaction_statistics', array[
  'user_id', 'period_start', 'channel_type', 'interaction_type', 'direction', 'delivery_status', 'interaction_count',
  'created_at', 'updated_at'
], 'public.contact_interaction_statistics has exactly its documented columns (counts, no contact)');

-- contact_suppressions
select has_table('public', 'contact_suppressions', 'table public.contact_suppressions exists');
select columns_are('public', 'contact_suppressions', array[
  'id', 'user_id', 'identifier_type', 'identifier_hmac', 'request_id', 'created_at', 'lifted_at', 'lifted_by', 'lift_reason'
], 'public.contact_suppressions has exactly its documented columns (no identifier, only its keyed hash)');

-- contact_consent_events (consent history per channel) and contact_merges (merge records)
select has_table('public', 'contact_consent_events', 'table public.contact_consent_events exists');
select columns_are('public', 'contact_consent_events', array[
  'id', 'user_id', 'contact_id', 'channel_id', 'channel_type', 'status', 'source', 'source_ref', 'proof_reference',
  'actor_user_id', 'actor_agent_id', 'occurred_at', 'created_at'
], 'public.contact_consent_events has exactly its documented columns');
select has_table('public', 'contact_merges', 'table public.contact_merges exists');
select columns_are('public', 'contact_merges', array[
  'id', 'user_id', 'survivor_id', 'duplicate_id', 'row_counts', 'filled_fields', 'actor_user_id', 'actor_role', 'merged_at'
], 'public.contact_merges has exactly its documented columns: ids, counts and field names, no personal data');

-- Shapes every table shares.
select is_empty($$
  select c.relname
  from pg_catalog.pg_class c
  left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attname = 'user_id' and not a.attisdropped
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and (a.attnum is null or a.atttypid <> 'uuid'::regtype or not a.attnotnull)
$$, 'every public table has an owner column user_id uuid not null');

select is_empty($$
  select c.relname
  from pg_catalog.pg_class c
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attname = 'user_id' and not a.attisdropped
  left join pg_catalog.pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and has_any_column_privilege('authenticated', c.oid, 'INSERT')
    and pg_catalog.pg_get_expr(d.adbin, d.adrelid) is distinct from 'auth.uid()'
$$, 'every public table a client inserts into defaults user_id to auth.uid(), so the owner comes from the token');

select is_empty($$
  select c.relname
  from pg_catalog.pg_class c
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attname = 'updated_at' and not a.attisdropped
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and not exists (
      select 1 from pg_catalog.pg_trigger t
      where t.tgrelid = c.oid and not t.tgisinternal
        -- Channels keep updated_at through the primary flags an import or its undo moves (20251020000103).
        and t.tgfoid = case when c.oid = 'public.contact_communication_channels'::regclass
                            then 'private.stamp_channel_updated_at()'::regprocedure
                            else 'private.set_updated_at()'::regprocedure end
        and t.tgtype & 2 = 2    -- before
        and t.tgtype & 16 = 16  -- update
        and t.tgtype & 1 = 1)   -- for each row
$$, 'every public table with updated_at has a before-update row trigger stamping it (private.set_updated_at(), for channels private.stamp_channel_updated_at())');

select is_empty($$
  select c.relname, a.attname
  from pg_catalog.pg_class c
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attname in ('created_at', 'updated_at') and not a.attisdropped
  left join pg_catalog.pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and (a.atttypid <> 'timestamptz'::regtype or not a.attnotnull
         or pg_catalog.pg_get_expr(d.adbin, d.adrelid) is distinct from 'now()')
$$, 'every created_at and updated_at in public is timestamptz not null default now()');

select * from finish();
rollback;
