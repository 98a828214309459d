-- The rows of an import are decided one after another against what the rows before them wrote,
-- wherever the batches split (20251020000017, 20251020000018): the same file as one batch and as
-- one batch a row gives the same outcomes, error report and contacts, in real and dry runs. A row
-- whose twin the database fails is decided in its place; an identifier of another contact fails a
-- row before a contact an earlier row wrote makes it a duplicate.
begin;
select plan(12);

-- Two owners with the same contacts, erasures and file.
do $$
declare
  owner_name text;
  owner_id uuid;
begin
  foreach owner_name in array array['settle_whole', 'settle_rows'] loop
    owner_id := tests.create_supabase_user(owner_name);
    insert into public.contacts (user_id, first_name) values (owner_id, 'Existing phone'), (owner_id, 'Existing mail');
    insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary)
    select owner_id, c.id, v.t, v.i, true
    from public.contacts c
    join (values ('Existing phone', 'phone', '+442079460030'), ('Existing mail', 'email', 'u@settle.test')) as v (name, t, i)
      on v.name = c.first_name
    where c.user_id = owner_id;
  end loop;
end
$$;
select tests.authenticate_as_service_role();
select private.suppress_identifiers(tests.get_supabase_uid(o), array['email:gone@settle.test'])
from unnest(array['settle_whole', 'settle_rows']) as o;
reset role;

create temporary table file_rows (n bigint primary key, item json) on commit drop;
grant all on file_rows to authenticated, service_role;
insert into file_rows values
  (2, '{"n": 2, "k": "a@settle.test", "first_name": "A taken phone", "channels": [
        {"t": "email", "v": "a@settle.test", "nv": "a@settle.test", "p": true, "col": "email"},
        {"t": "phone", "v": "+442079460030", "nv": "+442079460030", "p": true, "col": "phone"}]}'),
  (3, '{"n": 3, "k": "a@settle.test", "first_name": "A", "channels": [
        {"t": "email", "v": "a@settle.test", "nv": "a@settle.test", "p": true, "col": "email"}]}'),
  (4, '{"n": 4, "k": "a@settle.test", "first_name": "A again", "channels": [
        {"t": "email", "v": "a@settle.test", "nv": "a@settle.test", "p": true, "col": "email"}]}'),
  (5, '{"n": 5, "k": "gone@settle.test", "first_name": "Gone", "channels": [
        {"t": "email", "v": "gone@settle.test", "nv": "gone@settle.test", "p": true, "col": "email"}]}'),
  (6, '{"n": 6, "k": "u@settle.test", "first_name": "Updated", "channels": [
        {"t": "email", "v": "u@settle.test", "nv": "u@settle.test", "p": true, "col": "email"}]}'),
  (7, '{"n": 7, "k": "x@settle.test", "first_name": "X", "external_id": "X-1", "xcol": "customer", "channels": [
        {"t": "email", "v": "x@settle.test", "nv": "x@settle.test", "p": true, "col": "email"}]}'),
  (8, '{"n": 8, "k": null, "first_name": "No key", "channels": [
        {"t": "email", "v": "u@settle.test", "nv": "u@settle.test", "p": true, "col": "email"}]}'),
  (9, '{"n": 9, "k": "b@settle.test", "first_name": "B", "channels": [
        {"t": "email", "v": "b@settle.test", "nv": "b@settle.test", "p": true, "col": "email"},
        {"t": "email", "v": "b2@settle.test", "nv": "b2@settle.test", "p": false, "col": "email2"},
        {"t": "phone", "v": "+442079460031", "nv": "+442079460031", "p": true, "col": "phone"}]}'),
  (10, '{"n": 10, "k": "c@settle.test", "first_name": "C", "channels": [
        {"t": "email", "v": "c@settle.test", "nv": "c@settle.test", "p": true, "col": "email"},
        {"t": "phone", "v": "+442079460031", "nv": "+442079460031", "p": true, "col": "phone"}]}'),
  (11, '{"n": 11, "k": null, "first_name": "Two contacts", "channels": [
        {"t": "email", "v": "a@settle.test", "nv": "a@settle.test", "p": true, "col": "email"},
        {"t": "phone", "v": "+442079460031", "nv": "+442079460031", "p": true, "col": "phone"}]}'),
  (12, '{"n": 12, "k": "d@settle.test", "first_name": "D", "external_id": "X-1", "xcol": "customer", "channels": [
        {"t": "email", "v": "d@settle.test", "nv": "d@settle.test", "p": true, "col": "email"}]}'),
  (13, '{"n": 13, "k": "b2@settle.test", "first_name": "B by its second address", "channels": [
        {"t": "email", "v": "b2@settle.test", "nv": "b2@settle.test", "p": true, "col": "email"}]}');

