begin;
select plan(32);

-- export_subject_data (gdpr-export's entry point): a data subject named by contact id or by an
-- identifier (e-mail, phone in any separator format) gets every row about every matching contact,
-- from every table the catalog shows referencing a contact, a table created a moment ago included;
-- nothing about other contacts or owners. Each export is recorded without personal data. Only
-- owners, and the service naming an owner, may export.

-- ============================================================================================
-- Setup (superuser). Owner: Erin (two contacts sharing a phone number, one as phone, one as
-- WhatsApp), Sam (a sibling). Another owner: Olga, with the same phone number.
-- ============================================================================================
select tests.create_supabase_user('export60_owner');
select tests.create_supabase_user('export60_other');

insert into public.contacts (id, user_id, first_name, last_name, organization) values
  ('c0600000-0000-4000-8000-000000000001', tests.get_supabase_uid('export60_owner'), 'Erin', 'Quillfeather', 'Quill Ltd'),
  ('c0600000-0000-4000-8000-000000000002', tests.get_supabase_uid('export60_owner'), 'Erin Q.', 'Personal', null),
  ('c0600000-0000-4000-8000-000000000003', tests.get_supabase_uid('export60_owner'), 'Sam', 'Sibling', null),
  ('c0600000-0000-4000-8000-000000000099', tests.get_supabase_uid('export60_other'), 'Olga', 'Outsider', null);
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier) values
  ('d0600000-0000-4000-8000-000000000011', tests.get_supabase_uid('export60_owner'), 'c0600000-0000-4000-8000-000000000001', 'email', 'Erin.Quill@example.test'),
  ('d0600000-0000-4000-8000-000000000012', tests.get_supabase_uid('export60_owner'), 'c0600000-0000-4000-8000-000000000001', 'phone', '+44 7700 900601'),
  ('d0600000-0000-4000-8000-000000000021', tests.get_supabase_uid('export60_owner'), 'c0600000-0000-4000-8000-000000000002', 'whatsapp', '+447700900601'),
  ('d0600000-0000-4000-8000-000000000031', tests.get_supabase_uid('export60_owner'), 'c0600000-0000-4000-8000-000000000003', 'email', 'sam.sibling@example.test'),
  ('d0600000-0000-4000-8000-000000000991', tests.get_supabase_uid('export60_other'), 'c0600000-0000-4000-8000-000000000099', 'phone', '+447700900601');
insert into public.contact_consent_events (user_id, contact_id, channel_id, channel_type, status, source, proof_reference) values
  (tests.get_supabase_uid('export60_owner'), 'c0600000-0000-4000-8000-000000000001', 'd0600000-0000-4000-8000-000000000011', 'email',
    'granted', 'form', 'newsletter form'),
  (tests.get_supabase_uid('export60_owner'), 'c0600000-0000-4000-8000-000000000001', 'd0600000-0000-4000-8000-000000000011', 'email',
    'withdrawn', 'api', null);
insert into public.contact_groups (id, user_id, name) values
  ('60600000-0000-4000-8000-000000000001', tests.get_supabase_uid('export60_owner'), 'Customers');
insert into public.contact_group_memberships (user_id, group_id, contact_id) values
  (tests.get_supabase_uid('export60_owner'), '60600000-0000-4000-8000-000000000001', 'c0600000-0000-4000-8000-000000000001'),
  (tests.get_supabase_uid('export60_owner'), '60600000-0000-4000-8000-000000000001', 'c0600000-0000-4000-8000-000000000003');
insert into public.agents (id, user_id, name) values
  ('a0600000-0000-4000-8000-000000000001', tests.get_supabase_uid('export60_owner'), 'helper');
insert into public.contact_interactions (user_id, contact_id, agent_id, channel_type, direction, content, occurred_at) values
  (tests.get_supabase_uid('export60_owner'), 'c0600000-0000-4000-8000-000000000001', 'a0600000-0000-4000-8000-000000000001', 'email', 'outbound', 'Hello Erin', now() - interval '2 days'),
  (tests.get_supabase_uid('export60_owner'), 'c0600000-0000-4000-8000-000000000002', null, 'whatsapp', 'inbound', 'Erin on WhatsApp', now() - interval '1 day'),
  (tests.get_supabase_uid('export60_owner'), 'c0600000-0000-4000-8000-000000000003', null, 'email', 'outbound', 'Hello Sam', now());
