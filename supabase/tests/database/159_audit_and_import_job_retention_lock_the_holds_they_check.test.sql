-- Retention of audit entries and of import jobs reads legal holds under a lock (20251020000037),
-- so a hold placed while a batch runs either shows or waits for the batch's transaction: the audit
-- batch locks the contacts of the entries it deletes for share (skipping those a hold under way
-- holds) and reads their hold again; a real import jobs batch takes the retention hold lock
-- exclusively before it reads the holds (placing one takes it in share mode). The race needs two
-- sessions (supabase/tests/functions/retention-under-holds-and-policy-changes.test.ts); this file checks
-- that the locks are taken, by whom and in which mode, and that held contacts keep their entries
-- and jobs while the rest goes as before.
begin;
select plan(9);

-- ============================================================================================
-- Setup (superuser): owner audit_lock_owner with contacts Free and Held, and audit entries 500
-- days old: two about Free, two about Held, one about a contact since deleted and one about no
-- contact (a group). Owner jobs_lock_owner with contacts Kept and Plain, and two jobs finished
-- 200 days ago whose change logs name them.
-- ============================================================================================
select tests.create_supabase_user('audit_lock_owner');
select tests.create_supabase_user('jobs_lock_owner');
insert into public.contacts (id, user_id, display_name) values
  ('15900000-0000-4000-8000-000000000001', tests.get_supabase_uid('audit_lock_owner'), 'Free'),
  ('15900000-0000-4000-8000-000000000002', tests.get_supabase_uid('audit_lock_owner'), 'Held'),
  ('15900000-0000-4000-8000-000000000003', tests.get_supabase_uid('jobs_lock_owner'), 'Kept'),
  ('15900000-0000-4000-8000-000000000004', tests.get_supabase_uid('jobs_lock_owner'), 'Plain');
delete from public.contact_audit_log where user_id = tests.get_supabase_uid('audit_lock_owner');
insert into public.contact_audit_log (user_id, contact_id, table_name, row_id, action, changed_columns, actor_role, occurred_at)
select tests.get_supabase_uid('audit_lock_owner'), v.contact_id, v.table_name, coalesce(v.contact_id, gen_random_uuid()), 'update',
  '{notes}', 'authenticated', now() - interval '500 days' - v.n * interval '1 minute'
from (values ('15900000-0000-4000-8000-000000000001'::uuid, 'contacts', 1), ('15900000-0000-4000-8000-000000000001', 'contacts', 2),
             ('15900000-0000-4000-8000-000000000002', 'contacts', 3), ('15900000-0000-4000-8000-000000000002', 'contacts', 4),
             ('15900000-0000-4000-8000-0000000000ff', 'contacts', 5), (null, 'contact_groups', 6)) as v (contact_id, table_name, n);
insert into public.contact_retention_policies (user_id, data_class, action, retain_days) values
  (tests.get_supabase_uid('audit_lock_owner'), 'audit_log', 'delete', 30);
create temporary table job_ids (name text primary key, id uuid);
grant select on job_ids to service_role;
insert into job_ids values
  ('about_kept', tests.create_import_job('jobs_lock_owner', 'about_kept')),
  ('about_plain', tests.create_import_job('jobs_lock_owner', 'about_plain'));
insert into public.contact_import_changes (job_id, contact_id, user_id, action, previous, contact_updated_at)
select j.id, c.id, c.user_id, 'updated', '{"organization": "Previous Employer"}', now() - interval '200 days'
from job_ids j
join public.contacts c on c.display_name = case j.name when 'about_kept' then 'Kept' else 'Plain' end
  and c.user_id = tests.get_supabase_uid('jobs_lock_owner');
update public.contact_import_jobs set status = 'completed', total_rows = 1, processed_rows = 1, updated_count = 1
where id in (select id from job_ids);
update public.contact_import_jobs set created_at = now() - interval '201 days', completed_at = now() - interval '200 days'
where id in (select id from job_ids);

