-- Schema: every function in public and private, by full signature, with its security mode, its
-- return type where it is an API, and a pinned search_path everywhere. Definer rights only in
-- private, and only for the three helpers that need them. Catalog assertions only: no personas.
begin;
select plan(100);

select functions_are('public', array[
  'is_valid_email', 'is_valid_e164_phone', 'is_valid_smart_group_criteria', 'contact_group_member_ids',
  'search_contacts_for_agent', 'export_contact_data_for_subject', 'gdpr_delete_contact', 'apply_retention_policies',
  'export_subject_data', 'gdpr_delete_subject', 'verify_subject_erasure', 'lift_contact_suppression',
  'find_duplicate_contacts', 'merge_contacts'
], 'public holds exactly the API and validation functions');

select functions_are('private', array[
  'set_updated_at', 'stamp_channel_updated_at', 'normalize_channel_identifier', 'current_agent_id', 'fill_contact_display_name',
  'prepare_contact_channel', 'prevent_contact_group_cycle', 'require_static_group', 'require_specific_contacts_grant',
  'track_interaction_delivery', 'check_interaction_occurred_at', 'check_import_job_transition', 'permission_level_rank', 'contact_matches_criteria',
  'contact_in_group', 'agent_can_access_contact', 'search_contacts_page', 'search_match_kinds', 'forbid_agent_tokens', 'anonymize_contacts',
  'is_service_caller', 'record_agent_search', 'protect_legal_hold', 'owner_hmac', 'forget_traces', 'blank_suppressed_values',
  'data_subject_owner', 'channel_identifier_key', 'subject_identifier_key', 'data_subject_contact_ids', 'is_suppressed',
  'reject_suppressed_channels', 'record_suppression_lift', 'subject_request_receipt', 'suppress_identifiers',
  'record_subject_request', 'contact_data_sources', 'contact_reference_columns', 'sum_counts', 'wipe_contact_references', 'owner_hmacs', 'contact_export',
  'contact_export_statement',
  'fill_retention_policy_defaults', 'retention_interactions_batch', 'retention_contacts_batch', 'retention_import_jobs_batch',
  'retention_logs_batch', 'retention_lock_key', 'retention_run_start', 'retention_run_step', 'retention_run_finish',
  'retention_interactions_sweep', 'void_retention_watermarks_of_old_rows', 'void_retention_watermarks_of_released_holds', 'hold_waits_for_retention_sweep',
  'record_contact_audit', 'take_table_size_snapshot',
  'prepare_consent_event', 'protect_consent_history', 'derive_channel_consent', 'record_channel_consent_inserts',
  'record_channel_consent_updates',
  'agent_can_message_on_channel', 'channel_match_key', 'organization_match_key', 'name_sound_key', 'contact_name_block', 'set_contact_name_block',
  'duplicate_contact_pairs', 'merge_contact_pair', 'track_shared_channel_keys', 'track_shared_contact_keys', 'shared_contact_keys',
  'import_job_lock_key', 'import_job_is_running', 'import_merged_value', 'import_merged_display_name', 'import_merged_metadata', 'create_import_job', 'import_apply_batch',
  'import_dry_run_batch', 'import_contacts_batch', 'undo_import_job', 'drop_dry_run_claims',
  'queue_upload_of_ended_import', 'queue_uploads_of_deleted_imports', 'import_uploads_due', 'queue_unused_import_upload', 'dry_run_entry_mentions',
  'contact_identifier_values', 'is_identifier_value', 'contact_import_report_lines', 'contact_dry_run_entries', 'mentions_whole',
  'header_holds_identifier', 'contact_import_headers',
  'search_query_key', 'search_query_forms', 'contact_agent_searches', 'erase_mentions', 'criteria_naming', 'criteria_erased', 'contact_groups_mentioning',
  'import_consent_applies', 'import_row_has_no_identifier', 'import_refusal', 'import_settle_batch', 'identifier_channel_types', 'identifier_key_aliases', 'channel_phone_number', 'channel_identifier_keys', 'channel_refusal_keys', 'channel_mailbox', 'suppression_keys', 'forget_moved_import_change', 'keep_anonymization_marker', 'keep_audit_trail', 'dry_run_entry_holds_identifier', 'group_entered', 'keep_agents_within_their_grants', 'keep_agent_channels_within_their_grants',
  'lexeme_query', 'track_contact_search_words', 'search_typo_query', 'fold_accents', 'search_folded_query', 'check_search_group',
  'keep_consent_history', 'keep_consented_address',
  'channel_address_key', 'channel_address_keys', 'remember_withdrawn_addresses', 'recall_withdrawn_addresses', 'hold_import_grants_behind_withdrawals',
  'forget_suppressed_withdrawals', 'remembered_withdrawals', 'words_no_one_else_holds',
  'subject_words', 'group_ids_mentioning', 'subject_group_words', 'groups_mentioning', 'import_report_lines_holding', 'dry_run_entries_holding',
  'import_headers_holding', 'agent_searches_for', 'traces_of_identifier', 'failed_imports_holding', 'channels_with_match_keys',
  'give_up_import_when_asked', 'forget_give_ups_of_deleted_imports', 'give_up_import_that_failed_meanwhile',
  'agent_contact_search'
], 'private holds exactly the trigger and helper functions');

