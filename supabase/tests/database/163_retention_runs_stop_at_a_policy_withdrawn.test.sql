-- A retention run applies a policy only while the policy stands as it started (20251020000041):
-- each step reads it again and locks it for share for its transaction, and once the owner has
-- deleted it, disabled it or changed its terms, the run deletes nothing more under the old ones,
-- in keyset batches and in the sweep alike. A policy written again with the same terms does not
-- stop the run.
begin;
select plan(11);

-- ============================================================================================
-- Setup (superuser): owners withdraw_owner, change_owner and steady_owner with 20, 10 and 10
-- interactions 200 days old and an interactions/delete policy of 100 days; disable_owner with 10
-- audit entries 500 days old and an audit_log/delete policy of 30 days; sweep_kept_owner,
-- sweep_dropped_owner and sweep_solo_owner with 3 interactions 400 days old and an
-- interactions/delete policy of 365 days.
-- ============================================================================================
select tests.create_supabase_user(o)
from unnest(array['withdraw_owner', 'change_owner', 'steady_owner', 'disable_owner',
  'sweep_kept_owner', 'sweep_dropped_owner', 'sweep_solo_owner']) as o;
insert into public.contacts (user_id, display_name)
select tests.get_supabase_uid(o), o
from unnest(array['withdraw_owner', 'change_owner', 'steady_owner', 'sweep_kept_owner', 'sweep_dropped_owner', 'sweep_solo_owner']) as o;
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
select c.user_id, c.id, 'email', 'inbound', 'old ' || n, now() - v.age * interval '1 day' - n * interval '1 minute'
from public.contacts c
join (values ('withdraw_owner', 20, 200), ('change_owner', 10, 200), ('steady_owner', 10, 200),
             ('sweep_kept_owner', 3, 400), ('sweep_dropped_owner', 3, 400), ('sweep_solo_owner', 3, 400)) as v (owner, how_many, age)
  on c.user_id = tests.get_supabase_uid(v.owner)
cross join lateral generate_series(1, v.how_many) n;
delete from public.contact_audit_log where user_id = tests.get_supabase_uid('disable_owner');
insert into public.contact_audit_log (user_id, contact_id, table_name, row_id, action, changed_columns, actor_role, occurred_at)
select tests.get_supabase_uid('disable_owner'), null, 'contact_groups', gen_random_uuid(), 'insert', '{}', 'authenticated',
  now() - interval '500 days' - n * interval '1 minute'
from generate_series(1, 10) n;
insert into public.contact_retention_policies (user_id, data_class, action, retain_days)
select tests.get_supabase_uid(o), 'interactions', 'delete', 100 from unnest(array['withdraw_owner', 'change_owner', 'steady_owner']) as o
union all
select tests.get_supabase_uid('disable_owner'), 'audit_log', 'delete', 30
union all
select tests.get_supabase_uid(o), 'interactions', 'delete', 365 from unnest(array['sweep_kept_owner', 'sweep_dropped_owner', 'sweep_solo_owner']) as o;

create temporary table runs (name text primary key, id bigint);
grant select, insert on runs to service_role;
-- n steps of a run; what each returned.
create function pg_temp.steps(run_id bigint, n integer) returns boolean[]
language plpgsql as $$
declare
  answers boolean[] := '{}';
begin
  for i in 1 .. steps.n loop
    answers := answers || private.retention_run_step(steps.run_id);
  end loop;
  return answers;
end;
$$;
create function pg_temp.left_of(owner text) returns bigint
language sql as $$
  select count(*) from public.contact_interactions i where i.user_id = tests.get_supabase_uid(left_of.owner)
$$;
-- Whether this transaction holds the owner's policy locked for share (or more).
create extension if not exists pgrowlocks with schema extensions;
create function pg_temp.policy_share_locked(owner text) returns boolean
language sql as $$
  select coalesce(bool_or(l.modes && array['For Share', 'For No Key Update', 'For Update', 'Update', 'No Key Update']), false)
  from extensions.pgrowlocks('public.contact_retention_policies') l
  join public.contact_retention_policies p on p.ctid = l.locked_row
  where p.user_id = tests.get_supabase_uid(policy_share_locked.owner)
$$;
grant execute on all functions in schema pg_temp to authenticated, service_role;

-- ============================================================================================
-- service_role: a run of withdraw_owner's policy, two interactions a step; one step.
-- ============================================================================================
select tests.authenticate_as_service_role();
insert into runs values ('withdrawn', private.retention_run_start(false, tests.get_supabase_uid('withdraw_owner'), null, 'sql', 2, false));
select results_eq(
  $$ select pg_temp.steps((select id from runs where name = 'withdrawn'), 1) $$,
  $$ values (array[true]) $$,
  'the service''s first step has more to do');
select is(pg_temp.left_of('withdraw_owner'), 18::bigint, 'having deleted two of the 20 old interactions');
reset role;
select ok(pg_temp.policy_share_locked('withdraw_owner'),
  'the step holds the policy it applied locked for share until its transaction ends (a change or delete waits)');

-- ============================================================================================
-- Owner: withdraw_owner deletes the policy.
-- ============================================================================================
select tests.authenticate_as('withdraw_owner');
delete from public.contact_retention_policies;
reset role;

-- ============================================================================================
-- service_role: three more steps.
-- ============================================================================================
select tests.authenticate_as_service_role();
select is(pg_temp.steps((select id from runs where name = 'withdrawn'), 3), array[false, false, false],
  'after the owner deleted the policy the service''s run has nothing left to do');
