-- Rows of one import batch settle numbers as the dedupe key matches them (20251020000017): under
-- the phone key a number is one whatever its channel type, so a row keyed by a number an earlier
-- row gave as SMS is a duplicate and a row giving as WhatsApp another row's phone fails; under the
-- e-mail key the same number as phone and as SMS are two channels of two contacts. One batch and
-- one batch a row end alike.
begin;
select plan(6);

select tests.create_supabase_user(o) from unnest(array['numbers_whole', 'numbers_rows', 'mail_key']) as o;

create temporary table jobs (name text primary key, id uuid) on commit drop;
grant all on jobs to authenticated, service_role;
insert into jobs
select j.owner, (select job_id from private.create_import_job(tests.get_supabase_uid(j.owner), j.owner || '.csv', 1,
    md5(j.owner) || md5(j.owner), 'imports/' || tests.get_supabase_uid(j.owner) || '/' || j.owner || '.csv', 'upload', '{}',
    j.options::jsonb, false, 4, false))
from (values ('numbers_whole', '{"dedupe_key": "phone"}'), ('numbers_rows', '{"dedupe_key": "phone"}'),
             ('mail_key', '{"dedupe_key": "email"}')) as j (owner, options);
update public.contact_import_jobs set status = 'processing' where id in (select id from jobs);

create temporary table number_rows (n bigint primary key, item json) on commit drop;
grant all on number_rows to authenticated, service_role;
insert into number_rows values
  (2, '{"n": 2, "k": "+442079460040", "first_name": "Two", "channels": [
        {"t": "phone", "v": "+442079460040", "nv": "+442079460040", "p": true, "col": "phone"},
        {"t": "sms", "v": "+442079460041", "nv": "+442079460041", "p": true, "col": "sms"}]}'),
  (3, '{"n": 3, "k": "+442079460041", "first_name": "Three", "channels": [
        {"t": "phone", "v": "+442079460041", "nv": "+442079460041", "p": true, "col": "phone"}]}'),
  (4, '{"n": 4, "k": "+442079460042", "first_name": "Four", "channels": [
        {"t": "phone", "v": "+442079460042", "nv": "+442079460042", "p": true, "col": "phone"},
        {"t": "whatsapp", "v": "+442079460040", "nv": "+442079460040", "p": true, "col": "whatsapp"}]}');

-- service_role
select tests.authenticate_as_service_role();
select is(private.import_contacts_batch((select id from jobs where name = 'numbers_whole'),
    (select json_agg(item order by n) from number_rows), '[]'::json, 100, 5),
  '{"created": 1, "updated": 0, "skipped": 1, "failed": 1}'::jsonb,
  'under the phone key, one batch: the first row creates, the row keyed by its SMS number is a duplicate, the row with its number on WhatsApp fails');
select is((select jsonb_object_agg(k, total) from (
    select c.k, sum(c.v::bigint) as total
    from number_rows f
    cross join lateral jsonb_each_text(private.import_contacts_batch((select id from jobs where name = 'numbers_rows'),
      json_build_array(f.item), '[]'::json, f.n * 10, f.n + 1)) as c (k, v)
    group by c.k) as t),
  '{"created": 1, "updated": 0, "skipped": 1, "failed": 1}'::jsonb, 'one row a batch: the same');
select is(private.import_contacts_batch((select id from jobs where name = 'mail_key'), $$[
    {"n": 2, "k": "a@numbers.test", "first_name": "A", "channels": [
      {"t": "email", "v": "a@numbers.test", "nv": "a@numbers.test", "p": true, "col": "email"},
      {"t": "phone", "v": "+442079460043", "nv": "+442079460043", "p": true, "col": "phone"}]},
    {"n": 3, "k": "b@numbers.test", "first_name": "B", "channels": [
      {"t": "email", "v": "b@numbers.test", "nv": "b@numbers.test", "p": true, "col": "email"},
      {"t": "sms", "v": "+442079460043", "nv": "+442079460043", "p": true, "col": "sms"}]}
  ]$$::json, '[]'::json, 100, 4),
  '{"created": 2, "updated": 0, "skipped": 0, "failed": 0}'::jsonb,
  'under the e-mail key, the same number as one row''s phone and another''s SMS: two contacts');
reset role;

select results_eq(
  $$ select e.row_number, e.column_name, split_part(e.reason, ':', 1) from public.contact_import_job_errors e
     where e.job_id = (select id from jobs where name = 'numbers_whole') order by 1 $$,
  $$ values (3::bigint, null::text, 'duplicate_in_file'::text), (4, 'whatsapp', 'identifier_conflict') $$,
  'the report names the duplicate and the WhatsApp column');
select results_eq(
  $$ select e.row_number, e.column_name, e.reason from public.contact_import_job_errors e
     where e.job_id = (select id from jobs where name = 'numbers_rows') order by 1 $$,
  $$ select e.row_number, e.column_name, e.reason from public.contact_import_job_errors e
     where e.job_id = (select id from jobs where name = 'numbers_whole') order by 1 $$,
  'one row a batch reports alike');
select is((select count(*)::int from public.contact_communication_channels
           where user_id = tests.get_supabase_uid('mail_key') and normalized_identifier = '+442079460043'), 2,
  'the number is a phone of one contact and an SMS number of the other');

select * from finish();
rollback;
