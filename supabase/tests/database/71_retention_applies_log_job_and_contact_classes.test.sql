-- Retention of the log classes (audit trail, access log), of import jobs in bounded batches, and of
-- inactive contacts with suppression: each removes exactly the owner's rows past retention, keeps
-- what concerns a contact under legal hold, and never reaches another owner. (Interactions and
-- interaction content: 45 and the contacts-retention Deno test.)
begin;
select plan(16);

-- ============================================================================================
-- Setup (superuser). Owner A: 'Quiet' (800 days old, an e-mail channel, no interaction), 'Held'
-- (legal hold, an old interaction); audit entries 3000 days old about Quiet, about Held and about
-- no contact, plus a recent one; access-log entries 400 days old (two) and recent (one); a job
-- finished 400 days ago with 30 error rows and a summary. Owner B: old audit and access entries.
-- ============================================================================================
select tests.create_supabase_user('classes_owner');
select tests.create_supabase_user('classes_other_owner');

insert into public.contacts (id, user_id, display_name, legal_hold, legal_hold_reason, created_at) values
  ('c0710000-0000-4000-8000-000000000001', tests.get_supabase_uid('classes_owner'), 'Quiet', false, null, now() - interval '800 days'),
  ('c0710000-0000-4000-8000-000000000002', tests.get_supabase_uid('classes_owner'), 'Held', true, 'audit', now() - interval '800 days'),
  ('c0710000-0000-4000-8000-000000000091', tests.get_supabase_uid('classes_other_owner'), 'Other Quiet', false, null, now() - interval '800 days');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('classes_owner'), 'c0710000-0000-4000-8000-000000000001', 'email', 'quiet@example.com');
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at) values
  (tests.get_supabase_uid('classes_owner'), 'c0710000-0000-4000-8000-000000000002', 'email', 'inbound', 'held body', now() - interval '900 days');
insert into public.agents (id, user_id, name) values
  ('a0710000-0000-4000-8000-000000000001', tests.get_supabase_uid('classes_owner'), 'Searcher'),
  ('a0710000-0000-4000-8000-000000000091', tests.get_supabase_uid('classes_other_owner'), 'Other searcher');

delete from public.contact_audit_log
where user_id in (tests.get_supabase_uid('classes_owner'), tests.get_supabase_uid('classes_other_owner'));
insert into public.contact_audit_log (user_id, contact_id, table_name, row_id, action, changed_columns, actor_role, occurred_at) values
  (tests.get_supabase_uid('classes_owner'), 'c0710000-0000-4000-8000-000000000001', 'contacts', 'c0710000-0000-4000-8000-000000000001', 'update', '{tags}', 'postgres', now() - interval '3000 days'),
  (tests.get_supabase_uid('classes_owner'), 'c0710000-0000-4000-8000-000000000002', 'contacts', 'c0710000-0000-4000-8000-000000000002', 'update', '{tags}', 'postgres', now() - interval '3000 days'),
  (tests.get_supabase_uid('classes_owner'), null, 'contact_groups', gen_random_uuid(), 'insert', '{name}', 'postgres', now() - interval '3000 days'),
  (tests.get_supabase_uid('classes_owner'), null, 'contact_groups', gen_random_uuid(), 'insert', '{name}', 'postgres', now() - interval '10 days'),
  (tests.get_supabase_uid('classes_other_owner'), null, 'contact_groups', gen_random_uuid(), 'insert', '{name}', 'postgres', now() - interval '3000 days');
insert into public.agent_contact_access_log (user_id, agent_id, caller, query_hmac, result_count, searched_at) values
  (tests.get_supabase_uid('classes_owner'), 'a0710000-0000-4000-8000-000000000001', 'owner', repeat('1', 64), 1, now() - interval '400 days'),
  (tests.get_supabase_uid('classes_owner'), 'a0710000-0000-4000-8000-000000000001', 'owner', repeat('2', 64), 1, now() - interval '400 days'),
  (tests.get_supabase_uid('classes_owner'), 'a0710000-0000-4000-8000-000000000001', 'owner', repeat('3', 64), 1, now() - interval '1 day'),
  (tests.get_supabase_uid('classes_other_owner'), 'a0710000-0000-4000-8000-000000000091', 'owner', repeat('4', 64), 1, now() - interval '400 days');

insert into public.contact_import_jobs (id, user_id, file_name, created_at) values
  ('e0710000-0000-4000-8000-000000000001', tests.get_supabase_uid('classes_owner'), 'old.csv', now() - interval '401 days');
update public.contact_import_jobs set status = 'processing' where id = 'e0710000-0000-4000-8000-000000000001';
update public.contact_import_jobs set status = 'completed', total_rows = 30, processed_rows = 30, failed_count = 30,
  error_summary = '30 rows had invalid e-mail addresses such as someone@'
where id = 'e0710000-0000-4000-8000-000000000001';
update public.contact_import_jobs set completed_at = now() - interval '400 days' where id = 'e0710000-0000-4000-8000-000000000001';
insert into public.contact_import_job_errors (user_id, job_id, row_number, value_excerpt, reason)
select tests.get_supabase_uid('classes_owner'), 'e0710000-0000-4000-8000-000000000001', n + 1, 'bad-' || n, 'invalid e-mail'
from generate_series(1, 30) n;

insert into public.contact_retention_policies (user_id, data_class, action, retain_days, suppress_identifiers) values
  (tests.get_supabase_uid('classes_owner'), 'audit_log', 'delete', 2555, false),
  (tests.get_supabase_uid('classes_owner'), 'access_log', 'delete', 365, false),
  (tests.get_supabase_uid('classes_owner'), 'import_jobs', 'anonymize', 90, false),
  (tests.get_supabase_uid('classes_owner'), 'inactive_contacts', 'delete', 365, true);

