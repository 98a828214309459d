-- Schema: who may execute what. Every public function is granted by full signature to exactly the
-- roles that call it (anon to none), every private function to authenticated and service_role
-- only, and anon cannot even resolve names in the private schema.
begin;
select plan(341);

-- Schemas.
select schema_privs_are('private', 'anon', array[]::text[], 'anon has no usage on schema private');
select schema_privs_are('private', 'authenticated', array['USAGE'], 'authenticated has usage (and nothing more) on schema private');
select schema_privs_are('private', 'service_role', array['USAGE'], 'service_role has usage (and nothing more) on schema private');

-- public functions: authenticated and service_role call the API, anon nothing; retention is the
-- service's alone.
select function_privs_are('public', 'is_valid_email', array['text'], 'anon', array[]::text[], 'anon cannot execute public.is_valid_email(text)');
select function_privs_are('public', 'is_valid_email', array['text'], 'authenticated', array['EXECUTE'], 'authenticated can execute public.is_valid_email(text)');
select function_privs_are('public', 'is_valid_email', array['text'], 'service_role', array['EXECUTE'], 'service_role can execute public.is_valid_email(text)');
select function_privs_are('public', 'is_valid_e164_phone', array['text'], 'anon', array[]::text[], 'anon cannot execute public.is_valid_e164_phone(text)');
select function_privs_are('public', 'is_valid_e164_phone', array['text'], 'authenticated', array['EXECUTE'], 'authenticated can execute public.is_valid_e164_phone(text)');
select function_privs_are('public', 'is_valid_e164_phone', array['text'], 'service_role', array['EXECUTE'], 'service_role can execute public.is_valid_e164_phone(text)');
select function_privs_are('public', 'is_valid_smart_group_criteria', array['jsonb'], 'anon', array[]::text[], 'anon cannot execute public.is_valid_smart_group_criteria(jsonb)');
select function_privs_are('public', 'is_valid_smart_group_criteria', array['jsonb'], 'authenticated', array['EXECUTE'], 'authenticated can execute public.is_valid_smart_group_criteria(jsonb)');
select function_privs_are('public', 'is_valid_smart_group_criteria', array['jsonb'], 'service_role', array['EXECUTE'], 'service_role can execute public.is_valid_smart_group_criteria(jsonb)');
select function_privs_are('public', 'contact_group_member_ids', array['uuid', 'boolean'], 'anon', array[]::text[], 'anon cannot execute public.contact_group_member_ids(uuid, boolean)');
select function_privs_are('public', 'contact_group_member_ids', array['uuid', 'boolean'], 'authenticated', array['EXECUTE'], 'authenticated can execute public.contact_group_member_ids(uuid, boolean)');
select function_privs_are('public', 'contact_group_member_ids', array['uuid', 'boolean'], 'service_role', array['EXECUTE'], 'service_role can execute public.contact_group_member_ids(uuid, boolean)');
select function_privs_are('public', 'search_contacts_for_agent', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid', 'text', 'text'], 'anon', array[]::text[],
  'anon cannot execute public.search_contacts_for_agent(...)');
select function_privs_are('public', 'search_contacts_for_agent', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid', 'text', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute public.search_contacts_for_agent(...)');
select function_privs_are('public', 'search_contacts_for_agent', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid', 'text', 'text'], 'service_role', array['EXECUTE'],
  'service_role can execute public.search_contacts_for_agent(...)');
