-- The export lists the merge records of the subject's contact (20251020000053): Mira's contact
-- absorbed a duplicate that had itself absorbed another, so both merges are processing of what
-- her contact holds now, and her export lists them, oldest first, with ids, actor, the fields
-- filled and the rows moved. A merge between two other contacts of the owner is not hers, and
-- another owner's merge record naming the very same ids is never hers, not even for the service,
-- which RLS does not narrow.
begin;
select plan(11);

-- ============================================================================================
-- Setup (superuser): Mira, two duplicates of her, three unrelated contacts, made 5 days ago; a stranger.
-- ============================================================================================
select tests.create_supabase_user('merges172_owner');
select tests.create_supabase_user('merges172_stranger');
insert into public.contacts (id, user_id, first_name, last_name, job_title, created_at)
select v.id::uuid, tests.get_supabase_uid('merges172_owner'), v.first_name, v.last_name, v.job_title, now() - interval '5 days'
from (values
  ('c1720000-0000-4000-8000-000000000001', 'Mira', 'Quent', null),
  ('c1720000-0000-4000-8000-000000000002', 'Mira', 'Q.', 'Pilot'),
  ('c1720000-0000-4000-8000-000000000003', 'M.', 'Quent', null),
  ('c1720000-0000-4000-8000-000000000004', 'Ugo', 'Underhill', null),
  ('c1720000-0000-4000-8000-000000000005', 'Ugo', 'U.', null),
  ('c1720000-0000-4000-8000-000000000006', 'Xavier', 'Yarrow', null)) as v (id, first_name, last_name, job_title);
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content) values
  (tests.get_supabase_uid('merges172_owner'), 'c1720000-0000-4000-8000-000000000002', 'email', 'outbound', 'Hello Mira');
create temporary table answers (label text primary key, answer jsonb);
grant all on answers to authenticated, service_role;

-- ============================================================================================
-- Owner: merges the older duplicate into the newer, that into Mira, and Ugo's duplicate into Ugo
-- ============================================================================================
select tests.authenticate_as('merges172_owner');
insert into answers values
  ('merge older', public.merge_contacts('c1720000-0000-4000-8000-000000000002', 'c1720000-0000-4000-8000-000000000003')),
  ('merge into mira', public.merge_contacts('c1720000-0000-4000-8000-000000000001', 'c1720000-0000-4000-8000-000000000002')),
  ('merge ugo', public.merge_contacts('c1720000-0000-4000-8000-000000000004', 'c1720000-0000-4000-8000-000000000005'));
reset role;

-- Superuser: the merges a day apart (one transaction gives them one now()), and another owner's
-- record naming Mira and her duplicate, older than both.
update public.contact_merges set merged_at = now() - interval '2 days' where duplicate_id = 'c1720000-0000-4000-8000-000000000003';
update public.contact_merges set merged_at = now() - interval '1 day' where duplicate_id = 'c1720000-0000-4000-8000-000000000002';
insert into public.contact_merges (id, user_id, survivor_id, duplicate_id, row_counts, filled_fields, actor_role, merged_at) values
  ('e1720000-0000-4000-8000-000000000009', tests.get_supabase_uid('merges172_stranger'), 'c1720000-0000-4000-8000-000000000001',
   'c1720000-0000-4000-8000-000000000002', '{"moved": {"contact_interactions": 7}}', '{last_name}', 'owner', now() - interval '3 days');

-- ============================================================================================
-- Owner: exports Mira, then Ugo
-- ============================================================================================
select tests.authenticate_as('merges172_owner');
insert into answers values
  ('export mira', public.export_subject_data(contact_id => 'c1720000-0000-4000-8000-000000000001')::jsonb),
  ('export ugo', public.export_subject_data(contact_id => 'c1720000-0000-4000-8000-000000000004')::jsonb);
select results_eq(
  $$ select e ->> 'merge_id', e ->> 'survivor_id', e ->> 'duplicate_id', e ->> 'actor_role', e -> 'filled_fields'
     from answers, jsonb_array_elements(answer -> 'subjects' -> 0 -> 'merges') with ordinality as x (e, position)
     where label = 'export mira' order by position $$,
  $$ select m.id::text, m.survivor_id::text, m.duplicate_id::text, 'owner', to_jsonb(m.filled_fields)
     from public.contact_merges m join answers a on a.answer ->> 'merge_id' = m.id::text
     where a.label in ('merge older', 'merge into mira') order by m.merged_at $$,
  'the owner''s export of Mira lists the merge into her and the earlier one into her duplicate, oldest first, with ids, actor and fields filled');
