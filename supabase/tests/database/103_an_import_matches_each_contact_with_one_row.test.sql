-- An import batch matches each existing contact with one row of the file at most (20251015000000):
-- two rows reaching one contact through different e-mails update it once and the later row is a
-- duplicate within the file, in one batch, across batches and in dry runs. A row without the dedupe
-- key matches the contact all its identifiers belong to. Handles are looked up in the database's
-- normalized form, and a batch that repeats the job's position or carries an outcome no count holds
-- is refused.
begin;
select plan(21);

do $$
declare
  owner_id uuid := tests.create_supabase_user('match_owner');
begin
  insert into public.contacts (id, user_id, first_name, external_id) values
    ('10300000-0000-4000-8000-000000000001', owner_id, 'X', null),
    ('10300000-0000-4000-8000-000000000002', owner_id, 'Y', null),
    ('10300000-0000-4000-8000-000000000003', owner_id, 'Z', null);
  insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary) values
    (owner_id, '10300000-0000-4000-8000-000000000001', 'email', 'a@example.com', true),
    (owner_id, '10300000-0000-4000-8000-000000000001', 'email', 'b@example.com', false),
    (owner_id, '10300000-0000-4000-8000-000000000002', 'phone', '+442079460018', true),
    (owner_id, '10300000-0000-4000-8000-000000000003', 'whatsapp', '+442079460019', true);
end
$$;

select tests.authenticate_as('match_owner');
create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to authenticated, service_role;
insert into job_ids
select 'one', job_id from private.create_import_job(tests.get_supabase_uid('match_owner'), 'one.csv', 1, repeat('1', 64),
  'imports/' || tests.get_supabase_uid('match_owner') || '/one.csv', 'upload', '{}', '{"on_duplicate": "update"}', false, 9, false)
union all
select 'two', job_id from private.create_import_job(tests.get_supabase_uid('match_owner'), 'two.csv', 1, repeat('2', 64),
  'imports/' || tests.get_supabase_uid('match_owner') || '/two.csv', 'upload', '{}', '{"on_duplicate": "update"}', false, 9, true)
union all
select 'dry', job_id from private.create_import_job(tests.get_supabase_uid('match_owner'), 'dry.csv', 1, repeat('3', 64),
  'imports/' || tests.get_supabase_uid('match_owner') || '/dry.csv', 'upload', '{}', '{"on_duplicate": "update"}', true, 9, false);
update public.contact_import_jobs set status = 'processing';

-- One batch, two rows reaching X by a@ and b@.
select is(private.import_contacts_batch((select id from job_ids where name = 'one'), $$[
  {"n": 2, "k": "a@example.com", "first_name": "Al", "job_title": "CEO",
   "channels": [{"t": "email", "v": "a@example.com", "nv": "a@example.com", "p": true, "col": "email"}]},
  {"n": 3, "k": "b@example.com", "first_name": "Bo", "organization": "Acme",
   "channels": [{"t": "email", "v": "b@example.com", "nv": "b@example.com", "p": true, "col": "email"}]}
]$$::json, '[]'::json, 100, 4), '{"created": 0, "updated": 1, "skipped": 1, "failed": 0}'::jsonb,
  'two rows of one batch matching one contact by different e-mails: one update, one skip');
select results_eq($$ select first_name, job_title, organization from public.contacts where id = '10300000-0000-4000-8000-000000000001' $$,
  $$ values ('Al'::text, 'CEO'::text, null::text) $$, 'the contact holds the first row''s values only');
select results_eq($$ select row_number, reason from public.contact_import_job_errors where job_id = (select id from job_ids where name = 'one') $$,
  $$ values (3::bigint, 'duplicate_in_file: an earlier row of this file matched the same contact'::text) $$,
  'the later row is in the error report as a duplicate within the file, matched to the same contact');
select is((select count(*)::int from public.contact_import_changes where job_id = (select id from job_ids where name = 'one')), 1,
  'the change log holds the contact once');

-- Across batches, and in a dry run, by a@ then b@.
select is(private.import_contacts_batch(j.id, $$[
  {"n": 2, "k": "a@example.com", "first_name": "Al", "channels": [{"t": "email", "v": "a@example.com", "nv": "a@example.com", "p": true, "col": "email"}]}
]$$::json, '[]'::json, 100, 3), '{"created": 0, "updated": 1, "skipped": 0, "failed": 0}'::jsonb,
  format('%s: the first batch updates the contact', j.name))
from job_ids j where j.name in ('two', 'dry') order by j.name;
select is(private.import_contacts_batch(j.id, $$[
  {"n": 3, "k": "b@example.com", "first_name": "Bo", "channels": [{"t": "email", "v": "b@example.com", "nv": "b@example.com", "p": true, "col": "email"}]}
]$$::json, '[]'::json, 200, 4), '{"created": 0, "updated": 0, "skipped": 1, "failed": 0}'::jsonb,
  format('%s: a later batch reaching the same contact by another e-mail is a duplicate within the file', j.name))
from job_ids j where j.name in ('two', 'dry') order by j.name;
select is((select first_name from public.contacts where id = '10300000-0000-4000-8000-000000000001'), 'Al',
  'the later batch did not overwrite the contact');

