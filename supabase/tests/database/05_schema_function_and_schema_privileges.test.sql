-- Schema: who may execute what. Every public function is granted by full signature to exactly the
-- roles that call it (anon to none), every private function to authenticated and service_role
-- only, and anon cannot even resolve names in the private schema.
begin;
select plan(69);

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
select function_privs_are('public', 'search_contacts_for_agent', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid'], 'anon', array[]::text[],
  'anon cannot execute public.search_contacts_for_agent(...)');
select function_privs_are('public', 'search_contacts_for_agent', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid'], 'authenticated', array['EXECUTE'],
  'authenticated can execute public.search_contacts_for_agent(...)');
select function_privs_are('public', 'search_contacts_for_agent', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid'], 'service_role', array['EXECUTE'],
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
select function_privs_are('private', 'check_import_job_transition', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.check_import_job_transition()');
select function_privs_are('private', 'check_import_job_transition', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.check_import_job_transition()');
select function_privs_are('private', 'permission_level_rank', array['text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.permission_level_rank(text)');
select function_privs_are('private', 'permission_level_rank', array['text'], 'service_role', array['EXECUTE'], 'service_role can execute private.permission_level_rank(text)');
select function_privs_are('private', 'contact_matches_criteria', array['contacts', 'jsonb'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_matches_criteria(contacts, jsonb)');
select function_privs_are('private', 'contact_matches_criteria', array['contacts', 'jsonb'], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_matches_criteria(contacts, jsonb)');
select function_privs_are('private', 'contact_in_group', array['uuid', 'uuid'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.contact_in_group(uuid, uuid)');
select function_privs_are('private', 'contact_in_group', array['uuid', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can execute private.contact_in_group(uuid, uuid)');
select function_privs_are('private', 'agent_can_access_contact', array['uuid', 'uuid', 'text', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.agent_can_access_contact(uuid, uuid, text, text)');
select function_privs_are('private', 'agent_can_access_contact', array['uuid', 'uuid', 'text', 'text'], 'service_role', array['EXECUTE'],
  'service_role can execute private.agent_can_access_contact(uuid, uuid, text, text)');
select function_privs_are('private', 'search_contact_candidates', array['uuid', 'text', 'text[]', 'uuid'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.search_contact_candidates(uuid, text, text[], uuid)');
select function_privs_are('private', 'search_contact_candidates', array['uuid', 'text', 'text[]', 'uuid'], 'service_role', array['EXECUTE'],
  'service_role can execute private.search_contact_candidates(uuid, text, text[], uuid)');
select function_privs_are('private', 'forbid_agent_tokens', array['text'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.forbid_agent_tokens(text)');
select function_privs_are('private', 'forbid_agent_tokens', array['text'], 'service_role', array['EXECUTE'], 'service_role can execute private.forbid_agent_tokens(text)');
select function_privs_are('private', 'anonymize_contacts', array['uuid[]'], 'authenticated', array['EXECUTE'], 'authenticated can execute private.anonymize_contacts(uuid[])');
select function_privs_are('private', 'anonymize_contacts', array['uuid[]'], 'service_role', array['EXECUTE'], 'service_role can execute private.anonymize_contacts(uuid[])');
select function_privs_are('private', 'is_service_caller', array[]::text[], 'authenticated', array['EXECUTE'], 'authenticated can execute private.is_service_caller()');
select function_privs_are('private', 'is_service_caller', array[]::text[], 'service_role', array['EXECUTE'], 'service_role can execute private.is_service_caller()');
select function_privs_are('private', 'record_agent_search', array['uuid', 'text', 'integer'], 'authenticated', array['EXECUTE'],
  'authenticated can execute private.record_agent_search(uuid, text, integer)');
select function_privs_are('private', 'record_agent_search', array['uuid', 'text', 'integer'], 'service_role', array['EXECUTE'],
  'service_role can execute private.record_agent_search(uuid, text, integer)');

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
