-- Schema: every function in public and private, by full signature, with its security mode, its
-- return type where it is an API, and a pinned search_path everywhere. Definer rights only in
-- private, and only for the three helpers that need them. Catalog assertions only: no personas.
begin;
select plan(42);

select functions_are('public', array[
  'is_valid_email', 'is_valid_e164_phone', 'is_valid_smart_group_criteria', 'contact_group_member_ids',
  'search_contacts_for_agent', 'export_contact_data_for_subject', 'gdpr_delete_contact', 'apply_retention_policies'
], 'public holds exactly the eight API and validation functions');

select functions_are('private', array[
  'set_updated_at', 'normalize_channel_identifier', 'current_agent_id', 'fill_contact_display_name',
  'prepare_contact_channel', 'prevent_contact_group_cycle', 'require_static_group', 'require_specific_contacts_grant',
  'track_interaction_delivery', 'check_import_job_transition', 'permission_level_rank', 'contact_matches_criteria',
  'contact_in_group', 'agent_can_access_contact', 'search_contact_candidates', 'forbid_agent_tokens', 'anonymize_contacts',
  'is_service_caller', 'record_agent_search', 'protect_legal_hold', 'owner_hmac', 'forget_contact_traces'
], 'private holds exactly the twenty-two trigger and helper functions');

-- public: every function runs with the caller's rights (RLS applies).
select isnt_definer('public', 'is_valid_email', array['text'], 'public.is_valid_email(text) is security invoker');
select isnt_definer('public', 'is_valid_e164_phone', array['text'], 'public.is_valid_e164_phone(text) is security invoker');
select isnt_definer('public', 'is_valid_smart_group_criteria', array['jsonb'], 'public.is_valid_smart_group_criteria(jsonb) is security invoker');
select isnt_definer('public', 'contact_group_member_ids', array['uuid', 'boolean'], 'public.contact_group_member_ids(uuid, boolean) is security invoker');
select isnt_definer('public', 'search_contacts_for_agent', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid'],
  'public.search_contacts_for_agent(...) is security invoker');
select isnt_definer('public', 'export_contact_data_for_subject', array['uuid'], 'public.export_contact_data_for_subject(uuid) is security invoker');
select isnt_definer('public', 'gdpr_delete_contact', array['uuid', 'text'], 'public.gdpr_delete_contact(uuid, text) is security invoker');
select isnt_definer('public', 'apply_retention_policies', array['boolean', 'uuid'], 'public.apply_retention_policies(boolean, uuid) is security invoker');

-- private: four definer helpers, everything else invoker.
select is_definer('private', 'contact_in_group', array['uuid', 'uuid'],
  'private.contact_in_group(uuid, uuid) is security definer (reads memberships RLS hides from agent tokens)');
select is_definer('private', 'agent_can_access_contact', array['uuid', 'uuid', 'text', 'text'],
  'private.agent_can_access_contact(uuid, uuid, text, text) is security definer (reads grants from inside policies)');
select is_definer('private', 'search_contact_candidates', array['uuid', 'text', 'text[]', 'uuid'],
  'private.search_contact_candidates(uuid, text, text[], uuid) is security definer (index-driven candidates, authorizes its caller)');
select is_definer('private', 'record_agent_search', array['uuid', 'text', 'integer'],
  'private.record_agent_search(uuid, text, integer) is security definer (callers cannot write the access log themselves)');
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
select isnt_definer('private', 'check_import_job_transition', array[]::text[], 'private.check_import_job_transition() is security invoker');
select isnt_definer('private', 'permission_level_rank', array['text'], 'private.permission_level_rank(text) is security invoker');
select isnt_definer('private', 'contact_matches_criteria', array['contacts', 'jsonb'], 'private.contact_matches_criteria(contacts, jsonb) is security invoker');
select isnt_definer('private', 'forbid_agent_tokens', array['text'], 'private.forbid_agent_tokens(text) is security invoker');
select isnt_definer('private', 'anonymize_contacts', array['uuid[]'], 'private.anonymize_contacts(uuid[]) is security invoker');

-- Return types of the API.
select function_returns('public', 'search_contacts_for_agent', array['uuid', 'text', 'text[]', 'uuid', 'integer', 'numeric', 'uuid'],
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

select is_empty($$
  select p.oid::regprocedure
  from pg_catalog.pg_proc p
  where p.prosecdef and p.pronamespace = 'public'::regnamespace
$$, 'no security definer function lives in the exposed schema public: definer rights are confined to private');

select set_eq($$
  select p.proname::text || ':' || case p.provolatile when 's' then 'stable' when 'i' then 'immutable' else 'volatile' end
  from pg_catalog.pg_proc p
  where p.prosecdef and p.pronamespace = 'private'::regnamespace
$$, array['contact_in_group:stable', 'agent_can_access_contact:stable', 'search_contact_candidates:stable', 'record_agent_search:volatile',
  'owner_hmac:volatile', 'forget_contact_traces:volatile'],
  'the security definer helpers in private only read (stable), except those that append to the access log, create an owner key, or erase traces');

select * from finish();
rollback;