-- public: every function runs with the caller's rights (RLS applies).
select isnt_definer('public', 'is_valid_email', array['text'], 'public.is_valid_email(text) is security invoker');
select isnt_definer('public', 'is_valid_e164_phone', array['text'], 'public.is_valid_e164_phone(text) is security invoker');
select isnt_definer('public', 'is_valid_smart_group_criteria', array['jsonb'], 'public.is_valid_smart_group_criteria(jsonb) is security invoker');
select isnt_definer('public', 'contact_group_member_ids', array['uuid', 'boolean'], 'public.contact_group_member_ids(uuid, boolean) is security invoker');
select isnt_definer('public', 'search_contacts_for_agent', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid', 'text', 'text'],
  'public.search_contacts_for_agent(...) is security invoker');
select isnt_definer('public', 'export_contact_data_for_subject', array['uuid'], 'public.export_contact_data_for_subject(uuid) is security invoker');
select isnt_definer('public', 'gdpr_delete_contact', array['uuid', 'text'], 'public.gdpr_delete_contact(uuid, text) is security invoker');
select isnt_definer('public', 'apply_retention_policies', array['boolean', 'uuid'], 'public.apply_retention_policies(boolean, uuid) is security invoker');

select isnt_definer('public', 'export_subject_data', array['uuid', 'text', 'uuid'], 'public.export_subject_data(uuid, text, uuid) is security invoker');
select isnt_definer('public', 'gdpr_delete_subject', array['uuid', 'text', 'text', 'uuid', 'uuid'], 'public.gdpr_delete_subject(uuid, text, text, uuid, uuid) is security invoker');
select isnt_definer('public', 'verify_subject_erasure', array['text', 'uuid'], 'public.verify_subject_erasure(text, uuid) is security invoker');
select isnt_definer('public', 'lift_contact_suppression', array['text', 'text', 'uuid'], 'public.lift_contact_suppression(text, text, uuid) is security invoker');

-- private: four definer helpers, everything else invoker.
select is_definer('private', 'contact_in_group', array['uuid', 'uuid'],
  'private.contact_in_group(uuid, uuid) is security definer (reads memberships RLS hides from agent tokens)');
select is_definer('private', 'agent_can_access_contact', array['uuid', 'uuid', 'text', 'text'],
  'private.agent_can_access_contact(uuid, uuid, text, text) is security definer (reads grants from inside policies)');
select is_definer('private', 'search_contacts_page', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid', 'text', 'text'],
  'private.search_contacts_page(uuid, text, text[], uuid, integer, numeric, uuid, text, text) is security definer (index-driven page, authorizes its caller)');
select is_definer('private', 'check_search_group', array['uuid', 'uuid'],
  'private.check_search_group(uuid, uuid) is security definer (reads the groups and grants RLS hides from agent tokens)');
select is_definer('private', 'record_agent_search', array['uuid', 'text', 'integer'],
  'private.record_agent_search(uuid, text, integer) is security definer (callers cannot write the access log themselves)');
select is_definer('private', 'is_suppressed', array['uuid', 'text', 'text'],
  'private.is_suppressed(uuid, text, text) is security definer (reads the owner''s HMAC key; authorizes its caller)');
