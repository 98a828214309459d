-- Schema: table, column and sequence privileges. anon holds nothing on any public table or
-- sequence; authenticated reads and deletes through RLS and writes named columns only, never ids,
-- owners, timestamps or derived columns; service_role holds everything but writes to the audit log.
begin;
select plan(62);

-- anon
select is_empty($$
  select c.relname, p.privilege
  from pg_catalog.pg_class c
  cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) as p (privilege)
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
    and has_table_privilege('anon', c.oid, p.privilege)
$$, 'anon holds no privilege on any table or view in public');

select is_empty($$
  select c.relname, a.attname, p.privilege
  from pg_catalog.pg_class c
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']) as p (privilege)
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
    and has_column_privilege('anon', c.oid, a.attnum, p.privilege)
$$, 'anon holds no column privilege on any table or view in public');

select is_empty($$
  select c.relname, p.privilege
  from pg_catalog.pg_class c
  cross join unnest(array['USAGE', 'SELECT', 'UPDATE']) as p (privilege)
  where c.relnamespace = 'public'::regnamespace and c.relkind = 'S'
    and has_sequence_privilege('anon', c.oid, p.privilege)
$$, 'anon holds no privilege on any sequence in public (it could otherwise call nextval or setval)');

select is_empty($$
  select c.relname, p.privilege
  from pg_catalog.pg_class c
  cross join unnest(array['USAGE', 'SELECT', 'UPDATE']) as p (privilege)
  where c.relnamespace = 'public'::regnamespace and c.relkind = 'S'
    and has_sequence_privilege('authenticated', c.oid, p.privilege)
$$, 'authenticated holds no privilege on any sequence in public (identity columns need none; setval would break them)');

-- authenticated: never ids, owners, timestamps or derived columns.
select is_empty($$
  select c.relname, a.attname, p.privilege
  from pg_catalog.pg_class c
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and not a.attisdropped
    and a.attname in ('id', 'user_id', 'created_at', 'updated_at')
  cross join unnest(array['INSERT', 'UPDATE']) as p (privilege)
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and has_column_privilege('authenticated', c.oid, a.attnum, p.privilege)
$$, 'authenticated cannot insert or update id, user_id, created_at or updated_at on any public table');

select is_empty($$
  select c.relname, a.attname, p.privilege
  from pg_catalog.pg_class c
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and not a.attisdropped
  cross join unnest(array['INSERT', 'UPDATE']) as p (privilege)
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and (c.relname, a.attname) in (
      ('contacts', 'search_vector'),
      ('contact_communication_channels', 'normalized_identifier'), ('contact_communication_channels', 'verified_at'),
      ('contact_communication_channels', 'consent_updated_at'), ('contact_communication_channels', 'vault_secret_id'),
      ('contact_interactions', 'queued_at'), ('contact_interactions', 'sent_at'), ('contact_interactions', 'delivered_at'),
      ('contact_interactions', 'read_at'), ('contact_interactions', 'failed_at'),
      ('contact_import_jobs', 'started_at'), ('contact_import_jobs', 'completed_at'))
    and has_column_privilege('authenticated', c.oid, a.attnum, p.privilege)
$$, 'authenticated cannot write the columns triggers derive: search vector, normalized identifier, lifecycle and consent timestamps, vault ids');

select is_empty($$
  select c.relname, p.privilege
  from pg_catalog.pg_class c
  cross join unnest(array['TRUNCATE', 'REFERENCES', 'TRIGGER']) as p (privilege)
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and has_table_privilege('authenticated', c.oid, p.privilege)
$$, 'authenticated cannot truncate, reference or add triggers to any public table');

