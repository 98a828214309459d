-- An owner's group re-parentings go one at a time (20251020000026): the cycle trigger takes a
-- transaction advisory lock per owner before it walks the new parent's ancestors, so a concurrent
-- re-parenting waits and then sees this one. The race needs two sessions; this file checks that
-- the lock is taken (for this owner only, and not when a group goes to the top level), and that
-- in sequence the second half of a cycle is refused.
begin;
select plan(7);

-- ============================================================================================
-- Setup (superuser): owners nest_owner (groups G1, G2, G3) and nest_other_owner (group H1, H2).
-- ============================================================================================
select tests.create_supabase_user('nest_owner');
select tests.create_supabase_user('nest_other_owner');
insert into public.contact_groups (id, user_id, name) values
  ('15000000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('nest_owner'), 'G1'),
  ('15000000-0000-4000-8000-0000000000a2', tests.get_supabase_uid('nest_owner'), 'G2'),
  ('15000000-0000-4000-8000-0000000000a3', tests.get_supabase_uid('nest_owner'), 'G3'),
  ('15000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('nest_other_owner'), 'H1'),
  ('15000000-0000-4000-8000-0000000000b2', tests.get_supabase_uid('nest_other_owner'), 'H2');

-- Whether this transaction holds the group lock of the owner (pg_locks shows a bigint key as two
-- halves).
create function pg_temp.holds_group_lock(owner text) returns boolean
language sql as $$
  select exists (
    select 1 from pg_catalog.pg_locks l
    where l.locktype = 'advisory' and l.pid = pg_catalog.pg_backend_pid() and l.granted and l.objsubid = 1
      and ((l.classid::bigint << 32) | l.objid::bigint)
          = pg_catalog.hashtextextended('contact_groups_owner:' || tests.get_supabase_uid(owner)::text, 0))
$$;
grant execute on all functions in schema pg_temp to authenticated, service_role;

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('nest_owner');
update public.contact_groups set parent_group_id = null where id = '15000000-0000-4000-8000-0000000000a3';
select ok(not pg_temp.holds_group_lock('nest_owner'), 'an owner moving a group to the top level takes no lock (no cycle can come of it)');
select lives_ok($$ update public.contact_groups set parent_group_id = '15000000-0000-4000-8000-0000000000a2'
                   where id = '15000000-0000-4000-8000-0000000000a1' $$,
  'an owner nests G1 under G2');
select ok(pg_temp.holds_group_lock('nest_owner'),
  'and holds the owner''s group lock until the transaction ends, so a concurrent re-parenting of the owner waits');
select ok(not pg_temp.holds_group_lock('nest_other_owner'), 'the lock is the owner''s only: another owner''s re-parentings do not wait');
select throws_ok($$ update public.contact_groups set parent_group_id = '15000000-0000-4000-8000-0000000000a1'
                    where id = '15000000-0000-4000-8000-0000000000a2' $$,
  '23514', 'group "G2" cannot be nested inside its own subgroup',
  'the owner''s next re-parenting, G2 under G1, sees the first and is refused');
reset role;

-- ============================================================================================
-- service_role
-- ============================================================================================
select tests.authenticate_as_service_role();
select lives_ok($$ update public.contact_groups set parent_group_id = '15000000-0000-4000-8000-0000000000b2'
                   where id = '15000000-0000-4000-8000-0000000000b1' $$,
  'the service nests H1 under H2 for the other owner');
select ok(pg_temp.holds_group_lock('nest_other_owner'), 'and takes that owner''s group lock');
reset role;

select * from finish();
rollback;