-- Rows without the dedupe key (no e-mail) are matched by their other identifiers.
select is(private.import_contacts_batch((select id from job_ids where name = 'two'), $$[
  {"n": 4, "k": null, "first_name": "Yvonne", "channels": [{"t": "phone", "v": "+442079460018", "nv": "+442079460018", "p": true, "col": "phone"}]},
  {"n": 5, "k": null, "first_name": "Both", "channels": [{"t": "phone", "v": "+442079460018", "nv": "+442079460018", "p": true, "col": "phone"},
    {"t": "whatsapp", "v": "+442079460019", "nv": "+442079460019", "p": true, "col": "whatsapp"}]},
  {"n": 6, "k": null, "first_name": "Nobody", "channels": [{"t": "phone", "v": "+442079460020", "nv": "+442079460020", "p": true, "col": "phone"}]}
]$$::json, '[]'::json, 300, 7), '{"created": 1, "updated": 1, "skipped": 0, "failed": 1}'::jsonb,
  'keyless rows: a phone of one contact updates it, identifiers of two contacts fail, an unknown phone creates');
select is((select first_name from public.contacts where id = '10300000-0000-4000-8000-000000000002'), 'Yvonne',
  'the keyless row updated the contact holding its phone');
select results_eq($$ select row_number, column_name, split_part(reason, ':', 1) from public.contact_import_job_errors
  where job_id = (select id from job_ids where name = 'two') and row_number = 5 $$,
  $$ values (5::bigint, 'whatsapp'::text, 'identifier_conflict'::text) $$,
  'the row whose identifiers belong to two contacts fails on the second one');

insert into job_ids select 'skip', job_id from private.create_import_job(tests.get_supabase_uid('match_owner'), 'skip.csv', 1, repeat('4', 64),
  'imports/' || tests.get_supabase_uid('match_owner') || '/skip.csv', 'upload', '{}', '{}', false, 9, false);
update public.contact_import_jobs set status = 'processing' where id = (select id from job_ids where name = 'skip');
select is(private.import_contacts_batch((select id from job_ids where name = 'skip'), $$[
  {"n": 2, "k": null, "first_name": "Again", "channels": [{"t": "phone", "v": "+442079460018", "nv": "+442079460018", "p": true, "col": "phone"}]}
]$$::json, '[]'::json, 100, 3), '{"created": 0, "updated": 0, "skipped": 1, "failed": 0}'::jsonb,
  'under the skip policy a keyless row matching a contact is skipped');
select is((select reason from public.contact_import_job_errors where job_id = (select id from job_ids where name = 'skip')),
  'duplicate: a contact with this row''s identifiers already exists', 'the reason names the row''s identifiers, not a key it lacks');

-- Handles in the database's normalized form: a capital dotted I lower-cases to two characters in
-- JavaScript and to one in PostgreSQL.
select is(private.import_contacts_batch((select id from job_ids where name = 'two'), format($$[
  {"n": 7, "k": "istanbul@example.com", "first_name": "Ist", "channels": [
    {"t": "email", "v": "istanbul@example.com", "nv": "istanbul@example.com", "p": true, "col": "email"},
    {"t": "telegram", "v": "İSTANBUL", "nv": "%s", "p": true, "col": "telegram"}]},
  {"n": 8, "k": "lower@example.com", "first_name": "Low", "channels": [
    {"t": "email", "v": "lower@example.com", "nv": "lower@example.com", "p": true, "col": "email"},
    {"t": "telegram", "v": "AdaHandle", "nv": "adahandle", "p": true, "col": "telegram"}]}
]$$, 'i' || U&'\0307' || 'stanbul')::json, '[]'::json, 400, 9), '{"created": 1, "updated": 0, "skipped": 0, "failed": 1}'::jsonb,
  'a handle whose lower case differs in the database fails its row; an ordinary handle imports');
select results_eq($$ select column_name, value_excerpt, split_part(reason, ':', 1) from public.contact_import_job_errors
  where job_id = (select id from job_ids where name = 'two') and row_number = 7 $$,
  $$ values ('telegram'::text, 'İSTANBUL'::text, 'invalid_identifier'::text) $$,
  'the error report names the column, the value and the reason');
select is((select count(*)::int from public.contacts where first_name = 'Ist'), 0, 'the failed row created nothing');

-- The batch's input: never behind the job's position, outcomes that a count holds.
select throws_ok(format($$ select private.import_contacts_batch(%L, '[]'::json, '[{"row_number": 10, "reason": "x", "outcome": "fail"}]'::json, 400, 11) $$,
  (select id from job_ids where name = 'two')), '55000', null, 'a batch ending at the saved position was imported already: refused');
select throws_ok(format($$ select private.import_contacts_batch(%L, '[]'::json, '[{"row_number": 10, "reason": "x", "outcome": "lost"}]'::json, 500, 11) $$,
  (select id from job_ids where name = 'two')), '22023', 'a row the caller rejected is either skipped or failed (outcome skip or fail)',
  'a rejected row with an outcome no count holds is refused');
select results_eq($$ select processed_rows, created_count + updated_count + skipped_count + failed_count, resume_offset
  from public.contact_import_jobs where id = (select id from job_ids where name = 'two') $$,
  $$ values (7::bigint, 7::bigint, 400::bigint) $$, 'the refused batches changed neither the counts nor the position');
select is(private.import_contacts_batch((select id from job_ids where name = 'two'), '[]'::json,
  '[{"row_number": 10, "reason": "invalid_email: x", "outcome": "fail"}]'::json, 500, 11),
  '{"created": 0, "updated": 0, "skipped": 0, "failed": 1}'::jsonb, 'the next batch, past the position, is taken');

select * from finish();
rollback;
