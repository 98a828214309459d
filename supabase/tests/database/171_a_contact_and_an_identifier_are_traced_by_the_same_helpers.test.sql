-- Zenobia Quillfeather is a contact of traces171_owner, whose records hold her address: a refused
-- row's report line, a failed import's header, a dry run's sample, an agent's search, a group naming
-- her and a smart group selecting her by external id. Since 20251020000050 and 20251020000051 one
-- helper builds her words and one tests a group against them, and the export's lists for a contact
-- and for an identifier come from the same cores: what they find for her as a contact and for her
-- address alone is the same, the groups the export lists are those erasure rewrites, and the cores,
-- which trust the owner they are given, refuse an agent token and show another owner nothing.
begin;
select plan(13);

-- ============================================================================================
-- Setup (superuser): Zenobia, her traces in the owner's records, a stranger, an agent.
-- ============================================================================================
select tests.create_supabase_user('traces171_owner');
select tests.create_supabase_user('traces171_stranger');
insert into public.contacts (id, user_id, first_name, last_name, external_id) values
  ('17100000-0000-4000-8000-000000000001', tests.get_supabase_uid('traces171_owner'), 'Zenobia', 'Quillfeather', 'EXT-ZQ-171');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('traces171_owner'), '17100000-0000-4000-8000-000000000001', 'email', 'Zenobia.Q171@example.com');
insert into public.agents (id, user_id, name) values ('a1710000-0000-4000-8000-000000000001', tests.get_supabase_uid('traces171_owner'), 'helper');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, valid_from) values
  (tests.get_supabase_uid('traces171_owner'), 'a1710000-0000-4000-8000-000000000001', 'all_contacts', now());
create temporary table job_ids (name text primary key, id uuid);
grant all on job_ids to service_role, authenticated;
insert into job_ids values
  ('invalid', tests.create_import_job('traces171_owner', 'invalid')),
  ('headerless', tests.create_import_job('traces171_owner', 'headerless')),
  ('preview', tests.create_import_job('traces171_owner', 'preview', dry_run => true));
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason) values
  (tests.get_supabase_uid('traces171_owner'), (select id from job_ids where name = 'invalid'), 2, 'email',
   ' zenobia.q171@EXAMPLE.com', 'duplicate: a contact with this email already exists');
update public.contact_import_jobs set status = 'failed', error_summary = 'missing_required_column: no column holds the dedupe key (email)',
  header = '["Zenobia", "Quillfeather", "zenobia.q171@example.com"]'
where id = (select id from job_ids where name = 'headerless');
update public.contact_import_jobs set dry_run_report = '{"new": [{"row": 2, "display_name": "Zenobia Q.", "identifiers": ["zenobia.q171@example.com"]},
    {"row": 3, "display_name": "Bartholomew Ostrander", "identifiers": ["bart@example.com"]}], "changed": [], "failing": []}'
where id = (select id from job_ids where name = 'preview');
insert into public.contact_groups (id, user_id, name, description, group_type, criteria) values
  ('17100000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('traces171_owner'), 'Referred', null, 'smart',
   '{"rules": [{"field": "external_id", "op": "equals", "value": "EXT-ZQ-171"}]}'),
  ('17100000-0000-4000-8000-0000000000b2', tests.get_supabase_uid('traces171_owner'), 'Follow-ups', 'ask zenobia.q171@example.com first', 'static', null),
  ('17100000-0000-4000-8000-0000000000b3', tests.get_supabase_uid('traces171_owner'), 'Quillfeathers club', 'by email', 'smart',
   '{"rules": [{"field": "channel_type", "op": "has", "value": "email"}]}');
create temporary table answers (label text primary key, answer jsonb);
grant all on answers to service_role, authenticated;

-- ============================================================================================
-- Owner: one test for a group, one word list, the same finds for a contact and for an identifier
-- ============================================================================================
select tests.authenticate_as('traces171_owner');
select is((select count(*)::int from public.search_contacts_for_agent('a1710000-0000-4000-8000-000000000001', 'zenobia.q171@example.com')), 1,
  'the owner''s search through the agent for her address finds her (and is logged)');
select is(array(select private.group_ids_mentioning(tests.get_supabase_uid('traces171_owner'), array['zenobia.q171@example.com']))::text[],
  array['17100000-0000-4000-8000-0000000000b2'], 'a group whose description holds one of the words as a whole word mentions it');
select is(array(select private.group_ids_mentioning(tests.get_supabase_uid('traces171_owner'), array['ext-zq-171']))::text[],
  array['17100000-0000-4000-8000-0000000000b1'], 'a group with a rule whose value is one of the words mentions it');
select is(array(select private.group_ids_mentioning(tests.get_supabase_uid('traces171_owner'), array['quillfeather']))::text[], '{}'::text[],
  'a group holding a word only inside a longer one does not mention it');
