-- A retention policy whose batch fails stops alone (20251020000052): its batch is undone, its item
-- keeps its position and the error, the run applies the other owners' policies and ends failed,
-- and the next run resumes the failed policy. apply_retention_policies stays all or nothing. A
-- step works on at most 50 policies.
begin;
select plan(15);

-- ============================================================================================
-- Setup (superuser): failing_owner and next_owner with 5 interactions 200 days old and an
-- interactions/delete policy of 100 days; deleting failing_owner's interactions raises, as a
-- trigger refusing it would. 60 quiet owners with an audit_log/delete policy and nothing to delete.
-- ============================================================================================
select tests.create_supabase_user(o) from unnest(array['failing_owner', 'next_owner']) as o;
select tests.create_supabase_user('quiet_owner_' || n) from generate_series(1, 60) n;
insert into public.contacts (user_id, display_name)
select tests.get_supabase_uid(o), o from unnest(array['failing_owner', 'next_owner']) as o;
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
select c.user_id, c.id, 'email', 'inbound', 'old ' || n, now() - interval '200 days' - n * interval '1 minute'
from public.contacts c cross join generate_series(1, 5) n
where c.user_id in (tests.get_supabase_uid('failing_owner'), tests.get_supabase_uid('next_owner'));
insert into public.contact_retention_policies (user_id, data_class, action, retain_days)
select tests.get_supabase_uid(o), 'interactions', 'delete', 100 from unnest(array['failing_owner', 'next_owner']) as o
union all
select tests.get_supabase_uid('quiet_owner_' || n), 'audit_log', 'delete', 30 from generate_series(1, 60) n;

create function pg_temp.refuse_failing_owners_deletes() returns trigger
language plpgsql as $$
begin
  if old.user_id = tests.get_supabase_uid('failing_owner') then
    raise exception 'deletes of this owner are refused' using errcode = 'insufficient_privilege';
  end if;
  return old;
end;
$$;
create trigger refuse_failing_owners_deletes before delete on public.contact_interactions
for each row execute function pg_temp.refuse_failing_owners_deletes();

create function pg_temp.left_of(owner text) returns bigint
language sql as $$
  select count(*) from public.contact_interactions i where i.user_id = tests.get_supabase_uid(left_of.owner)
$$;
create function pg_temp.run_through(run_id bigint) returns void
language plpgsql as $$
begin
  while private.retention_run_step(run_through.run_id) loop
  end loop;
end;
$$;
create temporary table runs (name text primary key, id bigint);
grant select, insert on runs to service_role;
grant execute on all functions in schema pg_temp to service_role;

-- ============================================================================================
-- service_role: a run over every owner, step after step, while failing_owner's deletes fail.
-- ============================================================================================
select tests.authenticate_as_service_role();
insert into runs values ('first', private.retention_run_start(false, null, null, 'sql', 5000, false));
select lives_ok($$ select pg_temp.run_through((select id from runs where name = 'first')) $$,
  'the service''s run steps through to its end although one policy fails');
select is(pg_temp.left_of('next_owner'), 0::bigint, 'next_owner''s old interactions are deleted');
select is(pg_temp.left_of('failing_owner'), 5::bigint, 'failing_owner''s interactions all remain: the failed batch is undone');
select results_eq(
  $$ select i.error, i.finished_at is null, i.affected_rows from private.retention_run_items i
     where i.run_id = (select id from runs where name = 'first') and i.user_id = tests.get_supabase_uid('failing_owner') $$,
  $$ values ('deletes of this owner are refused (SQLSTATE 42501)', true, 0::bigint) $$,
  'failing_owner''s item records the error and stays unfinished, with nothing counted');
select results_eq(
  $$ select r.status, r.error like '1 of ' || (select count(*) from public.contact_retention_policies p where p.is_enabled)
              || ' policies failed; the first, % (owner ' || tests.get_supabase_uid('failing_owner')
            || ', interactions): deletes of this owner are refused (SQLSTATE 42501)', (r.counts -> 'interactions' ->> 'delete')::bigint
     from private.retention_run_finish((select id from runs where name = 'first')) r $$,
  $$ values ('failed', true, 5::bigint) $$,
  'the run ends failed, naming how many policies failed and the first, with next_owner''s deletes counted');

