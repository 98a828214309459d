-- A retention sweep across owners and legal holds placed meanwhile are serialized
-- (20251020000029): a statement setting legal_hold takes the retention hold lock in share mode for
-- its transaction, before it locks any contact, and a real sweep takes it exclusively for its own,
-- so a hold placed while a sweep's transaction runs waits for it (no contact locked meanwhile), and
-- a sweep sees every hold committed before it. The race, and the sweep's way
-- around a hold under way (its contacts locked for share), need two sessions; this file checks who
-- takes the lock in which mode, and that a hold placed earlier in the transaction keeps the
-- contact's interactions from the sweep.
begin;
select plan(7);

-- ============================================================================================
-- Setup (superuser): owner sweep_hold_owner with Free, Held and Released (3 interactions of 400
-- days ago each, and one of 10 days on Free); Released is under legal hold; a 365-day
-- interactions/delete policy.
-- ============================================================================================
select tests.create_supabase_user('sweep_hold_owner');
insert into public.contacts (id, user_id, display_name, legal_hold, legal_hold_reason) values
  ('15300000-0000-4000-8000-000000000001', tests.get_supabase_uid('sweep_hold_owner'), 'Free', false, null),
  ('15300000-0000-4000-8000-000000000002', tests.get_supabase_uid('sweep_hold_owner'), 'Held', false, null),
  ('15300000-0000-4000-8000-000000000003', tests.get_supabase_uid('sweep_hold_owner'), 'Released', true, 'Audit');
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
select c.user_id, c.id, 'email', 'inbound', c.display_name || ' ' || n, now() - interval '400 days' - n * interval '1 minute'
from public.contacts c cross join generate_series(1, 3) n
where c.id::text like '15300000-%';
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at) values
  (tests.get_supabase_uid('sweep_hold_owner'), '15300000-0000-4000-8000-000000000001', 'email', 'inbound', 'Free recent', now() - interval '10 days');
insert into public.contact_retention_policies (user_id, data_class, action, retain_days) values
  (tests.get_supabase_uid('sweep_hold_owner'), 'interactions', 'delete', 365);

-- The modes in which this transaction holds the retention hold lock (pg_locks shows a bigint key
-- as two halves).
create function pg_temp.hold_lock_modes() returns text[]
language sql as $$
  select coalesce(array_agg(l.mode::text order by l.mode), '{}') from pg_catalog.pg_locks l
  where l.locktype = 'advisory' and l.pid = pg_catalog.pg_backend_pid() and l.granted and l.objsubid = 1
    and ((l.classid::bigint << 32) | l.objid::bigint) = pg_catalog.hashtextextended('contact_retention_holds', 0)
$$;
grant execute on all functions in schema pg_temp to authenticated, service_role;

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('sweep_hold_owner');
update public.contacts set display_name = 'Free' where id = '15300000-0000-4000-8000-000000000001';
select is(pg_temp.hold_lock_modes(), '{}'::text[], 'an owner updating a contact without setting legal_hold takes no hold lock');
update public.contacts set legal_hold = false, legal_hold_reason = null where id = '15300000-0000-4000-8000-000000000003';
select is(pg_temp.hold_lock_modes(), array['ShareLock'], 'an owner lifting a legal hold takes the hold lock in share mode (the statement cannot tell lifting from placing)');
update public.contacts set legal_hold = true, legal_hold_reason = 'Litigation' where id = '15300000-0000-4000-8000-000000000002';
select is(pg_temp.hold_lock_modes(), array['ShareLock'], 'an owner placing a legal hold takes the hold lock in share mode, for the transaction');
reset role;

-- ============================================================================================
-- service_role: runs that sweep (threshold of one row).
-- ============================================================================================
select tests.authenticate_as_service_role();
select set_config('contacts.retention_sweep_min_rows', '1', true);
select is((select sum(affected_rows) from public.apply_retention_policies(true, tests.get_supabase_uid('sweep_hold_owner'))), 6::numeric,
  'the service''s dry run counts the six old interactions of Free and Released');
select is(pg_temp.hold_lock_modes(), array['ShareLock'], 'and takes no exclusive hold lock (it deletes nothing)');
select is((select sum(affected_rows) from public.apply_retention_policies(false, tests.get_supabase_uid('sweep_hold_owner'))), 6::numeric,
  'the service''s run sweeps and deletes those six, not the interactions of Held, placed under hold before it');
select results_eq(
  $$ select (select bool_and(i.swept) from private.retention_run_items i
             where i.run_id = (select max(r.id) from private.retention_runs r where not r.dry_run and r.status <> 'skipped')
               and i.user_id = tests.get_supabase_uid('sweep_hold_owner')),
            pg_temp.hold_lock_modes(),
            array(select c.display_name || ' ' || count(x.id) from public.contacts c
                  left join public.contact_interactions x on x.contact_id = c.id and x.user_id = c.user_id
                  where c.user_id = tests.get_supabase_uid('sweep_hold_owner') group by c.display_name order by c.display_name) $$,
  $$ values (true, array['ExclusiveLock', 'ShareLock'], array['Free 1', 'Held 3', 'Released 0']) $$,
  'that run swept, holds the hold lock exclusively until it commits, and left Free''s recent interaction and Held''s three');
reset role;

select * from finish();
rollback;
