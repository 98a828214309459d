-- Erasures of one subject run one at a time (20251020000070): gdpr_delete_subject holds a
-- transaction-scoped advisory lock on the owner and the subject until its transaction ends, so a
-- repeat sent at the same time waits and then answers the first one's receipt. The lock names the
-- subject (its identifier's key, or the contact id), so other subjects and owners do not wait.
-- Two sessions cannot race inside one pgTAP transaction; the Deno test of gdpr-delete sends the
-- repeats at once.
begin;
select plan(5);

select tests.create_supabase_user('serial_owner');
select tests.create_supabase_user('serial_other');
insert into public.contacts (id, user_id, display_name) values
  ('18700000-0000-4000-8000-000000000001', tests.get_supabase_uid('serial_owner'), 'Serial Subject');
insert into public.contact_import_jobs (id, user_id, file_name, file_size_bytes, file_sha256, storage_path, source, status)
values ('18700000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('serial_owner'), 'traces.csv', 1, repeat('d', 64),
  'imports/' || tests.get_supabase_uid('serial_owner') || '/traces.csv', 'upload', 'pending');
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
values (tests.get_supabase_uid('serial_owner'), '18700000-0000-4000-8000-0000000000a1', 2, 'email', 'trace.only@serial.example',
  'duplicate_in_file: the same address twice');

create function pg_temp.advisory_keys() returns setof bigint language sql as $$
  select (l.classid::bigint << 32) | l.objid::bigint from pg_locks l
  where l.locktype = 'advisory' and l.pid = pg_backend_pid() and l.objsubid = 1
$$;

-- Owner
select tests.authenticate_as('serial_owner');
select lives_ok($$ select public.gdpr_delete_subject(identifier => 'trace.only@serial.example') $$,
  'the owner erases a subject that only import reports hold');
select is(
  (select count(*)::int from pg_temp.advisory_keys() k
   where k = hashtextextended(format('gdpr_delete_subject:%s:%s', tests.get_supabase_uid('serial_owner'),
     private.subject_identifier_key('trace.only@serial.example')), 0)),
  1, 'until the transaction ends it holds the lock of that owner and identifier, which a repeat waits on');

select lives_ok($$ select public.gdpr_delete_subject(contact_id => '18700000-0000-4000-8000-000000000001') $$,
  'the owner erases a contact by its id');
select is(
  (select count(*)::int from pg_temp.advisory_keys() k
   where k = hashtextextended(format('gdpr_delete_subject:%s:%s', tests.get_supabase_uid('serial_owner'),
     '18700000-0000-4000-8000-000000000001'), 0)),
  1, 'by contact the lock names the contact id, so erasures of other subjects do not wait on it');
select is((select count(*)::int from pg_temp.advisory_keys()), 2, 'one lock a subject, no lock of the whole owner');
reset role;

select * from finish();
rollback;