select is_definer('private', 'suppress_identifiers', array['uuid', 'text[]', 'uuid'],
  'private.suppress_identifiers(uuid, text[], uuid) is security definer (owners cannot write their suppression list)');
select is_definer('private', 'record_subject_request', array['uuid', 'uuid', 'text', 'uuid[]', 'text[]', 'jsonb', 'uuid', 'jsonb'],
  'private.record_subject_request(...) is security definer (requests, statistics and audit entries are append-only for owners)');
select is_definer('private', 'wipe_contact_references', array['uuid[]'],
  'private.wipe_contact_references(uuid[]) is security definer (anonymization wipes tables that are append-only for owners)');
select is_definer('private', 'owner_hmacs', array['uuid', 'text[]'],
  'private.owner_hmacs(uuid, text[]) is security definer (callers never read the HMAC keys, only get hashes)');
select isnt_definer('private', 'contact_export', array['uuid'], 'private.contact_export(uuid) is security invoker (RLS applies)');
select isnt_definer('private', 'contact_export_statement', array['integer'], 'private.contact_export_statement(integer) is security invoker');
select isnt_definer('private', 'data_subject_owner', array['uuid'], 'private.data_subject_owner(uuid) is security invoker');
select isnt_definer('private', 'data_subject_contact_ids', array['uuid', 'uuid', 'text'], 'private.data_subject_contact_ids(uuid, uuid, text) is security invoker (RLS applies)');
select isnt_definer('private', 'contact_data_sources', array[]::text[], 'private.contact_data_sources() is security invoker');
select is_definer('private', 'reject_suppressed_channels', array[]::text[],
  'private.reject_suppressed_channels() is security definer (reads the HMAC keys and suppression lists agent tokens cannot read)');
select isnt_definer('private', 'is_service_caller', array[]::text[], 'private.is_service_caller() is security invoker');
select isnt_definer('private', 'set_updated_at', array[]::text[], 'private.set_updated_at() is security invoker');
select isnt_definer('private', 'normalize_channel_identifier', array['text', 'text'], 'private.normalize_channel_identifier(text, text) is security invoker');
select isnt_definer('private', 'current_agent_id', array[]::text[], 'private.current_agent_id() is security invoker');
select isnt_definer('private', 'fill_contact_display_name', array[]::text[], 'private.fill_contact_display_name() is security invoker');
select isnt_definer('private', 'prepare_contact_channel', array[]::text[], 'private.prepare_contact_channel() is security invoker');
select isnt_definer('private', 'prevent_contact_group_cycle', array[]::text[], 'private.prevent_contact_group_cycle() is security invoker');
select isnt_definer('private', 'require_static_group', array[]::text[], 'private.require_static_group() is security invoker');
select isnt_definer('private', 'require_specific_contacts_grant', array[]::text[], 'private.require_specific_contacts_grant() is security invoker');
select isnt_definer('private', 'track_interaction_delivery', array[]::text[], 'private.track_interaction_delivery() is security invoker');
select isnt_definer('private', 'check_interaction_occurred_at', array[]::text[], 'private.check_interaction_occurred_at() is security invoker');
select isnt_definer('private', 'hold_waits_for_retention_sweep', array[]::text[], 'private.hold_waits_for_retention_sweep() is security invoker');
select isnt_definer('private', 'check_import_job_transition', array[]::text[], 'private.check_import_job_transition() is security invoker');
select isnt_definer('private', 'permission_level_rank', array['text'], 'private.permission_level_rank(text) is security invoker');
select isnt_definer('private', 'contact_matches_criteria', array['contacts', 'jsonb', 'text[]'], 'private.contact_matches_criteria(contacts, jsonb, text[]) is security invoker');
select isnt_definer('private', 'forbid_agent_tokens', array['text'], 'private.forbid_agent_tokens(text) is security invoker');
select isnt_definer('private', 'anonymize_contacts', array['uuid[]'], 'private.anonymize_contacts(uuid[]) is security invoker');
select is_empty($$
  select p.oid::regprocedure from pg_catalog.pg_proc p
  where p.pronamespace = 'private'::regnamespace and p.proname like '%retention%' and (p.prosecdef or p.prokind <> 'f')
    and p.proname not in ('void_retention_watermarks_of_old_rows', 'void_retention_watermarks_of_released_holds')
$$, 'the retention functions in private are plain security-invoker functions (they run as the service), but for the two watermark triggers, which owners'' writes fire');

