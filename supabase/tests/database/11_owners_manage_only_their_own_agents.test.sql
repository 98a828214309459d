-- RLS matrix for public.agents: owners see and manage their own agents only; an agent-scoped token
-- sees its own agent row and changes nothing; service_role sees and changes every owner's agents.
-- Anon: 10_anon_is_denied_every_table. Malformed agent claims: 22. Reassigning user_id: 23.
-- Inactive and foreign agent tokens: 24.
begin;
select plan(20);

select tests.create_supabase_user('rls_owner');
select tests.create_supabase_user('rls_other_owner');

insert into public.agents (id, user_id, name, description, is_active) values
  ('a0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Scout', 'Finds leads', true),
  ('a0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'Closer', 'Books meetings', true),
  ('a0000000-0000-4000-8000-000000000003', tests.get_supabase_uid('rls_owner'), 'Retired', null, false),
  ('a0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'Rival', 'Other owner''s agent', true);

-- Owner
select tests.authenticate_as('rls_owner');
select results_eq(
  $$ select name from public.agents order by name $$,
  $$ values ('Closer'), ('Retired'), ('Scout') $$,
  'the owner sees exactly their own three agents, active or not');
select results_eq(
  $$ insert into public.agents (name) values ('Helper') returning user_id $$,
  $$ select tests.get_supabase_uid('rls_owner') $$,
  'the owner can create an agent, and it belongs to the owner');
select results_eq(
  $$ update public.agents set description = 'Finds warm leads' where id = 'a0000000-0000-4000-8000-000000000001' returning id $$,
  $$ values ('a0000000-0000-4000-8000-000000000001'::uuid) $$,
  'the owner can update their own agent');
select results_eq(
  $$ delete from public.agents where id = 'a0000000-0000-4000-8000-000000000002' returning id $$,
  $$ values ('a0000000-0000-4000-8000-000000000002'::uuid) $$,
  'the owner can delete their own agent');

-- Other owner
select tests.authenticate_as('rls_other_owner');
select results_eq(
  $$ select id from public.agents $$,
  $$ values ('a0000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'the other owner sees only their own agent, none of the owner''s');
select throws_ok(
  $$ insert into public.agents (user_id, name) values (tests.get_supabase_uid('rls_owner'), 'Planted') $$,
  '42501', 'permission denied for table agents',
  'the other owner cannot create an agent in the owner''s name');
select is_empty(
  $$ update public.agents set name = 'Hijacked', is_active = false where id = 'a0000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot update the owner''s agent (no row matches)');
select is_empty(
  $$ delete from public.agents where id = 'a0000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot delete the owner''s agent (no row matches)');

-- Agent: the owner's token carrying the agent_id claim of Scout
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000001');
select results_eq(
  $$ select id from public.agents $$,
  $$ values ('a0000000-0000-4000-8000-000000000001'::uuid) $$,
  'an agent token sees its own agent row only, not its owner''s other agents');
select throws_ok(
  $$ insert into public.agents (name) values ('Spawned') $$,
  '42501', 'new row violates row-level security policy for table "agents"',
  'an agent token cannot create agents');
select is_empty(
  $$ update public.agents set name = 'Promoted', description = 'x' where id = 'a0000000-0000-4000-8000-000000000001' returning id $$,
  'an agent token cannot update even its own agent row');
select is_empty(
  $$ update public.agents set is_active = true where id = 'a0000000-0000-4000-8000-000000000003' returning id $$,
  'an agent token cannot reactivate another agent of its owner');
select is_empty(
  $$ delete from public.agents returning id $$,
  'an agent token cannot delete agents');

-- Agent: another owner's agent, named in the owner's token
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-0000000000b1');
select is_empty(
  $$ select id from public.agents $$,
  'a token naming another owner''s agent sees no agent at all');
select is_empty(
  $$ update public.agents set name = 'Hijacked' returning id $$,
  'a token naming another owner''s agent updates no agent');

-- Superuser: nothing the other owner or the agents tried changed anything
reset role;
select set_config('request.jwt.claims', null, true);
select results_eq(
  $$ select name, description, is_active from public.agents
     where user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner'))
     order by name $$,
  $$ values ('Helper', null::text, true), ('Retired', null, false), ('Rival', 'Other owner''s agent', true),
            ('Scout', 'Finds warm leads', true) $$,
  'after the denied attempts only the owner''s own changes are in place');

-- Service role
select tests.authenticate_as_service_role();
select results_eq(
  $$ select name from public.agents
     where user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner'))
     order by name $$,
  $$ values ('Helper'), ('Retired'), ('Rival'), ('Scout') $$,
  'service_role sees the agents of every owner');
select results_eq(
  $$ insert into public.agents (user_id, name) values (tests.get_supabase_uid('rls_other_owner'), 'Provisioned') returning user_id $$,
  $$ select tests.get_supabase_uid('rls_other_owner') $$,
  'service_role can create an agent for any owner by naming the owner');
select results_eq(
  $$ update public.agents set is_active = false where id = 'a0000000-0000-4000-8000-0000000000b1' returning is_active $$,
  $$ values (false) $$,
  'service_role can update any owner''s agent');
select results_eq(
  $$ delete from public.agents where id = 'a0000000-0000-4000-8000-000000000003' returning id $$,
  $$ values ('a0000000-0000-4000-8000-000000000003'::uuid) $$,
  'service_role can delete any owner''s agent');

select * from finish();
rollback;
