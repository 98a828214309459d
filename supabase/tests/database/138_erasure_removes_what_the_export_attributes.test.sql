-- Erasure removes at least what the export attributes to the subject (20251020000013): import
-- report lines and dry-run entries holding one of its identifiers however spelt, and every claim
-- of a dry run on the contact, its other addresses and numbers included. A namesake's line stays.
begin;
select plan(6);

select tests.create_supabase_user('traces_owner');
insert into public.contacts (id, user_id, first_name, last_name) values
  ('13800000-0000-4000-8000-000000000001', tests.get_supabase_uid('traces_owner'), 'Zorblat', 'Quixmere');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('traces_owner'), '13800000-0000-4000-8000-000000000001', 'email', 'zorblat@example.com'),
  (tests.get_supabase_uid('traces_owner'), '13800000-0000-4000-8000-000000000001', 'phone', '+44 7700 900138');
create temporary table job_ids (name text primary key, id uuid) on commit drop;
insert into job_ids values ('import', tests.create_import_job('traces_owner', 'leads')), ('dry', tests.create_import_job('traces_owner', 'preview', true));
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
select tests.get_supabase_uid('traces_owner'), (select id from job_ids where name = 'import'), v.n, 'phone', v.value, 'duplicate: x'
from (values (2, '+44-7700-900138'), (3, '0044 7700 900138'), (4, '+44 7700 900139')) as v (n, value);
update public.contact_import_jobs set dry_run_report = '{"failing": [
    {"row_number": 2, "column": "phone", "value": "(+44) 7700 900138", "reason": "identifier_conflict"},
    {"row_number": 3, "column": "phone", "value": "+44 7700 900139", "reason": "identifier_conflict"}]}'
where id = (select id from job_ids where name = 'dry');
insert into private.contact_import_dry_run_claims (job_id, user_id, kind, value, row_number, contact_id)
select (select id from job_ids where name = 'dry'), tests.get_supabase_uid('traces_owner'), v.kind, v.value, 2, v.contact_id
from (values ('email', 'zq.private@home.example', '13800000-0000-4000-8000-000000000001'::uuid),
             ('phone', '+447700900999', '13800000-0000-4000-8000-000000000001'::uuid),
             ('email', 'someone.else@example.com', null)) as v (kind, value, contact_id);

-- Owner
select tests.authenticate_as('traces_owner');
select is(json_array_length(public.export_subject_data(contact_id => '13800000-0000-4000-8000-000000000001')
    -> 'subjects' -> 0 -> 'contact_import_job_errors'), 2,
  'the export hands the subject the two lines holding its number, however spelt');
select is((public.gdpr_delete_subject(contact_id => '13800000-0000-4000-8000-000000000001') -> 'counts' ->> 'contact_import_job_errors')::int, 2,
  'the erasure removes those two lines');
reset role;

select results_eq($$ select value_excerpt from public.contact_import_job_errors where user_id = tests.get_supabase_uid('traces_owner') order by row_number $$,
  $$ values ('+44 7700 900139') $$,
  'another number''s line stays');
select is((select dry_run_report -> 'failing' from public.contact_import_jobs where id = (select id from job_ids where name = 'dry')),
  '[{"row_number": 3, "column": "phone", "value": "+44 7700 900139", "reason": "identifier_conflict"}]'::jsonb,
  'the dry-run entry holding the number in brackets is gone, the other stays');
select results_eq($$ select value from private.contact_import_dry_run_claims where user_id = tests.get_supabase_uid('traces_owner') order by value $$,
  $$ values ('someone.else@example.com') $$,
  'the dry run''s claims on the erased contact are gone, with its other address and number');
select is((select count(*)::int from public.contacts where user_id = tests.get_supabase_uid('traces_owner')), 0, 'and the contact');

select * from finish();
rollback;