create temporary table jobs (name text primary key, owner text, id uuid) on commit drop;
grant all on jobs to authenticated, service_role;
insert into jobs
select j.name, j.owner, (select job_id from private.create_import_job(tests.get_supabase_uid(j.owner), j.name || '.csv', 1,
    md5(j.name) || md5(j.name), 'imports/' || tests.get_supabase_uid(j.owner) || '/' || j.name || '.csv', 'upload', '{}',
    '{"on_duplicate": "update"}', j.dry, 12, false))
from (values ('whole', 'settle_whole', false), ('rows', 'settle_rows', false),
             ('dry_whole', 'settle_whole', true), ('dry_rows', 'settle_whole', true)) as j (name, owner, dry);
update public.contact_import_jobs set status = 'processing' where id in (select id from jobs);

-- service_role: the dry runs, then the real ones; whole file or one row a batch.
select tests.authenticate_as_service_role();
create temporary table counts (name text primary key, counts jsonb) on commit drop;
create function pg_temp.whole(job_name text) returns void language sql as $$
  insert into counts
  select j.name, private.import_contacts_batch(j.id, (select json_agg(f.item order by f.n) from file_rows f), '[]'::json, 1000, 14)
  from jobs j where j.name = job_name
$$;
create function pg_temp.row_by_row(job_name text) returns void language sql as $$
  insert into counts
  select j.name, (select jsonb_object_agg(k, total) from (
      select k, sum(v::bigint) as total
      from file_rows f
      cross join lateral jsonb_each_text(private.import_contacts_batch(j.id, json_build_array(f.item), '[]'::json, f.n * 10, f.n + 1)) as c (k, v)
      group by k) as t)
  from jobs j where j.name = job_name
$$;
select pg_temp.whole('dry_whole');
select pg_temp.row_by_row('dry_rows');
select pg_temp.whole('whole');
select pg_temp.row_by_row('rows');
reset role;

select is((select counts from counts where name = 'whole'), '{"created": 3, "updated": 1, "skipped": 4, "failed": 4}'::jsonb,
  'the file as one batch: three created, one updated, four skipped, four failed');
select is((select counts from counts where name = 'rows'), (select counts from counts where name = 'whole'),
  'the file one row a batch: the same counts');
select is((select counts from counts where name = 'dry_whole'), (select counts from counts where name = 'whole'),
  'a dry run of the file as one batch foresees the same counts');
select is((select counts from counts where name = 'dry_rows'), (select counts from counts where name = 'whole'),
  'a dry run one row a batch foresees them too');

select results_eq(
  $$ select e.row_number, e.column_name, e.reason from public.contact_import_job_errors e
     where e.job_id = (select id from jobs where name = 'whole') order by e.row_number $$,
  $$ values
    (2::bigint, 'phone'::text, 'identifier_conflict: this phone belongs to another contact'::text),
    (4, null, 'duplicate_in_file: an earlier row of this file matched the same contact'),
    (5, 'email', 'suppressed: this identifier was erased at the data subject''s request'),
    (8, null, 'duplicate_in_file: an earlier row of this file matched the same contact'),
    (10, 'phone', 'identifier_conflict: this phone belongs to another contact'),
    (11, 'phone', 'identifier_conflict: this phone belongs to another contact'),
    (12, 'customer', 'identifier_conflict: this external id belongs to another contact'),
    (13, null, 'duplicate_in_file: an earlier row of this file matched the same contact') $$,
  'the report: the failed first row, the twin after the row written, the erased address, the keyless row of an updated contact, the phone, the two contacts and the external id of rows written before, the key of another row''s second address');
