begin;
select plan(7);

-- The audit log holds names of columns, never their values: after an owner creates, edits and
-- deletes contacts, channels, groups, grants and import jobs full of personal data, a scan of
-- every audit row (all columns, as text) finds none of the values of any text-like column of the
-- audited rows, before or after their changes. Generic checks over the whole log back it up:
-- every recorded column name is a real column of the recorded table.

-- ============================================================================================
-- Setup (superuser): made-up, distinctive personal data.
-- ============================================================================================
select tests.create_supabase_user('pii_owner');
insert into public.agents (id, user_id, name) values
  ('a0810000-0000-4000-8000-000000000001', tests.get_supabase_uid('pii_owner'), 'Quillfeather assistant');

-- ============================================================================================
-- Persona: owner (authenticated) writes personal data into every audited table.
-- ============================================================================================
select tests.authenticate_as('pii_owner');

insert into public.contacts (first_name, last_name, organization, job_title, metadata, tags, external_id)
values ('Zorbulon', 'Quillfeather', 'Quillfeather Amalgamated', 'Chief Zorbulon Officer',
        '{"nickname": "Zorby Q", "birthday": "1971-07-13"}', array['quillfeather-vip'], 'crm-zorbulon-77');
insert into public.contact_communication_channels (contact_id, channel_type, identifier, label, consent_status, consent_source)
select c.id, 'email', 'Zorbulon.Quillfeather@example.test', 'zorbulon private', 'granted', 'signed form of Zorbulon'
from public.contacts c where c.external_id = 'crm-zorbulon-77';
insert into public.contact_communication_channels (contact_id, channel_type, identifier)
select c.id, 'phone', '+44 7700 900777' from public.contacts c where c.external_id = 'crm-zorbulon-77';
-- A second address, without consent history, so that its address may change below.
insert into public.contact_communication_channels (contact_id, channel_type, identifier)
select c.id, 'email', 'zorby.work@example.test' from public.contacts c where c.external_id = 'crm-zorbulon-77';
insert into public.contact_groups (name, description) values ('Quillfeather family', 'Relatives of Zorbulon');
insert into public.contact_group_memberships (group_id, contact_id)
select g.id, c.id from public.contact_groups g, public.contacts c
where g.name = 'Quillfeather family' and c.external_id = 'crm-zorbulon-77';
insert into public.agent_contact_permissions (agent_id, permission_type)
values ('a0810000-0000-4000-8000-000000000001', 'specific_contacts');
insert into public.agent_specific_contact_access (permission_id, agent_id, contact_id)
select p.id, p.agent_id, c.id from public.agent_contact_permissions p, public.contacts c
where p.agent_id = 'a0810000-0000-4000-8000-000000000001' and c.external_id = 'crm-zorbulon-77';
select private.create_import_job(tests.get_supabase_uid('pii_owner'), 'zorbulon-quillfeather-contacts.csv', 1, repeat('a', 64),
  'imports/' || tests.get_supabase_uid('pii_owner') || '/zorbulon-quillfeather.csv', 'upload', '{}', '{}', false, 1, false);

-- The values before the changes, for the scan: every text-like value of the owner's rows.
reset role;
create temporary table personal_values as
  select distinct v.value
  from (
    select to_jsonb(c) - 'search_vector' as doc from public.contacts c where c.user_id = tests.get_supabase_uid('pii_owner')
    union all select to_jsonb(ch) from public.contact_communication_channels ch where ch.user_id = tests.get_supabase_uid('pii_owner')
    union all select to_jsonb(g) from public.contact_groups g where g.user_id = tests.get_supabase_uid('pii_owner')
    union all select to_jsonb(j) from public.contact_import_jobs j where j.user_id = tests.get_supabase_uid('pii_owner')
  ) as rows
  cross join lateral jsonb_each(rows.doc) as e (key, value)
  cross join lateral (
    select x.value from jsonb_array_elements_text(case when jsonb_typeof(e.value) = 'array' then e.value end) as x (value)
    union all select x.value from jsonb_each_text(case when jsonb_typeof(e.value) = 'object' then e.value end) as x
    union all select e.value #>> '{}' where jsonb_typeof(e.value) = 'string'
  ) as v
  where e.key in ('first_name', 'last_name', 'display_name', 'organization', 'job_title', 'metadata', 'tags', 'external_id',
                  'identifier', 'normalized_identifier', 'label', 'consent_source', 'name', 'description', 'file_name', 'storage_path');
grant select on personal_values to authenticated;

select tests.authenticate_as('pii_owner');
update public.contacts set first_name = 'Xanthippa', job_title = 'Zorbulon Emeritus', metadata = '{"nickname": "Xan"}'
where external_id = 'crm-zorbulon-77';
update public.contact_communication_channels set identifier = 'xanthippa.quillfeather@example.test', label = 'xanthippa home'
where channel_type = 'email' and consent_status = 'unknown';
update public.contact_groups set description = 'Friends of Xanthippa' where name = 'Quillfeather family';
delete from public.contact_communication_channels where channel_type = 'phone';

reset role;
insert into personal_values values ('Xanthippa'), ('Zorbulon Emeritus'), ('Xan'), ('xanthippa.quillfeather@example.test'),
  ('xanthippa home'), ('Friends of Xanthippa');

-- ============================================================================================
-- Persona: owner reads the trail; the scan runs over every column of every row of it.
-- ============================================================================================
select tests.authenticate_as('pii_owner');

select ok((select count(*) from public.contact_audit_log) >= 10,
  'the owner''s changes were recorded (at least ten audit rows)');
select ok((select count(*) from personal_values) >= 20,
  'the scan has the owner''s personal values to look for (names, e-mail, phone, metadata, tags, groups, file names)');
select is_empty($$
  select l.id, pv.value
  from public.contact_audit_log l
  join personal_values pv on strpos(lower(to_jsonb(l)::text), lower(pv.value)) > 0
$$, 'no value of any personal column (before or after an update) appears anywhere in the owner''s audit rows');
select is_empty($$
  select l.id from public.contact_audit_log l
  where to_jsonb(l)::text ~* '(zorbulon|quillfeather|xanthippa|7700 ?900 ?777|@example\.test)'
$$, 'a scan for fragments of the names, the e-mail domain and the phone number finds nothing either');

-- ============================================================================================
-- The whole log (superuser): only names, never values.
-- ============================================================================================
reset role;
select is_empty($$
  select l.id, l.table_name, x.name
  from public.contact_audit_log l
  cross join unnest(l.changed_columns) as x (name)
  where not exists (
    select 1 from pg_catalog.pg_attribute a
    where a.attrelid = to_regclass('public.' || quote_ident(l.table_name)) and a.attname = x.name and a.attnum > 0)
$$, 'every name in changed_columns, in the whole log, is a column of the table the row names');
select is_empty($$
  select l.id from public.contact_audit_log l where to_regclass('public.' || quote_ident(l.table_name)) is null
$$, 'every table_name in the log is a table of public');
select is_empty($$
  select l.id from public.contact_audit_log l
  where l.action not in ('insert', 'update', 'delete') or l.actor_role !~ '^[a-z_][a-z0-9_]*$'
$$, 'actions and actor roles are words from a closed vocabulary, never free text');

select * from finish();
rollback;