-- Whether this transaction holds a share lock (or a stronger one) on the contact's row; foreign key
-- checks of the setup's writes take key share locks only.
create extension if not exists pgrowlocks with schema extensions;
create function pg_temp.share_locked(contact uuid) returns boolean
language sql as $$
  select coalesce(bool_or(l.modes && array['For Share', 'For No Key Update', 'For Update', 'Update', 'No Key Update']), false)
  from extensions.pgrowlocks('public.contacts') l
  join public.contacts c on c.ctid = l.locked_row
  where c.id = share_locked.contact
$$;
-- The modes in which this transaction holds the retention hold lock (pg_locks shows a bigint key
-- as two halves).
create function pg_temp.hold_lock_modes() returns text[]
language sql as $$
  select coalesce(array_agg(l.mode::text order by l.mode), '{}') from pg_catalog.pg_locks l
  where l.locktype = 'advisory' and l.pid = pg_catalog.pg_backend_pid() and l.granted and l.objsubid = 1
    and ((l.classid::bigint << 32) | l.objid::bigint) = pg_catalog.hashtextextended('contact_retention_holds', 0)
$$;
grant execute on all functions in schema pg_temp to service_role;

-- ============================================================================================
-- Owner: Held and Kept go on legal hold (the hold lock in share mode, as any hold).
-- ============================================================================================
select tests.authenticate_as('audit_lock_owner');
update public.contacts set legal_hold = true, legal_hold_reason = 'Litigation' where id = '15900000-0000-4000-8000-000000000002';
reset role;
select tests.authenticate_as('jobs_lock_owner');
update public.contacts set legal_hold = true, legal_hold_reason = 'Litigation' where id = '15900000-0000-4000-8000-000000000003';
reset role;

-- ============================================================================================
-- service_role: the audit batch.
-- ============================================================================================
select tests.authenticate_as_service_role();
select is((select affected from private.retention_logs_batch(tests.get_supabase_uid('audit_lock_owner'), 'audit_log',
    now() - interval '30 days', null, null, 100, false)), 4::bigint,
  'the service''s audit batch deletes the old entries about Free, about the deleted contact and about no contact');
select results_eq(
  $$ select contact_id from public.contact_audit_log
     where user_id = tests.get_supabase_uid('audit_lock_owner') and occurred_at < now() - interval '30 days' $$,
  $$ values ('15900000-0000-4000-8000-000000000002'::uuid), ('15900000-0000-4000-8000-000000000002') $$,
  'and keeps the two about the contact under legal hold');
reset role;
select ok(pg_temp.share_locked('15900000-0000-4000-8000-000000000001'),
  'the audit batch holds the contact whose entries it deleted locked until its transaction ends (a hold placed now waits)');
select ok(not pg_temp.share_locked('15900000-0000-4000-8000-000000000002'),
  'the held contact, whose entries it left, is not locked by it');

-- ============================================================================================
-- service_role: the import jobs batch (this transaction holds the hold lock in share mode from
-- the owners' holds above).
-- ============================================================================================
select tests.authenticate_as_service_role();
select is((select affected from private.retention_import_jobs_batch(tests.get_supabase_uid('jobs_lock_owner'), 'delete',
    now() - interval '90 days', null, null, 10, true)), 1::bigint,
  'a dry run of the service''s import jobs batch counts the job about the contact not under hold');
select is(pg_temp.hold_lock_modes(), array['ShareLock'],
  'and takes no exclusive hold lock (it changes nothing)');
select is((select affected from private.retention_import_jobs_batch(tests.get_supabase_uid('jobs_lock_owner'), 'delete',
    now() - interval '90 days', null, null, 10, false)), 1::bigint,
  'the service''s import jobs batch deletes that job');
select is(pg_temp.hold_lock_modes(), array['ExclusiveLock', 'ShareLock'],
  'and holds the hold lock exclusively until its transaction ends: a hold placed now waits, one committed before was read');
select results_eq(
  $$ select x.name, (select count(*) from public.contact_import_changes ic where ic.job_id = j.id)
     from public.contact_import_jobs j join job_ids x on x.id = j.id order by x.name $$,
  $$ values ('about_kept'::text, 1::bigint) $$,
  'the job whose change log names the held contact is kept whole');
reset role;

select * from finish();
rollback;