select is(pg_temp.left_of('withdraw_owner'), 18::bigint, 'and deleted none of the 18 old interactions left');
select results_eq(
  $$ select r.status, i.affected_rows, i.finished_at is not null
     from private.retention_run_finish((select id from runs where name = 'withdrawn')) r
     join private.retention_run_items i on i.run_id = r.id $$,
  $$ values ('completed'::text, 2::bigint, true) $$,
  'the run completes, its item finished with the two interactions deleted before');

-- change_owner, disable_owner and steady_owner, one run after the other: a step, then the owner
-- writes the policy, then the steps that remain (at most five).
insert into runs values ('change_owner', private.retention_run_start(false, tests.get_supabase_uid('change_owner'), null, 'sql', 2, false));
select pg_temp.steps((select id from runs where name = 'change_owner'), 1);
reset role;
select tests.authenticate_as('change_owner');
update public.contact_retention_policies set retain_days = 365;
reset role;
select tests.authenticate_as_service_role();
select pg_temp.steps((select id from runs where name = 'change_owner'), 5);
select private.retention_run_finish((select id from runs where name = 'change_owner'));

insert into runs values ('disable_owner', private.retention_run_start(false, tests.get_supabase_uid('disable_owner'), null, 'sql', 2, false));
select pg_temp.steps((select id from runs where name = 'disable_owner'), 1);
reset role;
select tests.authenticate_as('disable_owner');
update public.contact_retention_policies set is_enabled = false;
reset role;
select tests.authenticate_as_service_role();
select pg_temp.steps((select id from runs where name = 'disable_owner'), 5);
select private.retention_run_finish((select id from runs where name = 'disable_owner'));

insert into runs values ('steady_owner', private.retention_run_start(false, tests.get_supabase_uid('steady_owner'), null, 'sql', 2, false));
select pg_temp.steps((select id from runs where name = 'steady_owner'), 1);
reset role;
select tests.authenticate_as('steady_owner');
update public.contact_retention_policies set retain_days = 100, is_enabled = true;
reset role;
select tests.authenticate_as_service_role();
select pg_temp.steps((select id from runs where name = 'steady_owner'), 5);
select private.retention_run_finish((select id from runs where name = 'steady_owner'));
select results_eq(
  $$ select x.name, i.affected_rows, i.finished_at is not null from runs x join private.retention_run_items i on i.run_id = x.id
     where x.name in ('change_owner', 'disable_owner', 'steady_owner') order by x.name $$,
  $$ values ('change_owner'::text, 2::bigint, true), ('disable_owner', 2::bigint, true), ('steady_owner', 10::bigint, true) $$,
  'a policy given more days or disabled stops its run after the two rows of the step before; one written again with the same terms goes on to the end');
select is(
  array[pg_temp.left_of('change_owner'),
        (select count(*) from public.contact_audit_log where user_id = tests.get_supabase_uid('disable_owner') and occurred_at < now() - interval '30 days')],
  array[8::bigint, 8::bigint],
  'the interactions and audit entries of the policies changed are no longer deleted');

-- Runs that sweep (threshold of one row): sweep_solo_owner's own, whose only policy the owner
-- disables after it started; then every owner's, sweep_dropped_owner deleting its policy after
-- the run started.
select set_config('contacts.retention_sweep_min_rows', '1', true);
insert into runs values ('solo', private.retention_run_start(false, tests.get_supabase_uid('sweep_solo_owner'), null, 'sql', 20, false));
reset role;
select tests.authenticate_as('sweep_solo_owner');
update public.contact_retention_policies set is_enabled = false;
reset role;
select tests.authenticate_as_service_role();
select is(pg_temp.steps((select id from runs where name = 'solo'), 1), array[false],
  'a sweep whose only policy was disabled has nothing left to do at its next step');
select results_eq(
  $$ select r.sweep_end_at is not null and r.sweep_next_at >= r.sweep_end_at, pg_temp.left_of('sweep_solo_owner'),
       (select f.status from private.retention_run_finish(r.id) f)
     from private.retention_runs r where r.id = (select id from runs where name = 'solo') $$,
  $$ values (true, 3::bigint, 'completed'::text) $$,
  'its sweep ended there, deleting nothing, and the run completes');
insert into runs values ('sweep', private.retention_run_start(false, null, null, 'sql', 20, false));
reset role;
select tests.authenticate_as('sweep_dropped_owner');
delete from public.contact_retention_policies;
reset role;
select tests.authenticate_as_service_role();
select pg_temp.steps((select id from runs where name = 'sweep'), 3);
select results_eq(
  $$ select pg_temp.left_of(o), i.swept, i.affected_rows, i.finished_at is not null
     from unnest(array['sweep_kept_owner', 'sweep_dropped_owner']) with ordinality as o (o, n)
     join private.retention_run_items i on i.run_id = (select id from runs where name = 'sweep') and i.user_id = tests.get_supabase_uid(o.o)
     order by o.n $$,
  $$ values (0::bigint, true, 3::bigint, true), (3::bigint, false, 0::bigint, true) $$,
  'the sweep deletes the old interactions of the owner whose policy stands, not those of the owner who deleted it, which left the sweep');
select private.retention_run_finish((select id from runs where name = 'sweep'));
reset role;

select * from finish();
rollback;