create temporary table before_other as
select (select count(*) from public.contact_audit_log where user_id = tests.get_supabase_uid('classes_other_owner')) as audit,
       (select count(*) from public.agent_contact_access_log where user_id = tests.get_supabase_uid('classes_other_owner')) as searches,
       (select count(*) from public.contacts where user_id = tests.get_supabase_uid('classes_other_owner')) as contacts;

-- ============================================================================================
-- service_role: a dry run, then the import job in small batches, then everything else
-- ============================================================================================
select tests.authenticate_as_service_role();

select results_eq(
  $$ select data_class, action, affected_rows from public.apply_retention_policies(true, tests.get_supabase_uid('classes_owner')) $$,
  $$ values ('access_log', 'delete', 2::bigint), ('audit_log', 'delete', 2::bigint), ('import_jobs', 'anonymize', 1::bigint),
            ('inactive_contacts', 'delete', 1::bigint) $$,
  'a dry run counts two old searches, two old audit entries (not Held''s), the finished job and the quiet contact');

select is(
  (select count(*) from public.contact_import_job_errors where job_id = 'e0710000-0000-4000-8000-000000000001'),
  30::bigint, 'the dry run left the job''s error rows in place');

-- A run of import jobs only, 20 error rows per batch (batch size 20: two jobs, ten rows each).
update public.contact_retention_policies set is_enabled = (data_class = 'import_jobs')
where user_id = tests.get_supabase_uid('classes_owner');
create temporary table job_run as
select private.retention_run_start(false, tests.get_supabase_uid('classes_owner'), null, 'sql', 20, false) as id;
select ok(private.retention_run_step((select id from job_run)), 'after the first batch the job still has error rows: the run goes on');
select is(
  (select count(*) from public.contact_import_job_errors where job_id = 'e0710000-0000-4000-8000-000000000001'),
  10::bigint, 'one batch removed twenty of the thirty error rows, no more');
select is(
  (select error_summary is not null from public.contact_import_jobs where id = 'e0710000-0000-4000-8000-000000000001'),
  true, 'the job keeps its summary until its last error row is gone');
select ok(not private.retention_run_step((select id from job_run)), 'the second batch finishes the job and the run');
select results_eq(
  $$ select r.status, r.batches, r.counts from private.retention_run_finish((select id from job_run)) r $$,
  $$ values ('completed', 2::bigint, '{"import_jobs": {"anonymize": 1}}'::jsonb) $$,
  'the run completes in two batches and counts the job once');
select results_eq(
  $$ select j.error_summary, (select count(*) from public.contact_import_job_errors e where e.job_id = j.id)
     from public.contact_import_jobs j where j.id = 'e0710000-0000-4000-8000-000000000001' $$,
  $$ values (null::text, 0::bigint) $$,
  'the anonymized job keeps its counts but loses its error rows and its summary');

update public.contact_retention_policies set is_enabled = true where user_id = tests.get_supabase_uid('classes_owner');
select results_eq(
  $$ select data_class, action, affected_rows from public.apply_retention_policies(false, tests.get_supabase_uid('classes_owner')) $$,
  $$ values ('access_log', 'delete', 2::bigint), ('audit_log', 'delete', 2::bigint), ('import_jobs', 'anonymize', 0::bigint),
            ('inactive_contacts', 'delete', 1::bigint) $$,
  'a real run deletes what the dry run counted; the job has nothing left to anonymize');

-- ============================================================================================
-- Superuser: what is left
-- ============================================================================================
reset role;
select set_config('request.jwt.claims', null, true);

select results_eq(
  $$ select contact_id, table_name from public.contact_audit_log
     where user_id = tests.get_supabase_uid('classes_owner') and occurred_at < now() - interval '1 day' order by occurred_at, id $$,
  $$ values ('c0710000-0000-4000-8000-000000000002'::uuid, 'contacts'), (null::uuid, 'contact_groups') $$,
  'audit_log: the old entries go except the one about the contact under legal hold; the recent one stays');

select results_eq(
  $$ select query_hmac from public.agent_contact_access_log where user_id = tests.get_supabase_uid('classes_owner') $$,
  $$ values (repeat('3', 64)) $$,
  'access_log: both 400-day-old searches go, the recent one stays');

select set_eq(
  $$ select display_name from public.contacts where user_id = tests.get_supabase_uid('classes_owner') $$,
  $$ values ('Held') $$,
  'inactive_contacts/delete removes the quiet contact; the contact under legal hold stays');

select ok(
  private.is_suppressed(tests.get_supabase_uid('classes_owner'), 'email', 'quiet@example.com'),
  'the deleted contact''s e-mail address is on the owner''s suppression list, as the policy asked');

select results_eq(
  $$ select content from public.contact_interactions where contact_id = 'c0710000-0000-4000-8000-000000000002' $$,
  $$ values ('held body') $$,
  'the held contact''s 900-day-old interaction is untouched');

select results_eq(
  $$ select (select count(*) from public.contact_audit_log where user_id = tests.get_supabase_uid('classes_other_owner') and occurred_at < now() - interval '1 day'),
            (select count(*) from public.agent_contact_access_log where user_id = tests.get_supabase_uid('classes_other_owner')),
            (select count(*) from public.contacts where user_id = tests.get_supabase_uid('classes_other_owner')) $$,
  $$ select audit, searches, contacts from before_other $$,
  'owner B''s old audit entry, old search and inactive contact are all still there: A''s policies never reach them');

select is(
  (select count(*) from public.contact_suppressions where user_id = tests.get_supabase_uid('classes_other_owner')),
  0::bigint, 'nothing was suppressed for owner B');

select * from finish();
rollback;
