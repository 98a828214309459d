-- Retention runs: each is logged; a run stopped at max_batches, or left 'running' by a session that
-- died, is taken over by the next real run at the position it reached (same cutoff), so the end
-- state is the one an uninterrupted run gives; dry runs resume nothing and change nothing; only the
-- service starts runs and reads the log. (Lock contention between sessions: the Deno test.)
begin;
select plan(13);

-- ============================================================================================
-- Setup (superuser): one owner, one contact, 30 interactions 400 days old, 2 recent; a 365-day
-- delete policy. Batches of 10 rows.
-- ============================================================================================
select tests.create_supabase_user('runs_owner');
insert into public.contacts (id, user_id, display_name) values
  ('c0720000-0000-4000-8000-000000000001', tests.get_supabase_uid('runs_owner'), 'Talkative');
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
select tests.get_supabase_uid('runs_owner'), 'c0720000-0000-4000-8000-000000000001'::uuid, 'email', 'inbound', 'old ' || n,
  now() - interval '400 days' - n * interval '1 minute'
from generate_series(1, 30) n
union all
select tests.get_supabase_uid('runs_owner'), 'c0720000-0000-4000-8000-000000000001'::uuid, 'email', 'inbound', 'new ' || n, now() - n * interval '1 day'
from generate_series(1, 2) n;
insert into public.contact_retention_policies (user_id, data_class, action, retain_days)
values (tests.get_supabase_uid('runs_owner'), 'interactions', 'delete', 365);

create temporary table runs (label text primary key, id bigint);
grant all on table runs to service_role;

-- ============================================================================================
-- Owner (authenticated): not theirs to run or read
-- ============================================================================================
select tests.authenticate_as('runs_owner');
select throws_ok(
  $$ select private.retention_run_start(false, null, null, 'sql', 10, false) $$,
  '42501', 'permission denied for function retention_run_start',
  'an owner cannot start a retention run');
select throws_ok(
  $$ select count(*) from private.retention_runs $$,
  '42501', 'permission denied for table retention_runs',
  'an owner cannot read the retention run log');

-- ============================================================================================
-- service_role
-- ============================================================================================
select tests.authenticate_as_service_role();

-- A dry run: counts the 30, changes nothing.
insert into runs values ('dry', private.retention_run_start(true, tests.get_supabase_uid('runs_owner'), null, 'sql', 10, false));
select private.retention_run_step((select id from runs where label = 'dry')) from generate_series(1, 5);
select results_eq(
  $$ select r.status, r.dry_run, r.counts from private.retention_run_finish((select id from runs where label = 'dry')) r $$,
  $$ values ('completed', true, '{"interactions": {"delete": 30}}'::jsonb) $$,
  'a dry run completes and counts the 30 old interactions');
select is((select count(*) from public.contact_interactions where user_id = tests.get_supabase_uid('runs_owner')), 32::bigint,
  'the dry run deleted nothing');

-- A run stopped by max_batches after one batch of 10.
insert into runs values ('stopped', private.retention_run_start(false, tests.get_supabase_uid('runs_owner'), 1, 'sql', 10, false));
select ok(not private.retention_run_step((select id from runs where label = 'stopped')),
  'with max_batches 1 the run may take no second step');
select results_eq(
  $$ select r.status, r.batches, r.affected_rows from private.retention_run_finish((select id from runs where label = 'stopped')) r $$,
  $$ values ('stopped', 1::bigint, 10::bigint) $$,
  'the run ends stopped (resumable) after one batch of 10');

-- A run that takes over, does one batch, and is then left running as if its session had died.
insert into runs values ('killed', private.retention_run_start(false, tests.get_supabase_uid('runs_owner'), null, 'sql', 10, false));
select is((select resumed_run_id from private.retention_runs where id = (select id from runs where label = 'killed')),
  (select id from runs where label = 'stopped'), 'the next run takes over the stopped run');
select is(
  (select position_at from private.retention_run_items where run_id = (select id from runs where label = 'killed')),
  (select position_at from private.retention_run_items where run_id = (select id from runs where label = 'stopped')),
  'and starts at the position the stopped run reached');
select private.retention_run_step((select id from runs where label = 'killed'));

-- The run after it: finds the dead run, marks it interrupted, resumes it and finishes.
insert into runs values ('resumed', private.retention_run_start(false, tests.get_supabase_uid('runs_owner'), null, 'sql', 10, false));
select results_eq(
  $$ select status, error from private.retention_runs where id = (select id from runs where label = 'killed') $$,
  $$ values ('interrupted', 'its session ended before the run finished') $$,
  'a run left running by a dead session is marked interrupted by the next run');
select is((select resumed_run_id from private.retention_runs where id = (select id from runs where label = 'resumed')),
  (select id from runs where label = 'killed'), 'and that run takes over its positions');
select private.retention_run_step((select id from runs where label = 'resumed')) from generate_series(1, 5);
select results_eq(
  $$ select r.status, r.affected_rows from private.retention_run_finish((select id from runs where label = 'resumed')) r $$,
  $$ values ('completed', 10::bigint) $$,
  'the resumed run deletes the last 10 and completes');

reset role;
select set_config('request.jwt.claims', null, true);
select results_eq(
  $$ select content from public.contact_interactions where user_id = tests.get_supabase_uid('runs_owner') order by content $$,
  $$ values ('new 1'), ('new 2') $$,
  'stopped, killed and resumed, the runs leave exactly what one uninterrupted run leaves: the two recent interactions');
select is(
  (select sum(i.affected_rows) from private.retention_run_items i where i.run_id in (select id from runs where label <> 'dry')),
  30::numeric, 'the three runs deleted the 30 old interactions once between them');

select * from finish();
rollback;