select function_privs_are('public', 'export_contact_data_for_subject', array['uuid'], 'anon', array[]::text[], 'anon cannot execute public.export_contact_data_for_subject(uuid)');
select function_privs_are('public', 'export_contact_data_for_subject', array['uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute public.export_contact_data_for_subject(uuid)');
select function_privs_are('public', 'export_contact_data_for_subject', array['uuid'], 'service_role', array['EXECUTE'], 'service_role can execute public.export_contact_data_for_subject(uuid)');
select function_privs_are('public', 'gdpr_delete_contact', array['uuid', 'text'], 'anon', array[]::text[], 'anon cannot execute public.gdpr_delete_contact(uuid, text)');
select function_privs_are('public', 'gdpr_delete_contact', array['uuid', 'text'], 'authenticated', array['EXECUTE'], 'authenticated can execute public.gdpr_delete_contact(uuid, text)');
select function_privs_are('public', 'gdpr_delete_contact', array['uuid', 'text'], 'service_role', array['EXECUTE'], 'service_role can execute public.gdpr_delete_contact(uuid, text)');
select function_privs_are('public', 'apply_retention_policies', array['boolean', 'uuid'], 'anon', array[]::text[], 'anon cannot execute public.apply_retention_policies(boolean, uuid)');
select function_privs_are('public', 'apply_retention_policies', array['boolean', 'uuid'], 'authenticated', array[]::text[],
  'authenticated cannot execute public.apply_retention_policies(boolean, uuid): retention is the service''s job');
select function_privs_are('public', 'apply_retention_policies', array['boolean', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute public.apply_retention_policies(boolean, uuid)');

-- private functions: authenticated (whose queries fire the triggers and policies) and service_role.
select function_privs_are('private', 'set_updated_at', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.set_updated_at()');
select function_privs_are('private', 'set_updated_at', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.set_updated_at()');
select function_privs_are('private', 'stamp_channel_updated_at', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.stamp_channel_updated_at()');
select function_privs_are('private', 'stamp_channel_updated_at', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.stamp_channel_updated_at()');
select function_privs_are('private', 'normalize_channel_identifier', array['text', 'text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.normalize_channel_identifier(text, text)');
select function_privs_are('private', 'normalize_channel_identifier', array['text', 'text'], 'service_role', array['EXECUTE'], 'service_role can execute private.normalize_channel_identifier(text, text)');
select function_privs_are('private', 'current_agent_id', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.current_agent_id()');
select function_privs_are('private', 'current_agent_id', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.current_agent_id()');
select function_privs_are('private', 'fill_contact_display_name', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.fill_contact_display_name()');
select function_privs_are('private', 'fill_contact_display_name', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.fill_contact_display_name()');
select function_privs_are('private', 'prepare_contact_channel', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.prepare_contact_channel()');
select function_privs_are('private', 'prepare_contact_channel', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.prepare_contact_channel()');
select function_privs_are('private', 'prevent_contact_group_cycle', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.prevent_contact_group_cycle()');
select function_privs_are('private', 'prevent_contact_group_cycle', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.prevent_contact_group_cycle()');
select function_privs_are('private', 'require_static_group', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.require_static_group()');
select function_privs_are('private', 'require_static_group', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.require_static_group()');
select function_privs_are('private', 'require_specific_contacts_grant', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.require_specific_contacts_grant()');
select function_privs_are('private', 'require_specific_contacts_grant', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.require_specific_contacts_grant()');
select function_privs_are('private', 'track_interaction_delivery', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.track_interaction_delivery()');
select function_privs_are('private', 'track_interaction_delivery', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.track_interaction_delivery()');
select function_privs_are('private', 'check_interaction_occurred_at', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.check_interaction_occurred_at()');
select function_privs_are('private', 'check_interaction_occurred_at', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.check_interaction_occurred_at()');
select function_privs_are('private', 'hold_waits_for_retention_sweep', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.hold_waits_for_retention_sweep()');
select function_privs_are('private', 'hold_waits_for_retention_sweep', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.hold_waits_for_retention_sweep()');
select function_privs_are('private', 'check_import_job_transition', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.check_import_job_transition()');
select function_privs_are('private', 'check_import_job_transition', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.check_import_job_transition()');
select function_privs_are('private', 'permission_level_rank', array['text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.permission_level_rank(text)');
select function_privs_are('private', 'permission_level_rank', array['text'], 'service_role', array['EXECUTE'], 'service_role can execute private.permission_level_rank(text)');
select function_privs_are('private', 'contact_matches_criteria', array['contacts', 'jsonb', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_matches_criteria(contacts, jsonb, text[])');
select function_privs_are('private', 'contact_matches_criteria', array['contacts', 'jsonb', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_matches_criteria(contacts, jsonb, text[])');
select function_privs_are('private', 'contact_in_group', array['uuid', 'uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_in_group(uuid, uuid)');
select function_privs_are('private', 'contact_in_group', array['uuid', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_in_group(uuid, uuid)');
select function_privs_are('private', 'agent_can_access_contact', array['uuid', 'uuid', 'text', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.agent_can_access_contact(uuid, uuid, text, text)');
select function_privs_are('private', 'agent_can_access_contact', array['uuid', 'uuid', 'text', 'text'], 'service_role', array['EXECUTE'],
  'service_role can execute private.agent_can_access_contact(uuid, uuid, text, text)');
select function_privs_are('private', 'search_contacts_page', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid', 'text', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.search_contacts_page(uuid, text, text[], uuid, integer, numeric, uuid, text, text)');
select function_privs_are('private', 'search_contacts_page', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid', 'text', 'text'], 'service_role', array['EXECUTE'],
  'service_role can execute private.search_contacts_page(uuid, text, text[], uuid, integer, numeric, uuid, text, text)');
select function_privs_are('private', 'agent_contact_search', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid', 'text', 'text', 'boolean'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.agent_contact_search(uuid, text, text[], uuid, integer, numeric, uuid, text, text, boolean)');
select function_privs_are('private', 'agent_contact_search', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid', 'text', 'text', 'boolean'], 'service_role', array['EXECUTE'],
  'service_role can execute private.agent_contact_search(uuid, text, text[], uuid, integer, numeric, uuid, text, text, boolean)');
select function_privs_are('private', 'check_search_group', array['uuid', 'uuid'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.check_search_group(uuid, uuid)');
select function_privs_are('private', 'check_search_group', array['uuid', 'uuid'], 'service_role', array['EXECUTE'],
  'service_role can execute private.check_search_group(uuid, uuid)');
select function_privs_are('private', 'keep_consent_history', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.keep_consent_history() (the trigger runs as the deleting role)');
select function_privs_are('private', 'keep_consent_history', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.keep_consent_history()');
select function_privs_are('private', 'keep_consented_address', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.keep_consented_address() (the trigger runs as the updating role)');
select function_privs_are('private', 'keep_consented_address', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.keep_consented_address()');
select function_privs_are('private', 'remembered_withdrawals', array['uuid', 'text[]'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.remembered_withdrawals(uuid, text[]) (it answers for the caller''s own owner only)');
select function_privs_are('private', 'remembered_withdrawals', array['uuid', 'text[]'], 'service_role', array['EXECUTE'],
  'service_role can execute private.remembered_withdrawals(uuid, text[])');
select function_privs_are('private', 'words_no_one_else_holds', array['uuid', 'uuid', 'text[]'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.words_no_one_else_holds(uuid, uuid, text[]) (invoker: RLS narrows the contacts it reads)');
select function_privs_are('private', 'words_no_one_else_holds', array['uuid', 'uuid', 'text[]'], 'service_role', array['EXECUTE'],
  'service_role can execute private.words_no_one_else_holds(uuid, uuid, text[])');
select function_privs_are('private', 'subject_words', array['uuid', 'uuid', 'text[]'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.subject_words(uuid, uuid, text[]) (invoker: RLS narrows the contact it reads)');
select function_privs_are('private', 'subject_words', array['uuid', 'uuid', 'text[]'], 'service_role', array['EXECUTE'],
  'service_role can execute private.subject_words(uuid, uuid, text[])');
select function_privs_are('private', 'group_ids_mentioning', array['uuid', 'text[]'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.group_ids_mentioning(uuid, text[]) (invoker: RLS narrows the groups it reads)');
select function_privs_are('private', 'group_ids_mentioning', array['uuid', 'text[]'], 'service_role', array['EXECUTE'],
  'service_role can execute private.group_ids_mentioning(uuid, text[])');
select function_privs_are('private', 'subject_group_words', array['uuid', 'uuid', 'text[]'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.subject_group_words(uuid, uuid, text[]) (invoker: RLS narrows the groups and contacts it reads)');
select function_privs_are('private', 'subject_group_words', array['uuid', 'uuid', 'text[]'], 'service_role', array['EXECUTE'],
  'service_role can execute private.subject_group_words(uuid, uuid, text[])');
select function_privs_are('private', 'groups_mentioning', array['uuid', 'uuid', 'text[]'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.groups_mentioning(uuid, uuid, text[]) (invoker: RLS narrows the groups it lists)');
select function_privs_are('private', 'groups_mentioning', array['uuid', 'uuid', 'text[]'], 'service_role', array['EXECUTE'],
  'service_role can execute private.groups_mentioning(uuid, uuid, text[])');
select function_privs_are('private', 'import_report_lines_holding', array['uuid', 'text[]'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.import_report_lines_holding(uuid, text[]) (invoker: RLS narrows the report lines it lists)');
select function_privs_are('private', 'import_report_lines_holding', array['uuid', 'text[]'], 'service_role', array['EXECUTE'],
  'service_role can execute private.import_report_lines_holding(uuid, text[])');
select function_privs_are('private', 'dry_run_entries_holding', array['uuid', 'uuid', 'text[]'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.dry_run_entries_holding(uuid, uuid, text[]) (invoker: RLS narrows the dry runs it reads)');
select function_privs_are('private', 'dry_run_entries_holding', array['uuid', 'uuid', 'text[]'], 'service_role', array['EXECUTE'],
  'service_role can execute private.dry_run_entries_holding(uuid, uuid, text[])');
select function_privs_are('private', 'import_headers_holding', array['uuid', 'text[]'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.import_headers_holding(uuid, text[]) (invoker: RLS narrows the jobs it lists)');
select function_privs_are('private', 'import_headers_holding', array['uuid', 'text[]'], 'service_role', array['EXECUTE'],
  'service_role can execute private.import_headers_holding(uuid, text[])');
select function_privs_are('private', 'agent_searches_for', array['uuid', 'text[]', 'text[]'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.agent_searches_for(uuid, text[], text[]) (invoker: RLS narrows the searches it lists; it hashes for the caller''s own owner only)');
select function_privs_are('private', 'agent_searches_for', array['uuid', 'text[]', 'text[]'], 'service_role', array['EXECUTE'],
  'service_role can execute private.agent_searches_for(uuid, text[], text[])');
select function_privs_are('private', 'traces_of_identifier', array['uuid', 'text', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.traces_of_identifier(uuid, text, text) (invoker: RLS narrows what it finds to the caller''s own owner''s records)');
select function_privs_are('private', 'traces_of_identifier', array['uuid', 'text', 'text'], 'service_role', array['EXECUTE'],
  'service_role can execute private.traces_of_identifier(uuid, text, text)');
select function_privs_are('private', 'channel_address_key', array['text', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.channel_address_key(text, text) (the triggers hash by it)');
select function_privs_are('private', 'channel_address_key', array['text', 'text'], 'service_role', array['EXECUTE'],
  'service_role can execute private.channel_address_key(text, text)');
select function_privs_are('private', 'channel_address_keys', array['text', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.channel_address_keys(text, text) (the triggers hash by it)');
select function_privs_are('private', 'channel_address_keys', array['text', 'text'], 'service_role', array['EXECUTE'],
  'service_role can execute private.channel_address_keys(text, text)');
select function_privs_are('private', 'remember_withdrawn_addresses', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.remember_withdrawn_addresses() (the trigger runs as the deleting role)');
select function_privs_are('private', 'remember_withdrawn_addresses', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.remember_withdrawn_addresses()');
select function_privs_are('private', 'recall_withdrawn_addresses', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.recall_withdrawn_addresses() (the trigger runs as the writing role)');
select function_privs_are('private', 'recall_withdrawn_addresses', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.recall_withdrawn_addresses()');
select function_privs_are('private', 'hold_import_grants_behind_withdrawals', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.hold_import_grants_behind_withdrawals() (the trigger runs as the inserting role)');
select function_privs_are('private', 'hold_import_grants_behind_withdrawals', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.hold_import_grants_behind_withdrawals()');
select function_privs_are('private', 'forget_suppressed_withdrawals', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.forget_suppressed_withdrawals() (the trigger runs as the suppressing role)');
select function_privs_are('private', 'forget_suppressed_withdrawals', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.forget_suppressed_withdrawals()');
select function_privs_are('private', 'search_typo_query', array['uuid', 'text[]'], 'authenticated', array[]::text[],
  'authenticated cannot execute private.search_typo_query(uuid, text[]) (it would list any owner''s words)');
select function_privs_are('private', 'search_typo_query', array['uuid', 'text[]'], 'anon', array[]::text[],
  'anon cannot execute private.search_typo_query(uuid, text[])');
select function_privs_are('private', 'search_typo_query', array['uuid', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.search_typo_query(uuid, text[])');
select function_privs_are('private', 'search_folded_query', array['uuid', 'text', 'boolean'], 'authenticated', array[]::text[],
  'authenticated cannot execute private.search_folded_query(uuid, text, boolean) (it would list any owner''s words)');
select function_privs_are('private', 'search_folded_query', array['uuid', 'text', 'boolean'], 'service_role', array['EXECUTE'], 'service_role can execute private.search_folded_query(uuid, text, boolean)');
select function_privs_are('private', 'fold_accents', array['text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.fold_accents(text)');
select function_privs_are('private', 'fold_accents', array['text'], 'service_role', array['EXECUTE'], 'service_role can execute private.fold_accents(text)');
select function_privs_are('private', 'fold_accents', array['text'], 'anon', array[]::text[], 'anon cannot execute private.fold_accents(text)');
select function_privs_are('private', 'search_match_kinds', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.search_match_kinds()');
select function_privs_are('private', 'search_match_kinds', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.search_match_kinds()');
select function_privs_are('private', 'forbid_agent_tokens', array['text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.forbid_agent_tokens(text)');
select function_privs_are('private', 'forbid_agent_tokens', array['text'], 'service_role', array['EXECUTE'], 'service_role can execute private.forbid_agent_tokens(text)');
select function_privs_are('private', 'anonymize_contacts', array['uuid[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.anonymize_contacts(uuid[])');
select function_privs_are('private', 'anonymize_contacts', array['uuid[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.anonymize_contacts(uuid[])');
select function_privs_are('private', 'fill_retention_policy_defaults', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.fill_retention_policy_defaults() (the trigger of its policy inserts)');
select function_privs_are('private', 'fill_retention_policy_defaults', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.fill_retention_policy_defaults() (the trigger of its policy inserts)');
select set_eq($$
  select p.oid::regprocedure::text from pg_catalog.pg_proc p
  where p.pronamespace = 'private'::regnamespace and p.proname like 'retention%' and has_function_privilege('service_role', p.oid, 'execute')
$$, array['private.retention_interactions_batch(uuid,text,text,timestamp with time zone,timestamp with time zone,uuid,integer,boolean)',
  'private.retention_contacts_batch(uuid,text,timestamp with time zone,timestamp with time zone,uuid,integer,boolean,boolean)',
  'private.retention_import_jobs_batch(uuid,text,timestamp with time zone,timestamp with time zone,uuid,integer,boolean)',
  'private.retention_logs_batch(uuid,text,timestamp with time zone,timestamp with time zone,bigint,integer,boolean)',
  'private.retention_lock_key()', 'private.retention_run_start(boolean,uuid,bigint,text,integer,boolean)',
  'private.retention_run_step(bigint)', 'private.retention_run_finish(bigint,text)',
  'private.retention_interactions_sweep(bigint,timestamp with time zone,timestamp with time zone,integer,boolean)'],
  'service_role can execute every retention run and batch function');
select is_empty($$
  select p.oid::regprocedure from pg_catalog.pg_proc p
  where p.pronamespace = 'private'::regnamespace and p.proname like 'retention%' and has_function_privilege('authenticated', p.oid, 'execute')
$$, 'authenticated can execute no retention run or batch function: retention is the service''s job');
select function_privs_are('private', 'void_retention_watermarks_of_old_rows', array[]::text[], 'authenticated', array[]::text[],
  'authenticated cannot execute private.void_retention_watermarks_of_old_rows(): it runs only as a statement trigger of public.contact_interactions, which needs no execute grant');
select function_privs_are('private', 'void_retention_watermarks_of_old_rows', array[]::text[], 'service_role', array[]::text[],
  'service_role cannot execute private.void_retention_watermarks_of_old_rows(): it runs only as a statement trigger of public.contact_interactions, which needs no execute grant');
select function_privs_are('private', 'void_retention_watermarks_of_released_holds', array[]::text[], 'authenticated', array[]::text[],
  'authenticated cannot execute private.void_retention_watermarks_of_released_holds(): it runs only as the legal hold trigger of public.contacts, which needs no execute grant');
select function_privs_are('private', 'void_retention_watermarks_of_released_holds', array[]::text[], 'service_role', array[]::text[],
  'service_role cannot execute private.void_retention_watermarks_of_released_holds(): it runs only as the legal hold trigger of public.contacts, which needs no execute grant');
select function_privs_are('private', 'is_service_caller', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.is_service_caller()');
select function_privs_are('private', 'is_service_caller', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.is_service_caller()');
select function_privs_are('private', 'record_agent_search', array['uuid', 'text', 'integer'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.record_agent_search(uuid, text, integer)');
select function_privs_are('private', 'record_agent_search', array['uuid', 'text', 'integer'], 'service_role', array['EXECUTE'],
  'service_role can execute private.record_agent_search(uuid, text, integer)');
select function_privs_are('private', 'protect_legal_hold', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.protect_legal_hold()');
select function_privs_are('private', 'protect_legal_hold', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.protect_legal_hold()');
select function_privs_are('private', 'lexeme_query', array['text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.lexeme_query(text)');
select function_privs_are('private', 'lexeme_query', array['text'], 'service_role', array['EXECUTE'], 'service_role can execute private.lexeme_query(text)');
select function_privs_are('private', 'track_contact_search_words', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.track_contact_search_words()');
select function_privs_are('private', 'track_contact_search_words', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.track_contact_search_words()');
select function_privs_are('private', 'group_entered', array['uuid', 'contacts', 'contacts', 'text[]', 'text[]'], 'authenticated', array[]::text[],
  'authenticated cannot execute private.group_entered(uuid, contacts, contacts, text[], text[]): only the definer triggers call it (it would probe another owner''s group rules)');
select function_privs_are('private', 'group_entered', array['uuid', 'contacts', 'contacts', 'text[]', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.group_entered(uuid, contacts, contacts, text[], text[])');
select function_privs_are('private', 'keep_agents_within_their_grants', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.keep_agents_within_their_grants()');
select function_privs_are('private', 'keep_agents_within_their_grants', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.keep_agents_within_their_grants()');
select function_privs_are('private', 'keep_agent_channels_within_their_grants', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.keep_agent_channels_within_their_grants()');
select function_privs_are('private', 'keep_agent_channels_within_their_grants', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.keep_agent_channels_within_their_grants()');

-- Import (import-contacts): the owner's own jobs or the service; the batch writers only from inside the batch.
select function_privs_are('private', 'create_import_job', array['uuid', 'text', 'bigint', 'text', 'text', 'text', 'jsonb', 'jsonb', 'boolean', 'bigint', 'boolean', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.create_import_job(...)');
select function_privs_are('private', 'create_import_job', array['uuid', 'text', 'bigint', 'text', 'text', 'text', 'jsonb', 'jsonb', 'boolean', 'bigint', 'boolean', 'text'], 'service_role', array['EXECUTE'],
  'service_role can execute private.create_import_job(...)');
select function_privs_are('private', 'import_contacts_batch', array['uuid', 'json', 'json', 'bigint', 'bigint'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.import_contacts_batch(...)');
select function_privs_are('private', 'import_contacts_batch', array['uuid', 'json', 'json', 'bigint', 'bigint'], 'service_role', array['EXECUTE'],
  'service_role can execute private.import_contacts_batch(...)');
select function_privs_are('private', 'undo_import_job', array['uuid', 'integer'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.undo_import_job(...)');
select function_privs_are('private', 'undo_import_job', array['uuid', 'integer'], 'service_role', array['EXECUTE'],
  'service_role can execute private.undo_import_job(...)');
select function_privs_are('private', 'import_job_lock_key', array['uuid'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.import_job_lock_key(...)');
select function_privs_are('private', 'import_job_lock_key', array['uuid'], 'service_role', array['EXECUTE'],
  'service_role can execute private.import_job_lock_key(...)');
select function_privs_are('private', 'import_job_is_running', array['uuid'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.import_job_is_running(...)');
select function_privs_are('private', 'import_job_is_running', array['uuid'], 'service_role', array['EXECUTE'],
  'service_role can execute private.import_job_is_running(...)');
select function_privs_are('private', 'import_merged_value', array['text', 'text', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.import_merged_value(...)');
select function_privs_are('private', 'import_merged_value', array['text', 'text', 'text'], 'service_role', array['EXECUTE'],
  'service_role can execute private.import_merged_value(...)');
select function_privs_are('private', 'import_merged_display_name', array['text', 'uuid', 'uuid', 'text', 'text', 'text', 'text', 'text', 'text', 'text'],
  'authenticated', array['EXECUTE'], 'authenticated can execute private.import_merged_display_name(...)');
select function_privs_are('private', 'import_merged_display_name', array['text', 'uuid', 'uuid', 'text', 'text', 'text', 'text', 'text', 'text', 'text'],
  'service_role', array['EXECUTE'], 'service_role can execute private.import_merged_display_name(...)');
select function_privs_are('private', 'import_apply_batch', array['public.contact_import_jobs', 'private.contact_import_plan[]', 'text', 'uuid'], 'authenticated', array[]::text[],
  'authenticated cannot execute private.import_apply_batch(...): only private.import_contacts_batch calls it, as its owner');
select function_privs_are('private', 'import_apply_batch', array['public.contact_import_jobs', 'private.contact_import_plan[]', 'text', 'uuid'], 'service_role', array[]::text[],
  'service_role cannot execute private.import_apply_batch(...): only private.import_contacts_batch calls it, as its owner');
select function_privs_are('private', 'import_dry_run_batch', array['public.contact_import_jobs', 'private.contact_import_plan[]', 'text', 'json'], 'authenticated', array[]::text[],
  'authenticated cannot execute private.import_dry_run_batch(...): only private.import_contacts_batch calls it, as its owner');
select function_privs_are('private', 'import_dry_run_batch', array['public.contact_import_jobs', 'private.contact_import_plan[]', 'text', 'json'], 'service_role', array[]::text[],
  'service_role cannot execute private.import_dry_run_batch(...): only private.import_contacts_batch calls it, as its owner');
select function_privs_are('private', 'drop_dry_run_claims', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.drop_dry_run_claims()');
select function_privs_are('private', 'drop_dry_run_claims', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.drop_dry_run_claims()');
select function_privs_are('private', 'queue_upload_of_ended_import', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.queue_upload_of_ended_import()');
select function_privs_are('private', 'queue_upload_of_ended_import', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.queue_upload_of_ended_import()');
select function_privs_are('private', 'queue_uploads_of_deleted_imports', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.queue_uploads_of_deleted_imports()');
select function_privs_are('private', 'queue_uploads_of_deleted_imports', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.queue_uploads_of_deleted_imports()');
select function_privs_are('private', 'import_uploads_due', array['uuid', 'integer'], 'authenticated', array[]::text[],
  'authenticated cannot execute private.import_uploads_due(...): removing queued uploads is the service''s job');
select function_privs_are('private', 'import_uploads_due', array['uuid', 'integer'], 'service_role', array['EXECUTE'],
  'service_role can execute private.import_uploads_due(...)');
select function_privs_are('private', 'import_merged_metadata', array['text', 'jsonb', 'jsonb'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.import_merged_metadata(...)');
select function_privs_are('private', 'import_merged_metadata', array['text', 'jsonb', 'jsonb'], 'service_role', array['EXECUTE'],
  'service_role can execute private.import_merged_metadata(...)');
select function_privs_are('private', 'queue_unused_import_upload', array['uuid', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.queue_unused_import_upload(...)');
select function_privs_are('private', 'queue_unused_import_upload', array['uuid', 'text'], 'service_role', array['EXECUTE'],
  'service_role can execute private.queue_unused_import_upload(...)');
select function_privs_are('private', 'import_consent_applies', array['text', 'text', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.import_consent_applies(...)');
select function_privs_are('private', 'import_consent_applies', array['text', 'text', 'text'], 'service_role', array['EXECUTE'],
  'service_role can execute private.import_consent_applies(...)');
select function_privs_are('private', 'import_row_has_no_identifier', array['private.contact_import_row'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.import_row_has_no_identifier(...)');
select function_privs_are('private', 'import_row_has_no_identifier', array['private.contact_import_row'], 'service_role', array['EXECUTE'],
  'service_role can execute private.import_row_has_no_identifier(...)');
select function_privs_are('private', 'import_refusal', array['public.contact_import_jobs', 'private.contact_import_plan', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.import_refusal(...)');
select function_privs_are('private', 'import_refusal', array['public.contact_import_jobs', 'private.contact_import_plan', 'text'], 'service_role', array['EXECUTE'],
  'service_role can execute private.import_refusal(...)');
select function_privs_are('private', 'forget_moved_import_change', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.forget_moved_import_change()');
select function_privs_are('private', 'forget_moved_import_change', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.forget_moved_import_change()');
select function_privs_are('private', 'keep_anonymization_marker', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.keep_anonymization_marker()');
select function_privs_are('private', 'keep_anonymization_marker', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.keep_anonymization_marker()');
select function_privs_are('private', 'keep_audit_trail', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.keep_audit_trail()');
select function_privs_are('private', 'keep_audit_trail', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.keep_audit_trail()');
select function_privs_are('private', 'import_settle_batch', array['public.contact_import_jobs', 'private.contact_import_plan[]', 'text', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.import_settle_batch(...)');
select function_privs_are('private', 'import_settle_batch', array['public.contact_import_jobs', 'private.contact_import_plan[]', 'text', 'text'], 'service_role', array['EXECUTE'],
  'service_role can execute private.import_settle_batch(...)');

-- Data subject requests (gdpr-export, gdpr-delete): owners and the service, never anon.
select function_privs_are('public', 'export_subject_data', array['uuid', 'text', 'uuid'], 'anon', array[]::text[], 'anon cannot execute public.export_subject_data(uuid, text, uuid)');
select function_privs_are('public', 'export_subject_data', array['uuid', 'text', 'uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute public.export_subject_data(uuid, text, uuid)');
select function_privs_are('public', 'export_subject_data', array['uuid', 'text', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute public.export_subject_data(uuid, text, uuid)');
select function_privs_are('public', 'gdpr_delete_subject', array['uuid', 'text', 'text', 'uuid', 'uuid'], 'anon', array[]::text[], 'anon cannot execute public.gdpr_delete_subject(uuid, text, text, uuid, uuid)');
select function_privs_are('public', 'gdpr_delete_subject', array['uuid', 'text', 'text', 'uuid', 'uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute public.gdpr_delete_subject(uuid, text, text, uuid, uuid)');
select function_privs_are('public', 'gdpr_delete_subject', array['uuid', 'text', 'text', 'uuid', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute public.gdpr_delete_subject(uuid, text, text, uuid, uuid)');
select function_privs_are('public', 'verify_subject_erasure', array['text', 'uuid'], 'anon', array[]::text[], 'anon cannot execute public.verify_subject_erasure(text, uuid)');
select function_privs_are('public', 'verify_subject_erasure', array['text', 'uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute public.verify_subject_erasure(text, uuid)');
select function_privs_are('public', 'verify_subject_erasure', array['text', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute public.verify_subject_erasure(text, uuid)');
select function_privs_are('public', 'lift_contact_suppression', array['text', 'text', 'uuid'], 'anon', array[]::text[], 'anon cannot execute public.lift_contact_suppression(text, text, uuid)');
select function_privs_are('public', 'lift_contact_suppression', array['text', 'text', 'uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute public.lift_contact_suppression(text, text, uuid)');
select function_privs_are('public', 'lift_contact_suppression', array['text', 'text', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute public.lift_contact_suppression(text, text, uuid)');
select function_privs_are('private', 'data_subject_owner', array['uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.data_subject_owner(uuid)');
select function_privs_are('private', 'data_subject_owner', array['uuid'], 'service_role', array['EXECUTE'], 'service_role can execute private.data_subject_owner(uuid)');
select function_privs_are('private', 'channel_identifier_key', array['text', 'text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.channel_identifier_key(text, text)');
select function_privs_are('private', 'channel_identifier_key', array['text', 'text'], 'service_role', array['EXECUTE'], 'service_role can execute private.channel_identifier_key(text, text)');
select function_privs_are('private', 'channel_phone_number', array['text', 'text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.channel_phone_number(text, text)');
select function_privs_are('private', 'channel_phone_number', array['text', 'text'], 'service_role', array['EXECUTE'], 'service_role can execute private.channel_phone_number(text, text)');
select function_privs_are('private', 'channel_identifier_keys', array['text', 'text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.channel_identifier_keys(text, text)');
select function_privs_are('private', 'channel_identifier_keys', array['text', 'text'], 'service_role', array['EXECUTE'], 'service_role can execute private.channel_identifier_keys(text, text)');
select function_privs_are('private', 'channel_refusal_keys', array['text', 'text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.channel_refusal_keys(text, text)');
select function_privs_are('private', 'channel_refusal_keys', array['text', 'text'], 'service_role', array['EXECUTE'], 'service_role can execute private.channel_refusal_keys(text, text)');
select function_privs_are('private', 'channel_mailbox', array['text', 'text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.channel_mailbox(text, text)');
select function_privs_are('private', 'channel_mailbox', array['text', 'text'], 'service_role', array['EXECUTE'], 'service_role can execute private.channel_mailbox(text, text)');
select function_privs_are('private', 'suppression_keys', array['text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.suppression_keys(text[])');
select function_privs_are('private', 'suppression_keys', array['text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.suppression_keys(text[])');
select function_privs_are('private', 'subject_identifier_key', array['text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.subject_identifier_key(text)');
select function_privs_are('private', 'subject_identifier_key', array['text'], 'service_role', array['EXECUTE'], 'service_role can execute private.subject_identifier_key(text)');
select function_privs_are('private', 'data_subject_contact_ids', array['uuid', 'uuid', 'text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.data_subject_contact_ids(uuid, uuid, text)');
select function_privs_are('private', 'data_subject_contact_ids', array['uuid', 'uuid', 'text'], 'service_role', array['EXECUTE'], 'service_role can execute private.data_subject_contact_ids(uuid, uuid, text)');
select function_privs_are('private', 'is_suppressed', array['uuid', 'text', 'text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.is_suppressed(uuid, text, text)');
select function_privs_are('private', 'is_suppressed', array['uuid', 'text', 'text'], 'service_role', array['EXECUTE'], 'service_role can execute private.is_suppressed(uuid, text, text)');
select function_privs_are('private', 'reject_suppressed_channels', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.reject_suppressed_channels()');
select function_privs_are('private', 'reject_suppressed_channels', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.reject_suppressed_channels()');
select function_privs_are('private', 'record_suppression_lift', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.record_suppression_lift()');
select function_privs_are('private', 'record_suppression_lift', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.record_suppression_lift()');
select function_privs_are('private', 'subject_request_receipt', array['contact_subject_requests'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.subject_request_receipt(contact_subject_requests)');
select function_privs_are('private', 'subject_request_receipt', array['contact_subject_requests'], 'service_role', array['EXECUTE'], 'service_role can execute private.subject_request_receipt(contact_subject_requests)');
select function_privs_are('private', 'suppress_identifiers', array['uuid', 'text[]', 'uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.suppress_identifiers(uuid, text[], uuid)');
select function_privs_are('private', 'suppress_identifiers', array['uuid', 'text[]', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute private.suppress_identifiers(uuid, text[], uuid)');
select function_privs_are('private', 'record_subject_request', array['uuid', 'uuid', 'text', 'uuid[]', 'text[]', 'jsonb', 'uuid', 'jsonb'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.record_subject_request(uuid, uuid, text, uuid[], text[], jsonb, uuid, jsonb)');
select function_privs_are('private', 'record_subject_request', array['uuid', 'uuid', 'text', 'uuid[]', 'text[]', 'jsonb', 'uuid', 'jsonb'], 'service_role', array['EXECUTE'], 'service_role can execute private.record_subject_request(uuid, uuid, text, uuid[], text[], jsonb, uuid, jsonb)');
select function_privs_are('private', 'contact_data_sources', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_data_sources()');
select function_privs_are('private', 'contact_data_sources', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_data_sources()');
select function_privs_are('private', 'contact_reference_columns', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_reference_columns()');
select function_privs_are('private', 'contact_reference_columns', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_reference_columns()');
select function_privs_are('private', 'sum_counts', array['jsonb', 'jsonb'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.sum_counts(jsonb, jsonb)');
select function_privs_are('private', 'sum_counts', array['jsonb', 'jsonb'], 'service_role', array['EXECUTE'], 'service_role can execute private.sum_counts(jsonb, jsonb)');
select function_privs_are('private', 'wipe_contact_references', array['uuid[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.wipe_contact_references(uuid[])');
select function_privs_are('private', 'wipe_contact_references', array['uuid[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.wipe_contact_references(uuid[])');
select function_privs_are('private', 'owner_hmac', array['uuid', 'text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.owner_hmac(uuid, text)');
select function_privs_are('private', 'owner_hmac', array['uuid', 'text'], 'service_role', array['EXECUTE'], 'service_role can execute private.owner_hmac(uuid, text)');
select function_privs_are('private', 'owner_hmacs', array['uuid', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.owner_hmacs(uuid, text[])');
select function_privs_are('private', 'owner_hmacs', array['uuid', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.owner_hmacs(uuid, text[])');
select function_privs_are('private', 'contact_export', array['uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_export(uuid)');
select function_privs_are('private', 'contact_export', array['uuid'], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_export(uuid)');
select function_privs_are('private', 'contact_export_statement', array['integer'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_export_statement(integer)');
select function_privs_are('private', 'contact_export_statement', array['integer'], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_export_statement(integer)');
select function_privs_are('private', 'forget_traces', array['uuid', 'uuid', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.forget_traces(uuid, uuid, text[])');
select function_privs_are('private', 'forget_traces', array['uuid', 'uuid', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.forget_traces(uuid, uuid, text[])');
select function_privs_are('private', 'failed_imports_holding', array['uuid', 'uuid', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.failed_imports_holding(uuid, uuid, text[])');
select function_privs_are('private', 'failed_imports_holding', array['uuid', 'uuid', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.failed_imports_holding(uuid, uuid, text[])');
select function_privs_are('private', 'give_up_import_when_asked', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.give_up_import_when_asked() (its trigger fires when owners cancel or fail their jobs)');
select function_privs_are('private', 'give_up_import_when_asked', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.give_up_import_when_asked()');
select function_privs_are('private', 'forget_give_ups_of_deleted_imports', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.forget_give_ups_of_deleted_imports() (its trigger fires when owners delete their jobs)');
select function_privs_are('private', 'forget_give_ups_of_deleted_imports', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.forget_give_ups_of_deleted_imports()');
select function_privs_are('private', 'give_up_import_that_failed_meanwhile', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.give_up_import_that_failed_meanwhile() (its trigger fires when an owner''s erasure commits)');
select function_privs_are('private', 'give_up_import_that_failed_meanwhile', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.give_up_import_that_failed_meanwhile()');
select function_privs_are('private', 'channels_with_match_keys', array['uuid', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.channels_with_match_keys(uuid, text[])');
select function_privs_are('private', 'channels_with_match_keys', array['uuid', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.channels_with_match_keys(uuid, text[])');
select function_privs_are('private', 'blank_suppressed_values', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.blank_suppressed_values() (its trigger fires on report lines)');
select function_privs_are('private', 'blank_suppressed_values', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.blank_suppressed_values()');
select function_privs_are('private', 'dry_run_entry_mentions', array['jsonb', 'uuid', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.dry_run_entry_mentions(jsonb, uuid, text[])');
select function_privs_are('private', 'dry_run_entry_mentions', array['jsonb', 'uuid', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.dry_run_entry_mentions(jsonb, uuid, text[])');
select function_privs_are('private', 'mentions_whole', array['text', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.mentions_whole(text, text[])');
select function_privs_are('private', 'mentions_whole', array['text', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.mentions_whole(text, text[])');
select function_privs_are('private', 'contact_identifier_values', array['uuid', 'uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_identifier_values(uuid, uuid)');
select function_privs_are('private', 'contact_identifier_values', array['uuid', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_identifier_values(uuid, uuid)');
select function_privs_are('private', 'is_identifier_value', array['text', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.is_identifier_value(text, text[])');
select function_privs_are('private', 'is_identifier_value', array['text', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.is_identifier_value(text, text[])');
select function_privs_are('private', 'contact_import_report_lines', array['uuid', 'uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_import_report_lines(uuid, uuid)');
select function_privs_are('private', 'contact_import_report_lines', array['uuid', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_import_report_lines(uuid, uuid)');
select function_privs_are('private', 'contact_dry_run_entries', array['uuid', 'uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_dry_run_entries(uuid, uuid)');
select function_privs_are('private', 'contact_dry_run_entries', array['uuid', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_dry_run_entries(uuid, uuid)');
select function_privs_are('private', 'dry_run_entry_holds_identifier', array['jsonb', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.dry_run_entry_holds_identifier(jsonb, text[])');
select function_privs_are('private', 'dry_run_entry_holds_identifier', array['jsonb', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.dry_run_entry_holds_identifier(jsonb, text[])');
select function_privs_are('private', 'header_holds_identifier', array['jsonb', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.header_holds_identifier(jsonb, text[])');
select function_privs_are('private', 'header_holds_identifier', array['jsonb', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.header_holds_identifier(jsonb, text[])');
select function_privs_are('private', 'contact_import_headers', array['uuid', 'uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_import_headers(uuid, uuid)');
select function_privs_are('private', 'contact_import_headers', array['uuid', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_import_headers(uuid, uuid)');
select function_privs_are('private', 'search_query_key', array['text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.search_query_key(text)');
select function_privs_are('private', 'search_query_key', array['text'], 'service_role', array['EXECUTE'], 'service_role can execute private.search_query_key(text)');
select function_privs_are('private', 'search_query_forms', array['text[]', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.search_query_forms(text[], text[])');
select function_privs_are('private', 'search_query_forms', array['text[]', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.search_query_forms(text[], text[])');
select function_privs_are('private', 'contact_agent_searches', array['uuid', 'uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_agent_searches(uuid, uuid)');
select function_privs_are('private', 'contact_agent_searches', array['uuid', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_agent_searches(uuid, uuid)');
select function_privs_are('private', 'erase_mentions', array['text', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.erase_mentions(text, text[])');
select function_privs_are('private', 'erase_mentions', array['text', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.erase_mentions(text, text[])');
select function_privs_are('private', 'criteria_naming', array['jsonb', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.criteria_naming(jsonb, text[])');
select function_privs_are('private', 'criteria_naming', array['jsonb', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.criteria_naming(jsonb, text[])');
select function_privs_are('private', 'criteria_erased', array['jsonb', 'text[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.criteria_erased(jsonb, text[])');
select function_privs_are('private', 'criteria_erased', array['jsonb', 'text[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.criteria_erased(jsonb, text[])');
select function_privs_are('private', 'contact_groups_mentioning', array['uuid', 'uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_groups_mentioning(uuid, uuid)');
select function_privs_are('private', 'contact_groups_mentioning', array['uuid', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_groups_mentioning(uuid, uuid)');
select function_privs_are('private', 'identifier_channel_types', array['text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.identifier_channel_types(text)');
select function_privs_are('private', 'identifier_channel_types', array['text'], 'service_role', array['EXECUTE'], 'service_role can execute private.identifier_channel_types(text)');
select function_privs_are('private', 'identifier_key_aliases', array['text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.identifier_key_aliases(text)');
select function_privs_are('private', 'identifier_key_aliases', array['text'], 'service_role', array['EXECUTE'], 'service_role can execute private.identifier_key_aliases(text)');

select function_privs_are('private', 'record_contact_audit', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.record_contact_audit() (its statements fire the audit triggers)');
select function_privs_are('private', 'record_contact_audit', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.record_contact_audit()');
select function_privs_are('private', 'take_table_size_snapshot', array[]::text[], 'authenticated', array[]::text[],
  'authenticated cannot execute private.take_table_size_snapshot(): snapshots are the service''s and operators''');
select function_privs_are('private', 'take_table_size_snapshot', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role can execute private.take_table_size_snapshot()');

-- Consent history, duplicates and merging: owners (and their apps) and the service call the API; anon nothing.
select function_privs_are('public', 'find_duplicate_contacts', array['uuid', 'numeric', 'integer', 'numeric', 'uuid', 'uuid', 'uuid']::text[], 'anon', array[]::text[], 'anon cannot execute public.find_duplicate_contacts(...)');
select function_privs_are('public', 'find_duplicate_contacts', array['uuid', 'numeric', 'integer', 'numeric', 'uuid', 'uuid', 'uuid']::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute public.find_duplicate_contacts(...)');
select function_privs_are('public', 'find_duplicate_contacts', array['uuid', 'numeric', 'integer', 'numeric', 'uuid', 'uuid', 'uuid']::text[], 'service_role', array['EXECUTE'], 'service_role can execute public.find_duplicate_contacts(...)');
select function_privs_are('public', 'merge_contacts', array['uuid', 'uuid', 'jsonb', 'uuid']::text[], 'anon', array[]::text[], 'anon cannot execute public.merge_contacts(uuid, uuid, jsonb, uuid)');
select function_privs_are('public', 'merge_contacts', array['uuid', 'uuid', 'jsonb', 'uuid']::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute public.merge_contacts(uuid, uuid, jsonb, uuid)');
select function_privs_are('public', 'merge_contacts', array['uuid', 'uuid', 'jsonb', 'uuid']::text[], 'service_role', array['EXECUTE'], 'service_role can execute public.merge_contacts(uuid, uuid, jsonb, uuid)');
select function_privs_are('private', 'prepare_consent_event', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.prepare_consent_event()');
select function_privs_are('private', 'prepare_consent_event', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.prepare_consent_event()');
select function_privs_are('private', 'protect_consent_history', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.protect_consent_history()');
select function_privs_are('private', 'protect_consent_history', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.protect_consent_history()');
select function_privs_are('private', 'derive_channel_consent', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.derive_channel_consent()');
select function_privs_are('private', 'derive_channel_consent', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.derive_channel_consent()');
select function_privs_are('private', 'record_channel_consent_inserts', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.record_channel_consent_inserts()');
select function_privs_are('private', 'record_channel_consent_inserts', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.record_channel_consent_inserts()');
select function_privs_are('private', 'record_channel_consent_updates', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.record_channel_consent_updates()');
select function_privs_are('private', 'record_channel_consent_updates', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.record_channel_consent_updates()');
select function_privs_are('private', 'agent_can_message_on_channel', array['uuid', 'uuid', 'text', 'uuid']::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.agent_can_message_on_channel(uuid, uuid, text, uuid)');
select function_privs_are('private', 'agent_can_message_on_channel', array['uuid', 'uuid', 'text', 'uuid']::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.agent_can_message_on_channel(uuid, uuid, text, uuid)');
select function_privs_are('private', 'channel_match_key', array['text', 'text']::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.channel_match_key(text, text)');
select function_privs_are('private', 'channel_match_key', array['text', 'text']::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.channel_match_key(text, text)');
select function_privs_are('private', 'organization_match_key', array['text']::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.organization_match_key(text)');
select function_privs_are('private', 'organization_match_key', array['text']::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.organization_match_key(text)');
select function_privs_are('private', 'name_sound_key', array['text']::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.name_sound_key(text)');
select function_privs_are('private', 'name_sound_key', array['text']::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.name_sound_key(text)');
select function_privs_are('private', 'contact_name_block', array['text', 'text']::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_name_block(text, text)');
select function_privs_are('private', 'contact_name_block', array['text', 'text']::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_name_block(text, text)');
select function_privs_are('private', 'set_contact_name_block', array[]::text[], 'authenticated', array[]::text[],
  'authenticated cannot execute private.set_contact_name_block(): it runs only as a trigger of public.contacts, which needs no execute grant');
select function_privs_are('private', 'set_contact_name_block', array[]::text[], 'service_role', array[]::text[],
  'service_role cannot execute private.set_contact_name_block(): it runs only as a trigger of public.contacts, which needs no execute grant');
select function_privs_are('private', 'duplicate_contact_pairs', array['uuid', 'uuid', 'numeric', 'integer', 'numeric', 'uuid', 'uuid']::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.duplicate_contact_pairs(...)');
select function_privs_are('private', 'duplicate_contact_pairs', array['uuid', 'uuid', 'numeric', 'integer', 'numeric', 'uuid', 'uuid']::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.duplicate_contact_pairs(...)');
select function_privs_are('private', 'merge_contact_pair', array['uuid', 'uuid', 'jsonb', 'uuid']::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.merge_contact_pair(uuid, uuid, jsonb, uuid)');
select function_privs_are('private', 'merge_contact_pair', array['uuid', 'uuid', 'jsonb', 'uuid']::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.merge_contact_pair(uuid, uuid, jsonb, uuid)');

select function_privs_are('private', 'track_shared_channel_keys', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.track_shared_channel_keys()');
select function_privs_are('private', 'track_shared_channel_keys', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.track_shared_channel_keys()');
select function_privs_are('private', 'track_shared_contact_keys', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.track_shared_contact_keys()');
select function_privs_are('private', 'track_shared_contact_keys', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.track_shared_contact_keys()');
select function_privs_are('private', 'shared_contact_keys', array['uuid[]', 'bigint[]', 'text[]'], 'authenticated', array[]::text[],
  'authenticated cannot execute private.shared_contact_keys(uuid[], bigint[], text[]): only private.track_shared_contact_keys calls it, as its owner');
select function_privs_are('private', 'shared_contact_keys', array['uuid[]', 'bigint[]', 'text[]'], 'service_role', array[]::text[],
  'service_role cannot execute private.shared_contact_keys(uuid[], bigint[], text[]): only private.track_shared_contact_keys calls it, as its owner');

-- Generic rules: nothing executable by anon, nothing granted to PUBLIC (which anon inherits).
select is_empty($$
  select p.oid::regprocedure
  from pg_catalog.pg_proc p
  where p.pronamespace = 'public'::regnamespace and has_function_privilege('anon', p.oid, 'execute')
$$, 'anon can execute no function in public');

select is_empty($$
  select p.oid::regprocedure
  from pg_catalog.pg_proc p
  where p.pronamespace = 'private'::regnamespace and has_function_privilege('anon', p.oid, 'execute')
$$, 'anon can execute no function in private');

select is_empty($$
  select p.oid::regprocedure
  from pg_catalog.pg_proc p
  cross join lateral aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) as acl
  where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace) and acl.grantee = 0
$$, 'no function in public or private is executable by PUBLIC: execute is granted role by role');

-- ============================================================================================
-- Persona: anon (no token)
-- ============================================================================================
select tests.clear_authentication();
select throws_ok($$ select private.current_agent_id() $$, '42501', 'permission denied for schema private',
  'anon cannot resolve anything in schema private');

select * from finish();
rollback;
