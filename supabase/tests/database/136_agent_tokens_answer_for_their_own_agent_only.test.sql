-- Agent tokens get from the definer helpers only what their own agent may know or do
-- (20251020000011): they cannot test identifiers against the owner's erasure list, and they log
-- searches for their own agent only.
begin;
select plan(5);

select tests.create_supabase_user('own_agent_owner');
insert into public.agents (id, user_id, name) values
  ('13600000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('own_agent_owner'), 'one'),
  ('13600000-0000-4000-8000-0000000000b2', tests.get_supabase_uid('own_agent_owner'), 'two');
select tests.authenticate_as_service_role();
select private.suppress_identifiers(tests.get_supabase_uid('own_agent_owner'), array['email:erased@example.com']);
reset role;

-- Agent
select tests.authenticate_as_agent('own_agent_owner', '13600000-0000-4000-8000-0000000000b1');
select throws_ok($$ select private.is_suppressed(tests.get_supabase_uid('own_agent_owner'), 'email', 'erased@example.com') $$,
  '42501', 'agent tokens cannot read the suppression list',
  'an agent token cannot test an address against its owner''s erasure list');
select lives_ok($$ select private.record_agent_search('13600000-0000-4000-8000-0000000000b2', 'forged', 100) $$,
  'an agent token naming another agent of its owner in the access log raises nothing');
select lives_ok($$ select private.record_agent_search('13600000-0000-4000-8000-0000000000b1', 'own', 3) $$,
  'and logs its own search');
reset role;

select results_eq(
  $$ select agent_id, caller, result_count from public.agent_contact_access_log
     where user_id = tests.get_supabase_uid('own_agent_owner') order by agent_id $$,
  $$ values ('13600000-0000-4000-8000-0000000000b1'::uuid, 'agent', 3) $$,
  'the log holds the agent''s own search only, nothing in the other agent''s name');

-- Owner
select tests.authenticate_as('own_agent_owner');
select is(private.is_suppressed(tests.get_supabase_uid('own_agent_owner'), 'email', 'erased@example.com'), true,
  'the owner still asks the list');
reset role;

select * from finish();
rollback;