-- Return types of the API.
select function_returns('public', 'search_contacts_for_agent', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid', 'text', 'text'],
  'setof record', 'public.search_contacts_for_agent(...) returns a table');
select function_returns('public', 'contact_group_member_ids', array['uuid', 'boolean'], 'setof uuid',
  'public.contact_group_member_ids(uuid, boolean) returns a set of contact ids');
select function_returns('public', 'export_contact_data_for_subject', array['uuid'], 'jsonb',
  'public.export_contact_data_for_subject(uuid) returns one jsonb bundle');
select function_returns('public', 'gdpr_delete_contact', array['uuid', 'text'], 'jsonb',
  'public.gdpr_delete_contact(uuid, text) returns a jsonb report');
select function_returns('public', 'apply_retention_policies', array['boolean', 'uuid'], 'setof record',
  'public.apply_retention_policies(boolean, uuid) returns a table of what it did');
select function_returns('public', 'is_valid_smart_group_criteria', array['jsonb'], 'boolean',
  'public.is_valid_smart_group_criteria(jsonb) returns boolean');

-- Validators used by check constraints must be immutable.
select volatility_is('public', 'is_valid_email', array['text'], 'immutable', 'public.is_valid_email(text) is immutable (used by a check constraint)');
select volatility_is('public', 'is_valid_e164_phone', array['text'], 'immutable', 'public.is_valid_e164_phone(text) is immutable (used by a check constraint)');
select volatility_is('public', 'is_valid_smart_group_criteria', array['jsonb'], 'immutable',
  'public.is_valid_smart_group_criteria(jsonb) is immutable (used by a check constraint)');

-- Generic rules over the catalog.
select is_empty($$
  select p.oid::regprocedure
  from pg_catalog.pg_proc p
  where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
    and not exists (select 1 from unnest(p.proconfig) as cfg (setting) where cfg.setting like 'search_path=%')
$$, 'every function in public and private pins its search_path');

select is_empty($$
  select p.oid::regprocedure, p.proconfig
  from pg_catalog.pg_proc p
  where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
    and not ('search_path=""' = any (coalesce(p.proconfig, '{}')))
$$, 'every function in public and private pins search_path to the empty string, so every name is schema-qualified');

select is_definer('private', 'failed_imports_holding', array['uuid', 'uuid', 'text[]'],
  'private.failed_imports_holding(uuid, uuid, text[]) is security definer (reads the dry-run claims; scoped to the owner or the service)');
select is_definer('private', 'give_up_import_when_asked', array[]::text[],
  'private.give_up_import_when_asked() is security definer (whoever fails a job, the give-up requests are the erasure''s)');
select is_definer('private', 'forget_give_ups_of_deleted_imports', array[]::text[],
  'private.forget_give_ups_of_deleted_imports() is security definer (owners delete their jobs, the give-up requests are the erasure''s)');
select is_definer('private', 'give_up_import_that_failed_meanwhile', array[]::text[],
  'private.give_up_import_that_failed_meanwhile() is security definer (the records are the erasure''s, the job may be the service''s)');
select is_definer('private', 'channels_with_match_keys', array['uuid', 'text[]'],
  'private.channels_with_match_keys(uuid, text[]) is security definer (probes the match-key index RLS cannot use; scoped to the owner or the service)');
select is_definer('private', 'record_contact_audit', array[]::text[],
  'private.record_contact_audit() is security definer (appends to the audit log, which callers cannot write)');
select is_definer('private', 'create_import_job',
  array['uuid', 'text', 'bigint', 'text', 'text', 'text', 'jsonb', 'jsonb', 'boolean', 'bigint', 'boolean', 'text'],
  'private.create_import_job(...) is security definer (service callers name the owner; idempotency sees the owner''s earlier jobs)');
select is_definer('private', 'import_contacts_batch', array['uuid', 'json', 'json', 'bigint', 'bigint'],
  'private.import_contacts_batch(...) is security definer (chooses contact ids, writes the change log; scoped to the job''s owner)');
