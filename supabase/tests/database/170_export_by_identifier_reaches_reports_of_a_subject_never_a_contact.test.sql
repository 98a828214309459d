-- Zenobia Quillfeather never became a contact of export170_owner, yet the owner's records hold her
-- address: a refused row's report line, a failed import's header, a dry run's sample, an agent's
-- search, two groups. Her export by the address (20251020000049) hands her all of it, with no
-- contact, and is recorded under the address's hashes; an identifier nothing holds is still not
-- found; another owner's records are not hers to see here; agent tokens export nothing. Erasure by
-- the address then removes everything the export listed: a second export is not found.
begin;
select plan(21);

-- ============================================================================================
-- Setup (superuser): the owner's records hold Zenobia's address; a stranger's report holds it too.
-- ============================================================================================
select tests.create_supabase_user('export170_owner');
select tests.create_supabase_user('export170_stranger');
insert into public.agents (id, user_id, name) values ('a1700000-0000-4000-8000-000000000001', tests.get_supabase_uid('export170_owner'), 'helper');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, valid_from) values
  (tests.get_supabase_uid('export170_owner'), 'a1700000-0000-4000-8000-000000000001', 'all_contacts', now());
create temporary table job_ids (name text primary key, id uuid);
grant all on job_ids to service_role, authenticated;
insert into job_ids values
  ('invalid', tests.create_import_job('export170_owner', 'invalid')),
  ('headerless', tests.create_import_job('export170_owner', 'headerless')),
  ('preview', tests.create_import_job('export170_owner', 'preview', dry_run => true)),
  ('stranger', tests.create_import_job('export170_stranger', 'stranger'));
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason) values
  (tests.get_supabase_uid('export170_owner'), (select id from job_ids where name = 'invalid'), 2, 'email',
   ' Zenobia.Quillfeather@example.com', 'duplicate: a contact with this email already exists'),
  (tests.get_supabase_uid('export170_owner'), (select id from job_ids where name = 'invalid'), 3, 'email',
   'not-an-address', 'invalid_email: not an e-mail address'),
  (tests.get_supabase_uid('export170_stranger'), (select id from job_ids where name = 'stranger'), 2, 'email',
   'zenobia.quillfeather@example.com', 'duplicate: a contact with this email already exists');
update public.contact_import_jobs set status = 'failed', error_summary = 'missing_required_column: no column holds the dedupe key (email)',
  header = '["Zenobia", "Quillfeather", "zenobia.quillfeather@example.com", "+44 7700 900123"]'
where id = (select id from job_ids where name = 'headerless');
update public.contact_import_jobs set dry_run_report = '{"new": [{"row": 2, "display_name": "Zenobia Quillfeather", "identifiers": ["zenobia.quillfeather@example.com"]},
    {"row": 3, "display_name": "Bartholomew Ostrander", "identifiers": ["bart@example.com"]}], "changed": [], "failing": []}'
where id = (select id from job_ids where name = 'preview');
insert into public.contact_groups (id, user_id, name, description, group_type, criteria) values
  ('17000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('export170_owner'), 'Referred', null, 'smart',
   '{"rules": [{"field": "metadata.referrer", "op": "equals", "value": "zenobia.quillfeather@example.com"}]}'),
  ('17000000-0000-4000-8000-0000000000b2', tests.get_supabase_uid('export170_owner'), 'Follow-ups', 'ask zenobia.quillfeather@example.com first', 'static', null),
  ('17000000-0000-4000-8000-0000000000b3', tests.get_supabase_uid('export170_owner'), 'Everyone', 'all of them', 'static', null),
  ('17000000-0000-4000-8000-0000000000b9', tests.get_supabase_uid('export170_stranger'), 'zenobia.quillfeather@example.com', null, 'static', null);
-- Wendell withdrew; the owner deletes his contact below and remembers the withdrawal (a hash).
insert into public.contacts (id, user_id, display_name) values
  ('c1700000-0000-4000-8000-000000000001', tests.get_supabase_uid('export170_owner'), 'Wendell Withdrawn');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, consent_status, consent_source) values
  (tests.get_supabase_uid('export170_owner'), 'c1700000-0000-4000-8000-000000000001', 'email', 'wendell@example.com', 'withdrawn', 'manual');