-- authenticated: table-level privileges (insert and update are column-level only).
select table_privs_are('public', 'agents', 'authenticated', array['SELECT', 'DELETE'], 'authenticated holds select and delete on agents, insert and update on named columns only');
select table_privs_are('public', 'contacts', 'authenticated', array['SELECT', 'DELETE'], 'authenticated holds select and delete on contacts, insert and update on named columns only');
select table_privs_are('public', 'contact_communication_channels', 'authenticated', array['SELECT', 'DELETE'], 'authenticated holds select and delete on channels, insert and update on named columns only');
select table_privs_are('public', 'contact_groups', 'authenticated', array['SELECT', 'DELETE'], 'authenticated holds select and delete on groups, insert and update on named columns only');
select table_privs_are('public', 'contact_group_memberships', 'authenticated', array['SELECT', 'DELETE'], 'authenticated holds select and delete on memberships, insert on named columns only');
select table_privs_are('public', 'agent_contact_permissions', 'authenticated', array['SELECT', 'DELETE'], 'authenticated holds select and delete on grants, insert and update on named columns only');
select table_privs_are('public', 'agent_specific_contact_access', 'authenticated', array['SELECT', 'DELETE'], 'authenticated holds select and delete on specific contact access, insert on named columns only');
select table_privs_are('public', 'contact_interactions', 'authenticated', array['SELECT', 'DELETE'], 'authenticated holds select and delete on interactions, insert and update on named columns only');
select table_privs_are('public', 'contact_import_jobs', 'authenticated', array['SELECT', 'DELETE'], 'authenticated holds select and delete on import jobs, and updates named columns only');
select table_privs_are('public', 'contact_import_job_errors', 'authenticated', array['SELECT'], 'authenticated holds select on import error rows and nothing else: the import writes them');
select table_privs_are('public', 'contact_import_changes', 'authenticated', array['SELECT'], 'authenticated holds select on import change rows and nothing else: the import functions write them');
select table_privs_are('public', 'contact_retention_policies', 'authenticated', array['SELECT', 'DELETE'], 'authenticated holds select and delete on retention policies, insert and update on named columns only');
select table_privs_are('public', 'agent_contact_access_log', 'authenticated', array['SELECT'], 'authenticated holds select on the access log and nothing else: it is append-only evidence');
select table_privs_are('public', 'contact_audit_log', 'authenticated', array['SELECT'], 'authenticated holds select on the audit log and nothing else: only the audit triggers write it');

select table_privs_are('public', 'contact_subject_requests', 'authenticated', array['SELECT'], 'authenticated holds select on data subject requests and nothing else: receipts are append-only');
select table_privs_are('public', 'contact_privacy_settings', 'authenticated', array['SELECT', 'DELETE'], 'authenticated holds select and delete on privacy settings, insert and update on named columns only');
select table_privs_are('public', 'contact_interaction_statistics', 'authenticated', array['SELECT'], 'authenticated holds select on interaction statistics and nothing else');
select table_privs_are('public', 'contact_suppressions', 'authenticated', array['SELECT'], 'authenticated holds select on suppressions and updates one column only (the lift)');
select table_privs_are('public', 'contact_consent_events', 'authenticated', array['SELECT'], 'authenticated holds select on consent history and inserts named columns only: history is never updated or deleted');
select table_privs_are('public', 'contact_merges', 'authenticated', array['SELECT'], 'authenticated holds select on merge records and nothing else: merge_contacts writes them');