select is_definer('private', 'undo_import_job', array['uuid', 'integer'],
  'private.undo_import_job(uuid, integer) is security definer (reads and deletes the change log; scoped to the job''s owner)');
select isnt_definer('private', 'import_apply_batch', array['contact_import_jobs', 'private.contact_import_plan[]', 'text', 'uuid'],
  'private.import_apply_batch(...) is security invoker (it runs inside import_contacts_batch, as its owner)');
select isnt_definer('private', 'take_table_size_snapshot', array[]::text[], 'private.take_table_size_snapshot() is security invoker');
select isnt_definer('private', 'agent_contact_search', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid', 'text', 'text', 'boolean'],
  'private.agent_contact_search(...) is security invoker (the search as its caller, as search_contacts_for_agent runs it)');

select is_empty($$
  select p.oid::regprocedure
  from pg_catalog.pg_proc p
  where p.prosecdef and p.pronamespace = 'public'::regnamespace
$$, 'no security definer function lives in the exposed schema public: definer rights are confined to private');

select set_eq($$
  select p.proname::text || ':' || case p.provolatile when 's' then 'stable' when 'i' then 'immutable' else 'volatile' end
  from pg_catalog.pg_proc p
  where p.prosecdef and p.pronamespace = 'private'::regnamespace
$$, array['contact_in_group:stable', 'agent_can_access_contact:stable', 'search_contacts_page:stable', 'record_agent_search:volatile',
  'owner_hmac:volatile', 'forget_traces:volatile', 'is_suppressed:stable', 'suppress_identifiers:volatile',
  'record_subject_request:volatile', 'wipe_contact_references:volatile', 'reject_suppressed_channels:volatile', 'owner_hmacs:volatile', 'record_contact_audit:volatile',
  'derive_channel_consent:volatile', 'record_channel_consent_inserts:volatile', 'record_channel_consent_updates:volatile',
  'agent_can_message_on_channel:stable',
  'duplicate_contact_pairs:stable', 'merge_contact_pair:volatile', 'track_shared_channel_keys:volatile',
  'track_shared_contact_keys:volatile', 'track_contact_search_words:volatile',
  'create_import_job:volatile', 'import_contacts_batch:volatile', 'undo_import_job:volatile', 'drop_dry_run_claims:volatile',
  'queue_upload_of_ended_import:volatile', 'queue_uploads_of_deleted_imports:volatile', 'queue_unused_import_upload:volatile',
  'void_retention_watermarks_of_old_rows:volatile', 'void_retention_watermarks_of_released_holds:volatile',
  'group_entered:stable', 'keep_agents_within_their_grants:volatile', 'keep_agent_channels_within_their_grants:volatile',
  'check_search_group:stable',
  'remember_withdrawn_addresses:volatile', 'recall_withdrawn_addresses:volatile', 'hold_import_grants_behind_withdrawals:volatile',
  'forget_suppressed_withdrawals:volatile', 'remembered_withdrawals:stable', 'failed_imports_holding:volatile',
  'channels_with_match_keys:stable', 'give_up_import_when_asked:volatile', 'forget_give_ups_of_deleted_imports:volatile', 'give_up_import_that_failed_meanwhile:volatile'],
  'the security definer helpers in private only read (stable), except those that append to the access log, create an owner key, or erase traces, the import functions that write jobs, contacts and their change log (and drop a finished dry run''s claims, queue an ended job''s upload or one no job keeps), the triggers that void retention watermarks, and those that keep shared keys and search words, and the triggers that keep agents within their grants, and those that remember and recall withdrawn addresses');

-- Consent history, duplicates and merging.
select is_definer('private', 'derive_channel_consent', array[]::text[],
  'private.derive_channel_consent() is security definer (a channel follows its history whoever recorded the event)');
select is_definer('private', 'record_channel_consent_inserts', array[]::text[],
  'private.record_channel_consent_inserts() is security definer (records channels'' consent writes as events of the channels'' owner)');
select is_definer('private', 'record_channel_consent_updates', array[]::text[],
  'private.record_channel_consent_updates() is security definer (records channels'' consent writes as events of the channels'' owner)');
select is_definer('private', 'agent_can_message_on_channel', array['uuid', 'uuid', 'text', 'uuid'],
  'private.agent_can_message_on_channel(uuid, uuid, text, uuid) is security definer (the channel-aware access decision, called from policies)');