insert into public.contact_import_jobs (id, user_id, file_name, total_rows) values
  ('e0600000-0000-4000-8000-000000000001', tests.get_supabase_uid('export60_owner'), 'crm-export.csv', 10),
  ('e0600000-0000-4000-8000-000000000002', tests.get_supabase_uid('export60_owner'), 'unrelated.csv', 5);

-- A table added after this migration (as consent history and import changes will be): a contact
-- reference and a job reference. The export must pick it up without any edit.
create table public.zz_contact_notes (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  contact_id uuid not null,
  job_id uuid,
  note text,
  created_at timestamptz not null default now(),
  foreign key (contact_id, user_id) references public.contacts (id, user_id) on delete cascade
);
alter table public.zz_contact_notes enable row level security;
grant select on table public.zz_contact_notes to authenticated;
create policy zz_contact_notes_select_policy on public.zz_contact_notes as permissive for select to authenticated
  using (user_id = (select auth.uid()));
insert into public.zz_contact_notes (user_id, contact_id, job_id, note) values
  (tests.get_supabase_uid('export60_owner'), 'c0600000-0000-4000-8000-000000000001', 'e0600000-0000-4000-8000-000000000001', 'Imported Erin'),
  (tests.get_supabase_uid('export60_owner'), 'c0600000-0000-4000-8000-000000000003', 'e0600000-0000-4000-8000-000000000002', 'Imported Sam');

-- Every table in public with a contact_id column or a foreign key to contacts: the catalog's list.
create temporary table contact_tables as
select distinct cl.relname::text as table_name, att.attname::text as contact_column
from pg_catalog.pg_attribute att
join pg_catalog.pg_class cl on cl.oid = att.attrelid
where cl.relnamespace = 'public'::regnamespace and cl.relkind = 'r' and att.attname = 'contact_id' and not att.attisdropped
union
select cl.relname::text, att.attname::text
from pg_catalog.pg_constraint con
join pg_catalog.pg_class cl on cl.oid = con.conrelid
cross join lateral unnest(con.conkey, con.confkey) as k (child_attnum, parent_attnum)
join pg_catalog.pg_attribute parent_att on parent_att.attrelid = con.confrelid and parent_att.attnum = k.parent_attnum
join pg_catalog.pg_attribute att on att.attrelid = con.conrelid and att.attnum = k.child_attnum
where con.contype = 'f' and con.confrelid = 'public.contacts'::regclass and cl.relnamespace = 'public'::regnamespace
  and parent_att.attname = 'id' and cl.relname <> 'contacts';

create temporary table exported (persona text primary key, result jsonb);
grant all on table exported to public;

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('export60_owner');

insert into exported values ('by_phone', public.export_subject_data(identifier => '+44 (7700) 900-601'));
insert into exported values ('by_email', public.export_subject_data(identifier => '  ERIN.QUILL@example.test '));
insert into exported values ('by_id', public.export_subject_data(contact_id => 'c0600000-0000-4000-8000-000000000001'));

select is((select result -> 'contact_ids' from exported where persona = 'by_phone'),
  '["c0600000-0000-4000-8000-000000000001", "c0600000-0000-4000-8000-000000000002"]'::jsonb,
  'a phone number in another format finds both of the owner''s contacts that carry it (as phone and as WhatsApp)');
select is((select jsonb_array_length(result -> 'subjects') from exported where persona = 'by_phone'), 2,
  'the export by phone holds one bundle per matching contact');
select is((select array_agg(b ->> 'contact_id' order by i) from exported, jsonb_array_elements(result -> 'subjects') with ordinality as x (b, i)
            where persona = 'by_phone'),
  array['c0600000-0000-4000-8000-000000000001', 'c0600000-0000-4000-8000-000000000002'],
  'the bundles of an export by phone come in the order of contact_ids, each naming its own contact');
select is((select count(*) from exported, jsonb_array_elements(result -> 'subjects') as x (b), jsonb_each(x.b) as t (key, rows),
             jsonb_array_elements(case when jsonb_typeof(t.rows) = 'array' then t.rows else '[]' end) as r (row)
           where persona = 'by_phone' and r.row ? 'contact_id' and r.row ->> 'contact_id' <> x.b ->> 'contact_id'), 0::bigint,
  'every row in a bundle of a two-contact export is about that bundle''s contact, none about the other');