select is(private.subject_words(tests.get_supabase_uid('traces171_owner'), '17100000-0000-4000-8000-000000000001', '{}'),
  array['ext-zq-171', 'zenobia quillfeather', 'zenobia.q171@example.com'],
  'her words are her name, external id and address, trimmed and lower-case, once each');
select is(private.subject_words(tests.get_supabase_uid('traces171_owner'), null, array[' Zed@Example.com ', 'ab', null]), array['zed@example.com'],
  'mentions alone give their words, trimmed and lower-case, less those shorter than three characters');
insert into answers
select 'contact', jsonb_build_object('contact_import_job_errors', l.part, 'contact_import_headers', h.part, 'contact_import_dry_run_entries', d.part)
from private.contact_import_report_lines('17100000-0000-4000-8000-000000000001', tests.get_supabase_uid('traces171_owner')) as l,
  private.contact_import_headers('17100000-0000-4000-8000-000000000001', tests.get_supabase_uid('traces171_owner')) as h,
  private.contact_dry_run_entries('17100000-0000-4000-8000-000000000001', tests.get_supabase_uid('traces171_owner')) as d;
insert into answers select 'core', to_jsonb(t) from private.traces_of_identifier(tests.get_supabase_uid('traces171_owner'),
  'Zenobia.Q171@example.com', 'email:zenobia.q171@example.com') as t;
select is((select answer -> 'counts' from answers where label = 'core'),
  '{"contact_import_job_errors": 1, "contact_import_headers": 1, "contact_import_dry_run_entries": 1, "agent_contact_access_log": 1,
    "groups_mentioning_subject": 1, "withdrawn_addresses": 0}'::jsonb,
  'her address alone finds the report line, the header, the dry-run entry, the search and the group naming it');
select is((select answer from answers where label = 'contact'),
  (select jsonb_build_object('contact_import_job_errors', answer -> 'traces' -> 'contact_import_job_errors', 'contact_import_headers',
     answer -> 'traces' -> 'contact_import_headers', 'contact_import_dry_run_entries', answer -> 'traces' -> 'contact_import_dry_run_entries')
   from answers where label = 'core'),
  'the report lines, headers and dry-run entries found for her as a contact are those found for her address alone');
select is((select n from private.contact_agent_searches('17100000-0000-4000-8000-000000000001', tests.get_supabase_uid('traces171_owner'))), 1::bigint,
  'the search for her address is found for her as a contact too');
reset role;

-- ============================================================================================
-- Agent tokens: refused by the core, which would count remembered withdrawals with definer rights
-- ============================================================================================
select tests.authenticate_as_agent('traces171_owner', 'a1710000-0000-4000-8000-000000000001');
select throws_ok($$ select private.traces_of_identifier(tests.get_supabase_uid('traces171_owner'),
    'zenobia.q171@example.com', 'email:zenobia.q171@example.com') $$,
  '42501', 'agent tokens cannot act on data subject requests',
  'an agent token calling the core for its owner is refused, as the export refuses it');
reset role;

-- ============================================================================================
-- Another owner: naming the owner gets nothing of the owner's
-- ============================================================================================
select tests.authenticate_as('traces171_stranger');
select is((select t.counts from private.traces_of_identifier(tests.get_supabase_uid('traces171_owner'),
    'zenobia.q171@example.com', 'email:zenobia.q171@example.com') as t),
  '{"contact_import_job_errors": 0, "contact_import_headers": 0, "contact_import_dry_run_entries": 0, "agent_contact_access_log": 0,
    "groups_mentioning_subject": 0, "withdrawn_addresses": 0}'::jsonb,
  'another owner calling the core with the owner''s id counts nothing of the owner''s');
reset role;

-- ============================================================================================
-- Owner: erasure rewrites exactly the groups the export lists for her
-- ============================================================================================
select tests.authenticate_as('traces171_owner');
insert into answers select 'groups', to_jsonb(g) from private.contact_groups_mentioning('17100000-0000-4000-8000-000000000001',
  tests.get_supabase_uid('traces171_owner')) as g;
create temporary table groups_before on commit drop as select g.* from public.contact_groups g;
insert into answers values ('erase', public.gdpr_delete_subject(contact_id => '17100000-0000-4000-8000-000000000001'));
select is((select array_agg(e ->> 'group_id' order by e ->> 'group_id') from answers, jsonb_array_elements(answer -> 'part') as e where label = 'groups'),
  array['17100000-0000-4000-8000-0000000000b1', '17100000-0000-4000-8000-0000000000b2'],
  'the export lists for her the group selecting her by external id and the group naming her address, not the club');
select is((select array_agg(b.id::text order by b.id) from groups_before b join public.contact_groups g on g.id = b.id
           where (g.name, g.description, g.criteria) is distinct from (b.name, b.description, b.criteria)),
  (select array_agg(e ->> 'group_id' order by e ->> 'group_id') from answers, jsonb_array_elements(answer -> 'part') as e where label = 'groups'),
  'erasure rewrites exactly the groups the export listed: both find them by the same words');
reset role;

select * from finish();
rollback;