select is_definer('private', 'duplicate_contact_pairs', array['uuid', 'uuid', 'numeric', 'integer', 'numeric', 'uuid', 'uuid'],
  'private.duplicate_contact_pairs(...) is security definer (reads the match-key indexes RLS would block; authorizes its caller)');
select is_definer('private', 'merge_contact_pair', array['uuid', 'uuid', 'jsonb', 'uuid'],
  'private.merge_contact_pair(uuid, uuid, jsonb, uuid) is security definer (re-points rows clients cannot update; authorizes its caller)');
select is_definer('private', 'track_shared_channel_keys', array[]::text[],
  'private.track_shared_channel_keys() is security definer (every writer''s statements note shared keys in a private table)');
select is_definer('private', 'track_shared_contact_keys', array[]::text[],
  'private.track_shared_contact_keys() is security definer (every writer''s statements note shared keys in a private table)');
select is_definer('private', 'track_contact_search_words', array[]::text[],
  'private.track_contact_search_words() is security definer (every writer''s statements keep the owner''s search words in a private table)');
select isnt_definer('private', 'search_typo_query', array['uuid', 'text[]'],
  'private.search_typo_query(uuid, text[]) is security invoker (only the search, itself security definer, reads the search words through it)');
select isnt_definer('private', 'search_folded_query', array['uuid', 'text', 'boolean'],
  'private.search_folded_query(uuid, text, boolean) is security invoker (only the search, itself security definer, reads the search words through it)');
select is_definer('private', 'remember_withdrawn_addresses', array[]::text[],
  'private.remember_withdrawn_addresses() is security definer (remembers deleted withdrawn addresses as keyed hashes in a private table)');
select is_definer('private', 'recall_withdrawn_addresses', array[]::text[],
  'private.recall_withdrawn_addresses() is security definer (reads the private memory and records the withdrawal whoever wrote the channel)');
select is_definer('private', 'hold_import_grants_behind_withdrawals', array[]::text[],
  'private.hold_import_grants_behind_withdrawals() is security definer (reads the private memory and the owner''s key)');
select is_definer('private', 'forget_suppressed_withdrawals', array[]::text[],
  'private.forget_suppressed_withdrawals() is security definer (removes a suppressed address from the private memory)');
select volatility_is('private', 'channel_address_key', array['text', 'text'], 'immutable',
  'private.channel_address_key(text, text) is immutable (a pure function of the channel)');
select volatility_is('private', 'channel_address_keys', array['text', 'text'], 'immutable',
  'private.channel_address_keys(text, text) is immutable (a pure function of the channel)');
select isnt_definer('private', 'prepare_consent_event', array[]::text[], 'private.prepare_consent_event() is security invoker (reads the channel under RLS)');
select isnt_definer('private', 'protect_consent_history', array[]::text[], 'private.protect_consent_history() is security invoker');
select isnt_definer('private', 'keep_anonymization_marker', array[]::text[], 'private.keep_anonymization_marker() is security invoker');
select isnt_definer('private', 'keep_audit_trail', array[]::text[], 'private.keep_audit_trail() is security invoker');
select function_returns('public', 'find_duplicate_contacts', array['uuid', 'numeric', 'integer', 'numeric', 'uuid', 'uuid', 'uuid'],
  'setof record', 'public.find_duplicate_contacts(...) returns a table of candidate pairs');
select function_returns('public', 'merge_contacts', array['uuid', 'uuid', 'jsonb', 'uuid'], 'jsonb',
  'public.merge_contacts(uuid, uuid, jsonb, uuid) returns a jsonb report');
select volatility_is('private', 'channel_match_key', array['text', 'text'], 'immutable', 'private.channel_match_key(text, text) is immutable (indexed)');
select volatility_is('private', 'organization_match_key', array['text'], 'immutable', 'private.organization_match_key(text) is immutable (indexed)');
select volatility_is('private', 'name_sound_key', array['text'], 'immutable', 'private.name_sound_key(text) is immutable (indexed)');
select volatility_is('private', 'contact_name_block', array['text', 'text'], 'immutable', 'private.contact_name_block(text, text) is immutable (indexed)');

select * from finish();
rollback;