create temporary table answers (label text primary key, answer jsonb);
grant all on answers to service_role, authenticated;

-- ============================================================================================
-- Agent tokens: the helper searches for her (finding no one), and exports nothing
-- ============================================================================================
select tests.authenticate_as_agent('export170_owner', 'a1700000-0000-4000-8000-000000000001');
select is((select count(*)::int from public.search_contacts_for_agent('a1700000-0000-4000-8000-000000000001', 'Zenobia.Quillfeather@example.com')), 0,
  'the agent''s search for her address finds no contact (and is logged)');
select is((select count(*)::int from public.search_contacts_for_agent('a1700000-0000-4000-8000-000000000001', 'bart@example.com')), 0,
  'the agent''s search for another address finds no contact either');
select throws_ok($$ select public.export_subject_data(identifier => 'zenobia.quillfeather@example.com') $$,
  '42501', 'agent tokens cannot act on data subject requests', 'an agent token cannot export what its owner''s records hold of an address');
select throws_ok(format('select private.traces_of_identifier(%L, %L, %L)', tests.get_supabase_uid('export170_owner'),
    'zenobia.quillfeather@example.com', 'email:zenobia.quillfeather@example.com'),
  '42501', 'agent tokens cannot act on data subject requests', 'an agent token gets nothing through the export''s helper');

-- ============================================================================================
-- Another owner: sees what their own records hold of the address, and nothing of the owner's
-- ============================================================================================
select tests.authenticate_as('export170_stranger');
insert into answers values ('stranger', public.export_subject_data(identifier => 'zenobia.quillfeather@example.com')::jsonb);
select is((select answer -> 'counts' from answers where label = 'stranger'),
  '{"contact_import_job_errors": 1, "contact_import_headers": 0, "contact_import_dry_run_entries": 0, "agent_contact_access_log": 0,
    "groups_mentioning_subject": 1, "withdrawn_addresses": 0}'::jsonb,
  'another owner''s export of the address counts only their own report line and group');
select is((select array_agg(e ->> 'job_id') from answers, jsonb_array_elements(answer -> 'traces' -> 'contact_import_job_errors') as e where label = 'stranger'),
  array[(select id::text from job_ids where name = 'stranger')], 'another owner''s export lists their own report line, none of the owner''s');

-- ============================================================================================
-- Owner: exports Zenobia by her address
-- ============================================================================================
select tests.authenticate_as('export170_owner');
select throws_ok($$ select public.export_subject_data(identifier => 'zq.unknown@example.com') $$,
  'P0002', 'contact not found', 'an identifier nothing of the owner''s holds is still not found');
insert into answers values ('export', public.export_subject_data(identifier => 'Zenobia.Quillfeather@example.com')::jsonb);
select is((select (answer -> 'contact_ids') || (answer -> 'subjects') from answers where label = 'export'), '[]'::jsonb,
  'the export names no contact and holds no contact bundle: she never was one');
select is((select answer -> 'traces' -> 'counts' from answers where label = 'export'),
  '{"contact_import_job_errors": 1, "contact_import_headers": 1, "contact_import_dry_run_entries": 1, "agent_contact_access_log": 1,
    "groups_mentioning_subject": 2, "withdrawn_addresses": 0}'::jsonb,
  'the export counts the report line, the header, the dry-run entry, the search and the two groups holding her address');
select results_eq(
  $$ select e ->> 'job_id', e ->> 'file_name', (e ->> 'row_number')::int, e ->> 'column_name', e ->> 'value_excerpt'
     from answers, jsonb_array_elements(answer -> 'traces' -> 'contact_import_job_errors') as e where label = 'export' $$,
  $$ values ((select id::text from job_ids where name = 'invalid'), 'invalid.csv', 2, 'email', ' Zenobia.Quillfeather@example.com') $$,
  'the export lists the report line holding her address, and not the other row''s');
select results_eq(
  $$ select e ->> 'job_id', e ->> 'status', e -> 'header' ->> 2
     from answers, jsonb_array_elements(answer -> 'traces' -> 'contact_import_headers') as e where label = 'export' $$,
  $$ values ((select id::text from job_ids where name = 'headerless'), 'failed', 'zenobia.quillfeather@example.com') $$,
  'the export lists the failed import that kept her row as its header');