select throws_ok($$ select * from public.apply_retention_policies(false, null) $$, '42501',
  'retention policy '
    || (select i.policy_id from private.retention_run_items i
        where i.run_id = (select id from runs where name = 'first') and i.error is not null)
    || ' of owner ' || tests.get_supabase_uid('failing_owner') || ' (interactions) failed: deletes of this owner are refused (SQLSTATE 42501)',
  'apply_retention_policies, one transaction, raises the failed policy''s error with its SQLSTATE instead of committing the others');
reset role;
drop trigger refuse_failing_owners_deletes on public.contact_interactions;

-- ============================================================================================
-- service_role: the next run, once deletes of failing_owner's interactions succeed again.
-- ============================================================================================
select tests.authenticate_as_service_role();
insert into runs values ('next', private.retention_run_start(false, null, null, 'sql', 5000, false));
select is((select r.resumed_run_id from private.retention_runs r where r.id = (select id from runs where name = 'next')),
  (select id from runs where name = 'first'), 'the next run resumes the failed one');
select is(private.retention_run_step((select id from runs where name = 'next')), true,
  'the next run''s first step has more to do');
select is((select count(*) from private.retention_run_items i
           where i.run_id = (select id from runs where name = 'next') and i.finished_at is not null), 30::bigint,
  'its first step has worked on 30 policies, no more');
select lives_ok($$ select pg_temp.run_through((select id from runs where name = 'next')) $$,
  'the service steps the next run through to its end');
select is(pg_temp.left_of('failing_owner'), 0::bigint, 'failing_owner''s old interactions are deleted by the next run');
select results_eq(
  $$ select r.status, r.error from private.retention_run_finish((select id from runs where name = 'next')) r $$,
  $$ values ('completed', null::text) $$,
  'the next run completes with no error');
select is((select count(*) from private.retention_run_items i
           where i.run_id = (select id from runs where name = 'next') and i.error is not null), 0::bigint,
  'no policy of the next run failed');
reset role;

-- ============================================================================================
-- service_role: a run of slow_owner's policy, whose deletes outlast the statement timeout.
-- ============================================================================================
reset role;
select tests.create_supabase_user('slow_owner');
insert into public.contacts (user_id, display_name) values (tests.get_supabase_uid('slow_owner'), 'slow');
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
select c.user_id, c.id, 'email', 'inbound', 'old', now() - interval '200 days'
from public.contacts c where c.user_id = tests.get_supabase_uid('slow_owner');
insert into public.contact_retention_policies (user_id, data_class, action, retain_days)
values (tests.get_supabase_uid('slow_owner'), 'interactions', 'delete', 100);
create function pg_temp.outlast_the_timeout() returns trigger
language plpgsql as $$
begin
  if old.user_id = tests.get_supabase_uid('slow_owner') then
    perform pg_sleep(0.5);
  end if;
  return old;
end;
$$;
create trigger outlast_the_timeout before delete on public.contact_interactions
for each row execute function pg_temp.outlast_the_timeout();
select tests.authenticate_as_service_role();
insert into runs values ('slow', private.retention_run_start(false, tests.get_supabase_uid('slow_owner'), null, 'sql', 5000, false));
set local statement_timeout = '200ms';
select is(private.retention_run_step((select id from runs where name = 'slow')), false,
  'a step whose policy outlasts the statement timeout ends, with nothing more to do');
set local statement_timeout = 0;
select results_eq(
  $$ select i.error, i.finished_at is null from private.retention_run_items i where i.run_id = (select id from runs where name = 'slow') $$,
  $$ values ('canceling statement due to statement timeout (SQLSTATE 57014)', true) $$,
  'the slow policy''s item records the statement timeout and stays unfinished');
reset role;

select * from finish();
rollback;
