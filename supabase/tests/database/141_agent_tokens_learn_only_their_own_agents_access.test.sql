-- An agent token asking the access decision about another agent of its owner is answered false
-- (20251020000016): it cannot map which contacts another agent may read, write or message on.
-- Owner tokens and the service still ask about any of the owner's agents.
begin;
select plan(8);

select tests.create_supabase_user('access_oracle_owner');
insert into public.agents (id, user_id, name) values
  ('14100000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('access_oracle_owner'), 'everything'),
  ('14100000-0000-4000-8000-0000000000b2', tests.get_supabase_uid('access_oracle_owner'), 'one contact');
insert into public.contacts (id, user_id, first_name) values
  ('14100000-0000-4000-8000-000000000001', tests.get_supabase_uid('access_oracle_owner'), 'Shared'),
  ('14100000-0000-4000-8000-000000000002', tests.get_supabase_uid('access_oracle_owner'), 'Hidden from two');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('access_oracle_owner'), '14100000-0000-4000-8000-0000000000b1', 'all_contacts', 'message');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type, permission_level) values
  ('14100000-0000-4000-8000-0000000000c2', tests.get_supabase_uid('access_oracle_owner'), '14100000-0000-4000-8000-0000000000b2',
   'specific_contacts', 'read');
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('access_oracle_owner'), '14100000-0000-4000-8000-0000000000c2', '14100000-0000-4000-8000-0000000000b2',
   '14100000-0000-4000-8000-000000000001');

-- Agent
select tests.authenticate_as_agent('access_oracle_owner', '14100000-0000-4000-8000-0000000000b2');
select is(private.agent_can_access_contact('14100000-0000-4000-8000-0000000000b2', '14100000-0000-4000-8000-000000000001'), true,
  'an agent token learns that its own agent may read its granted contact');
select is(private.agent_can_access_contact('14100000-0000-4000-8000-0000000000b1', '14100000-0000-4000-8000-000000000001'), false,
  'an agent token asking about another agent on a contact both may read is answered false');
select is(private.agent_can_access_contact('14100000-0000-4000-8000-0000000000b1', '14100000-0000-4000-8000-000000000001', 'message'), false,
  'an agent token learns nothing of the other agent''s higher level');
select is(private.agent_can_message_on_channel('14100000-0000-4000-8000-0000000000b1', '14100000-0000-4000-8000-000000000001', 'email', null), false,
  'nor whether the other agent may message the contact');
reset role;

-- A token whose agent_id claim is null
select set_config('request.jwt.claims', json_build_object('sub', tests.get_supabase_uid('access_oracle_owner'), 'role', 'authenticated',
  'agent_id', null)::text, true);
set local role authenticated;
select is(private.agent_can_access_contact('14100000-0000-4000-8000-0000000000b1', '14100000-0000-4000-8000-000000000001'), false,
  'a token whose agent_id claim is null is not taken for the owner''s');
reset role;

-- Owner
select tests.authenticate_as('access_oracle_owner');
select is(array[private.agent_can_access_contact('14100000-0000-4000-8000-0000000000b1', '14100000-0000-4000-8000-000000000002'),
                private.agent_can_access_contact('14100000-0000-4000-8000-0000000000b2', '14100000-0000-4000-8000-000000000002')],
  array[true, false],
  'the owner still asks about each of its agents');
reset role;

-- service_role
select tests.authenticate_as_service_role();
select is(private.agent_can_access_contact('14100000-0000-4000-8000-0000000000b1', '14100000-0000-4000-8000-000000000002', 'message'), true,
  'the service still asks about any agent');
reset role;

-- Agent, through RLS
select tests.authenticate_as_agent('access_oracle_owner', '14100000-0000-4000-8000-0000000000b1');
select results_eq(
  $$ select count(*)::int from public.contacts where user_id = tests.get_supabase_uid('access_oracle_owner') $$,
  $$ values (2) $$,
  'an agent with an all-contacts grant still reads every contact through RLS');
reset role;

select * from finish();
rollback;