select is((select result -> 'counts' from exported where persona = 'by_phone'),
  (select jsonb_object_agg(t.key, t.n) from (
     select t.key, sum(jsonb_array_length(t.rows)) as n
     from exported, jsonb_array_elements(result -> 'subjects') as x (b), jsonb_each(x.b) as t (key, rows)
     where persona = 'by_phone' and jsonb_typeof(t.rows) = 'array' group by t.key) as t),
  'the counts of a two-contact export are the rows of both bundles added up, key by key');
select is((select result ->> 'identifier_type' from exported where persona = 'by_phone'), 'phone',
  'the export says which kind of identifier it was asked for');
select is((select result -> 'contact_ids' from exported where persona = 'by_email'), '["c0600000-0000-4000-8000-000000000001"]'::jsonb,
  'an e-mail address in another case, with spaces, finds the contact that carries it');
select is((select (result -> 'subjects' -> 0) - 'exported_at' - 'contact_audit_log' from exported where persona = 'by_id'),
          (select (result -> 'subjects' -> 0) - 'exported_at' - 'contact_audit_log' from exported where persona = 'by_email'),
  'the export by contact id and by e-mail give the same bundle (the audit trail grows by the first export''s entry)');
select ok((select result -> 'subjects' -> 0 ? 'zz_contact_notes' and jsonb_array_length(result -> 'subjects' -> 0 -> 'zz_contact_notes') = 1
           from exported where persona = 'by_id'),
  'a table created after the migrations, referencing contacts, is exported without any edit (one note about Erin)');
select is((select result -> 'subjects' -> 0 -> 'contact_import_jobs' -> 0 ->> 'file_name' from exported where persona = 'by_id'),
  'crm-export.csv', 'the import job referenced through a job_id column is listed by file name');
select is((select jsonb_array_length(result -> 'subjects' -> 0 -> 'contact_import_jobs') from exported where persona = 'by_id'), 1,
  'the import jobs of other contacts are not listed');
select is((select jsonb_array_length(result -> 'subjects' -> 0 -> 'contact_consent_events') from exported where persona = 'by_id'), 2,
  'the consent history of the subject''s channel is exported (both events)');
select is((select result -> 'subjects' -> 0 -> 'contact_interactions' -> 0 ->> 'agent_name' from exported where persona = 'by_id'),
  'helper', 'rows that name an agent carry the agent''s name');
select ok((select strpos(result::text, 'Sam') = 0 and strpos(result::text, 'sam.sibling') = 0
             and strpos(result::text, 'c0600000-0000-4000-8000-000000000003') = 0 and strpos(result::text, 'unrelated.csv') = 0
           from exported where persona = 'by_phone'),
  'nothing in the export is about the sibling contact: not its name, e-mail, id or import');
select ok((select strpos(result::text, 'Olga') = 0 and strpos(result::text, 'c0600000-0000-4000-8000-000000000099') = 0
           from exported where persona = 'by_phone'),
  'nothing in the export is about the other owner''s contact with the same phone number');

select throws_ok($$ select public.export_subject_data(contact_id => 'c0600000-0000-4000-8000-000000000099') $$,
  'P0002', 'contact not found', 'another owner''s contact id is not found');
select throws_ok($$ select public.export_subject_data(identifier => 'nobody@example.test') $$,
  'P0002', 'contact not found', 'an identifier no contact carries is not found');
select throws_ok($$ select public.export_subject_data(contact_id => 'c0600000-0000-4000-8000-000000000099',
                     owner_id => tests.get_supabase_uid('export60_other')) $$,
  'P0002', 'contact not found', 'an owner cannot name another owner to export that owner''s contact');
select throws_ok($$ select public.export_subject_data(identifier => 'not an identifier') $$,
  '22023', 'identifier must be an e-mail address or a phone number in E.164 format', 'an identifier that is neither is rejected');
select throws_ok($$ select public.export_subject_data() $$,
  '22023', 'give either a contact id or an identifier', 'a request naming no subject is rejected');

-- ============================================================================================
-- Superuser: completeness against the catalog, and the record of the exports
-- ============================================================================================
reset role;

-- The catalog-driven bundle itself (export_contact_data_for_subject records nothing, so the audit
-- trail does not move between the export and the count).
insert into exported values ('catalog', jsonb_build_object('subjects',
  jsonb_build_array(public.export_contact_data_for_subject('c0600000-0000-4000-8000-000000000001'))));