select is((select answer -> 'subjects' -> 0 -> 'merges' -> 1 -> 'filled_fields' from answers where label = 'export mira'), '["job_title"]'::jsonb,
  'the merge into Mira names the field it filled from her duplicate, never its value');
select is((select answer -> 'subjects' -> 0 -> 'merges' -> 1 -> 'row_counts' from answers where label = 'export mira'),
  (select answer -> 'row_counts' from answers where label = 'merge into mira'),
  'the export gives the rows the merge into Mira moved, as the merge reported them');
select is((select answer -> 'counts' ->> 'merges' from answers where label = 'export mira'), '2',
  'the export counts Mira''s two merge records');
select is_empty(
  $$ select 1 from answers, jsonb_array_elements(answer -> 'subjects' -> 0 -> 'merges') as e
     where label = 'export mira' and e ->> 'merge_id' in ('e1720000-0000-4000-8000-000000000009', (select answer ->> 'merge_id' from answers where label = 'merge ugo')) $$,
  'neither another owner''s record naming Mira and her duplicate nor the merge of Ugo''s duplicate is in Mira''s export');
select results_eq(
  $$ select e ->> 'merge_id' from answers, jsonb_array_elements(answer -> 'subjects' -> 0 -> 'merges') as e where label = 'export ugo' $$,
  $$ select answer ->> 'merge_id' from answers where label = 'merge ugo' $$,
  'the owner''s export of Ugo lists only the merge of his duplicate into him');
select is((select r.counts ->> 'merges' from public.contact_subject_requests r
           where r.request_type = 'export' and r.contact_ids = array['c1720000-0000-4000-8000-000000000001'::uuid]), '2',
  'the record of Mira''s export counts her merge records among what was exported');
reset role;

-- ============================================================================================
-- Service: exports Mira for her owner (RLS does not narrow the service)
-- ============================================================================================
select tests.authenticate_as_service_role();
insert into answers values ('service mira',
  public.export_subject_data(contact_id => 'c1720000-0000-4000-8000-000000000001', owner_id => tests.get_supabase_uid('merges172_owner'))::jsonb);
select results_eq(
  $$ select e ->> 'merge_id' from answers, jsonb_array_elements(answer -> 'subjects' -> 0 -> 'merges') with ordinality as x (e, position)
     where label = 'service mira' order by position $$,
  $$ select answer ->> 'merge_id' from answers where label in ('merge older', 'merge into mira') order by label = 'merge into mira' $$,
  'the service''s export of Mira lists her owner''s two merges and not another owner''s record naming the same ids');
reset role;

-- ============================================================================================
-- Another owner: asks for Mira
-- ============================================================================================
select tests.authenticate_as('merges172_stranger');
select throws_ok(
  $$ select public.export_subject_data(contact_id => 'c1720000-0000-4000-8000-000000000001') $$,
  'P0002', 'contact not found',
  'another owner holding a merge record that names Mira cannot export her: contact not found');
reset role;

-- ============================================================================================
-- Superuser, then owner: a new contact, Bruno, given the id of Mira's duplicate merged away two
-- days ago (the service may choose ids); Xavier merged into him
-- ============================================================================================
insert into public.contacts (id, user_id, first_name, last_name)
values ('c1720000-0000-4000-8000-000000000003', tests.get_supabase_uid('merges172_owner'), 'Bruno', 'Brandt');
select tests.authenticate_as('merges172_owner');
insert into answers values
  ('merge into bruno', public.merge_contacts('c1720000-0000-4000-8000-000000000003', 'c1720000-0000-4000-8000-000000000006')),
  ('export bruno', public.export_subject_data(contact_id => 'c1720000-0000-4000-8000-000000000003')::jsonb),
  ('export mira again', public.export_subject_data(contact_id => 'c1720000-0000-4000-8000-000000000001')::jsonb);
select results_eq(
  $$ select e ->> 'merge_id' from answers, jsonb_array_elements(answer -> 'subjects' -> 0 -> 'merges') as e where label = 'export bruno' $$,
  $$ select answer ->> 'merge_id' from answers where label = 'merge into bruno' $$,
  'Bruno''s export lists the merge of Xavier into him, not the history of the contact that had his id before');
select is((select answer -> 'counts' ->> 'merges' from answers where label = 'export mira again'), '2',
  'Mira''s export still lists her two merges, not the merge of Xavier into the contact now holding her old duplicate''s id');
reset role;

select * from finish();
rollback;