select results_eq(
  $$ select e.row_number, e.column_name, e.reason from public.contact_import_job_errors e
     where e.job_id = (select id from jobs where name = 'rows') order by e.row_number $$,
  $$ select e.row_number, e.column_name, e.reason from public.contact_import_job_errors e
     where e.job_id = (select id from jobs where name = 'whole') order by e.row_number $$,
  'one row a batch gives the same report, line for line');
select results_eq(
  $$ select e.row_number, e.reason from public.contact_import_job_errors e
     where e.job_id = (select id from jobs where name = 'dry_rows') order by e.row_number $$,
  $$ select e.row_number, e.reason from public.contact_import_job_errors e
     where e.job_id = (select id from jobs where name = 'dry_whole') order by e.row_number $$,
  'the two dry runs report alike');

select results_eq(
  $$ select c.first_name, array(select ch.normalized_identifier from public.contact_communication_channels ch where ch.contact_id = c.id order by 1)::text[], c.external_id
     from public.contacts c where c.user_id = tests.get_supabase_uid('settle_whole') order by c.first_name $$,
  $$ values ('A'::text, array['a@settle.test']::text[], null::text),
            ('B', array['+442079460031', 'b2@settle.test', 'b@settle.test'], null),
            ('Existing phone', array['+442079460030'], null),
            ('Updated', array['u@settle.test'], null),
            ('X', array['x@settle.test'], 'X-1') $$,
  'the twin of the failed row made the contact, the first row written updated the existing one, and nothing else was written');
select results_eq(
  $$ select c.first_name, array(select ch.normalized_identifier from public.contact_communication_channels ch where ch.contact_id = c.id order by 1)::text[], c.external_id
     from public.contacts c where c.user_id = tests.get_supabase_uid('settle_rows') order by c.first_name $$,
  $$ select c.first_name, array(select ch.normalized_identifier from public.contact_communication_channels ch where ch.contact_id = c.id order by 1)::text[], c.external_id
     from public.contacts c where c.user_id = tests.get_supabase_uid('settle_whole') order by c.first_name $$,
  'one row a batch leaves the same contacts');

-- Across batches too, another contact's identifier comes before a contact the file wrote: a
-- keyless row holding the updated contact's address and a number of another contact fails.
insert into jobs
select 'late', 'settle_rows', job_id from private.create_import_job(tests.get_supabase_uid('settle_rows'), 'late.csv', 1,
  repeat('e', 64), 'imports/' || tests.get_supabase_uid('settle_rows') || '/late.csv', 'upload', '{}', '{"on_duplicate": "update"}', false, 2, false);
update public.contact_import_jobs set status = 'processing' where id = (select id from jobs where name = 'late');
select tests.authenticate_as_service_role();
select is(private.import_contacts_batch((select id from jobs where name = 'late'), (select json_build_array(item) from file_rows where n = 6), '[]'::json, 10, 3),
  '{"created": 0, "updated": 1, "skipped": 0, "failed": 0}'::jsonb, 'a first batch updates the contact of u@');
select is(private.import_contacts_batch((select id from jobs where name = 'late'), $$[{"n": 3, "k": null, "first_name": "Both", "channels": [
    {"t": "email", "v": "u@settle.test", "nv": "u@settle.test", "p": true, "col": "email"},
    {"t": "phone", "v": "+442079460030", "nv": "+442079460030", "p": true, "col": "phone"}]}]$$::json, '[]'::json, 20, 4),
  '{"created": 0, "updated": 0, "skipped": 0, "failed": 1}'::jsonb,
  'a later batch''s keyless row holding that address and another contact''s number fails');
reset role;
select is((select reason from public.contact_import_job_errors where job_id = (select id from jobs where name = 'late')),
  'identifier_conflict: this phone belongs to another contact', 'on the number of the other contact');

select * from finish();
rollback;