select is(
  (select coalesce(array_agg(t.table_name order by t.table_name), '{}') from contact_tables t, exported e
   where e.persona = 'catalog' and not (e.result -> 'subjects' -> 0) ? t.table_name),
  '{}'::text[],
  'every table in public with a contact_id column or a foreign key to contacts has a key of its name in the export');

select is(
  (select coalesce(array_agg(t.table_name order by t.table_name), '{}')
   from contact_tables t, exported e,
     lateral (select (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from public.%I where %I = %L',
       t.table_name, t.contact_column, 'c0600000-0000-4000-8000-000000000001'), false, true, '')))[1]::text::integer as n) held
   where e.persona = 'catalog' and held.n <> jsonb_array_length(e.result -> 'subjects' -> 0 -> t.table_name)),
  '{}'::text[],
  'for every such table the export holds exactly as many rows as the table holds about the subject');

select results_eq(
  $$ select request_type, contact_ids, actor_role, actor_user_id = tests.get_supabase_uid('export60_owner')
     from public.contact_subject_requests where user_id = tests.get_supabase_uid('export60_owner') order by cardinality(contact_ids) desc limit 1 $$,
  $$ values ('export', array['c0600000-0000-4000-8000-000000000001', 'c0600000-0000-4000-8000-000000000002']::uuid[], 'owner', true) $$,
  'each export is recorded: type, the contact ids, and the owner who asked');
select is((select count(*) from public.contact_subject_requests where user_id = tests.get_supabase_uid('export60_owner')), 3::bigint,
  'three exports, three records');
select ok((select (counts ->> 'contact_interactions')::integer = 2 and (counts ->> 'contact_communication_channels')::integer = 3
           from public.contact_subject_requests where user_id = tests.get_supabase_uid('export60_owner') order by cardinality(contact_ids) desc limit 1),
  'the record counts the rows exported per table (2 interactions, 3 channels over both contacts)');
select is(
  (select count(*) from public.contact_audit_log
   where user_id = tests.get_supabase_uid('export60_owner') and table_name = 'contact_subject_requests' and action = 'insert'
     and actor_user_id = tests.get_supabase_uid('export60_owner')),
  4::bigint,
  'the audit log has one entry per exported contact (2 + 1 + 1), naming the owner as actor');
select ok(
  (select strpos(string_agg(r::text, ' '), 'Erin') = 0 and strpos(lower(string_agg(r::text, ' ')), 'quill') = 0
     and strpos(string_agg(r::text, ' '), '7700900601') = 0
   from public.contact_subject_requests r where r.user_id = tests.get_supabase_uid('export60_owner')),
  'the records hold no name, e-mail or phone of the subject');

-- ============================================================================================
-- Service role, agent token, anon
-- ============================================================================================
select tests.authenticate_as_service_role();
select throws_ok($$ select public.export_subject_data(contact_id => 'c0600000-0000-4000-8000-000000000001') $$,
  '22023', 'the service must name the owner of a data subject request (owner_id)',
  'the service must name the owner it exports for');
select is(
  (select public.export_subject_data(identifier => '+447700900601', owner_id => tests.get_supabase_uid('export60_other'))::jsonb -> 'contact_ids'),
  '["c0600000-0000-4000-8000-000000000099"]'::jsonb,
  'the service naming the other owner exports only that owner''s contact with the phone number');
select throws_ok($$ select public.export_subject_data(contact_id => 'c0600000-0000-4000-8000-000000000001',
                     owner_id => tests.get_supabase_uid('export60_other')) $$,
  'P0002', 'contact not found', 'the service naming the wrong owner for a contact id finds nothing');

select tests.authenticate_as_agent('export60_owner', 'a0600000-0000-4000-8000-000000000001');
select throws_ok($$ select public.export_subject_data(contact_id => 'c0600000-0000-4000-8000-000000000001') $$,
  '42501', 'agent tokens cannot act on data subject requests', 'an agent token of the owner cannot export');

select tests.clear_authentication();
select throws_ok($$ select public.export_subject_data(contact_id => 'c0600000-0000-4000-8000-000000000001') $$,
  '42501', 'permission denied for function export_subject_data', 'anon cannot execute export_subject_data');

select * from finish();
rollback;