-- authenticated: exactly which columns a client writes.
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.agents'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array['name', 'description', 'is_active', 'metadata'], 'authenticated inserts exactly name, description, is_active and metadata of an agent');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.agents'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array['name', 'description', 'is_active', 'metadata'], 'authenticated updates exactly name, description, is_active and metadata of an agent');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contacts'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array['first_name', 'last_name', 'display_name', 'organization', 'job_title', 'metadata', 'tags', 'status', 'source', 'external_id'],
  'authenticated inserts exactly the name, organization, metadata, tags, status, source and external id of a contact (no legal hold)');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contacts'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array['first_name', 'last_name', 'display_name', 'organization', 'job_title', 'metadata', 'tags', 'status', 'external_id', 'legal_hold', 'legal_hold_reason'],
  'authenticated updates exactly the personal fields, status, external id and legal hold of a contact (never its source)');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_communication_channels'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array['contact_id', 'channel_type', 'identifier', 'label', 'is_primary', 'is_verified', 'consent_status', 'consent_source', 'metadata'],
  'authenticated inserts exactly the contact, type, identifier, label, flags, consent and metadata of a channel');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_communication_channels'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array['identifier', 'label', 'is_primary', 'is_verified', 'consent_status', 'consent_source', 'metadata'],
  'authenticated updates a channel''s identifier, label, flags, consent and metadata, never its contact or type');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_groups'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array['name', 'description', 'group_type', 'criteria', 'parent_group_id'],
  'authenticated inserts exactly the name, description, type, criteria and parent of a group');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_groups'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array['name', 'description', 'criteria', 'parent_group_id'],
  'authenticated updates a group''s name, description, criteria and parent, never its type');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_group_memberships'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array['group_id', 'contact_id'], 'authenticated inserts exactly the group and contact of a membership');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_group_memberships'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array[]::text[], 'authenticated updates no column of a membership');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.agent_contact_permissions'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array['agent_id', 'permission_type', 'group_id', 'permission_level', 'allowed_channel_types', 'valid_from', 'valid_until'],
  'authenticated inserts exactly the agent, type, group, level, channel types and window of a grant');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.agent_contact_permissions'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array['permission_level', 'allowed_channel_types', 'valid_from', 'valid_until'],
  'authenticated updates a grant''s level, channel types and window, never its agent, type or group');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.agent_specific_contact_access'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array['permission_id', 'agent_id', 'contact_id'], 'authenticated inserts exactly the grant, agent and contact of a specific contact access');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.agent_specific_contact_access'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array[]::text[], 'authenticated updates no column of a specific contact access');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_interactions'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array['contact_id', 'agent_id', 'channel_id', 'channel_type', 'interaction_type', 'direction', 'subject', 'content', 'summary',
        'delivery_status', 'error_code', 'error_message', 'metadata', 'occurred_at'],
  'authenticated inserts an interaction''s references, type, direction, texts, status, error and time, never its lifecycle timestamps');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_interactions'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array['subject', 'content', 'summary', 'delivery_status', 'error_code', 'error_message', 'metadata'],
  'authenticated updates an interaction''s texts, status, error and metadata, never its contact, agent, channel or time');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_import_jobs'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array[]::text[], 'authenticated inserts no import job: jobs come from private.create_import_job only');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_import_jobs'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array['status', 'error_summary'],
  'authenticated updates an import job''s status and error summary (cancel, resume), never its counts, file or timestamps');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_import_job_errors'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array[]::text[], 'authenticated inserts no import error row: the import writes the report');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_import_job_errors'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array[]::text[], 'authenticated updates no column of an import error row');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_retention_policies'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array['data_class', 'action', 'retain_days', 'is_enabled', 'suppress_identifiers'],
  'authenticated inserts exactly the class, action, days, switch and suppression choice of a retention policy');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_retention_policies'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array['action', 'retain_days', 'is_enabled', 'suppress_identifiers'],
  'authenticated updates a retention policy''s action, days, switch and suppression choice, never its class');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.agent_contact_access_log'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array[]::text[], 'authenticated inserts no column of the access log (only search_contacts_for_agent writes it)');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.agent_contact_access_log'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array[]::text[], 'authenticated updates no column of the access log');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_audit_log'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array[]::text[], 'authenticated inserts no column of the audit log');

select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_privacy_settings'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array['keep_interaction_statistics'], 'authenticated inserts exactly the statistics choice of its privacy settings');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_privacy_settings'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array['keep_interaction_statistics'], 'authenticated updates exactly the statistics choice of its privacy settings');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_suppressions'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array[]::text[], 'authenticated inserts no column of a suppression (erasure adds them)');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_suppressions'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array['lift_reason'], 'authenticated updates exactly the lift reason of a suppression (setting it lifts it; the trigger stamps when and who)');

select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_consent_events'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array['channel_id', 'status', 'source', 'source_ref', 'proof_reference', 'occurred_at'],
  'authenticated inserts a consent event''s channel, decision, source, reference, proof and time; its contact, type and actor come from the channel and the token');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_consent_events'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE') $$,
  array[]::text[], 'authenticated updates no column of a consent event: history is never overwritten');
select set_eq($$ select a.attname::text from pg_catalog.pg_attribute a where a.attrelid = 'public.contact_merges'::regclass and a.attnum > 0 and not a.attisdropped and has_column_privilege('authenticated', a.attrelid, a.attnum, 'INSERT') $$,
  array[]::text[], 'authenticated inserts no merge record (only merge_contacts writes them)');

-- service_role
select set_eq($$
  select c.relname::text || ' ' || p.privilege
  from pg_catalog.pg_class c
  cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) as p (privilege)
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and not has_table_privilege('service_role', c.oid, p.privilege)
$$, array['contact_audit_log INSERT', 'contact_audit_log TRUNCATE'],
  'service_role holds every privilege on every public table but inserting into and truncating the audit log, which only its triggers write');

-- ============================================================================================
-- Persona: owner (authenticated) -- column grants hold in practice, not just in the catalog
-- ============================================================================================
do $$ begin perform tests.create_supabase_user('privileges_owner'); end $$;
select tests.authenticate_as('privileges_owner');

select throws_ok($$ insert into public.contacts (user_id, first_name) values ('00000000-0000-4000-8000-000000000007', 'Mallory') $$,
  '42501', 'permission denied for table contacts',
  'an owner cannot choose the user_id of a new contact');
select throws_ok($$ update public.contacts set created_at = now() - interval '1 year' $$,
  '42501', 'permission denied for table contacts',
  'an owner cannot rewrite the created_at of a contact');

select * from finish();
rollback;