select results_eq(
  $$ select e ->> 'job_id', e ->> 'section', e -> 'entry' ->> 'display_name'
     from answers, jsonb_array_elements(answer -> 'traces' -> 'contact_import_dry_run_entries') as e where label = 'export' $$,
  $$ values ((select id::text from job_ids where name = 'preview'), 'new', 'Zenobia Quillfeather') $$,
  'the export lists the dry run''s entry sampling her, and not the other person''s');
select results_eq(
  $$ select e ->> 'agent_id', e ->> 'agent_name', e ->> 'result_count', e ->> 'caller', e ? 'query', e ? 'query_hmac'
     from answers, jsonb_array_elements(answer -> 'traces' -> 'agent_contact_access_log') as e where label = 'export' $$,
  $$ values ('a1700000-0000-4000-8000-000000000001', 'helper', '0', 'agent', false, false) $$,
  'the export lists the search for her address: agent, result count, caller, never the query');
select results_eq(
  $$ select e ->> 'group_id', jsonb_array_length(e -> 'rules')
     from answers, jsonb_array_elements(answer -> 'traces' -> 'groups_mentioning_subject') as e where label = 'export' order by 1 $$,
  $$ values ('17000000-0000-4000-8000-0000000000b1', 1), ('17000000-0000-4000-8000-0000000000b2', 0) $$,
  'the export lists the smart group whose rule holds her address and the group whose description names it, and no other');
select results_eq(
  $$ select r.request_type, r.contact_ids, cardinality(r.identifier_hmacs) > 0, r.counts
     from public.contact_subject_requests r where r.id = (select (answer ->> 'request_id')::uuid from answers where label = 'export') $$,
  $$ select 'export'::text, '{}'::uuid[], true, (select answer -> 'counts' from answers where label = 'export') $$,
  'the export is recorded naming no contact, under the address''s hashes, with its counts');
delete from public.contacts where id = 'c1700000-0000-4000-8000-000000000001';
insert into answers values ('wendell', public.export_subject_data(identifier => 'wendell@example.com')::jsonb);
select is((select (answer -> 'counts' ->> 'withdrawn_addresses')::int from answers where label = 'wendell'), 1,
  'an address no contact holds any more, whose withdrawal the owner remembers, is exported as that count');
reset role;

-- ============================================================================================
-- Service: exports for the owner it names
-- ============================================================================================
select tests.authenticate_as_service_role();
select is((public.export_subject_data(identifier => '+44 7700 900123', owner_id => tests.get_supabase_uid('export170_owner'))::jsonb -> 'counts' ->> 'contact_import_headers'),
  '1', 'the service, naming the owner, finds the header holding her number');
reset role;

-- ============================================================================================
-- Owner: erases her by her address; everything the export listed is gone
-- ============================================================================================
select tests.authenticate_as('export170_owner');
insert into answers values ('erase', public.gdpr_delete_subject(identifier => 'zenobia.quillfeather@example.com'));
select is((select answer -> 'counts' from answers where label = 'erase') - 'contact_import_dry_run_claims',
  '{"contact_import_job_errors": 1, "contact_import_jobs": 1, "contact_import_headers": 1, "agent_contact_access_log": 1,
    "contact_groups": 2, "withdrawn_addresses": 0, "import_uploads": 1}'::jsonb,
  'the erasure receipt counts the report line, the dry run, the header, the search, the two groups and the failed import given up');
select throws_ok($$ select public.export_subject_data(identifier => 'zenobia.quillfeather@example.com') $$,
  'P0002', 'contact not found', 'after her erasure, nothing of the owner''s holds her address: her export is not found');
select public.gdpr_delete_subject(identifier => 'wendell@example.com');
select throws_ok($$ select public.export_subject_data(identifier => 'wendell@example.com') $$,
  'P0002', 'contact not found', 'after his erasure, the remembered withdrawal is gone: his export is not found');
reset role;

select is((select count(*)::int from public.contact_import_job_errors e where e.value_excerpt ilike '%quillfeather%'), 1,
  'the stranger''s report line holding her address stays: the owner''s erasure does not reach it');

select * from finish();
rollback;
