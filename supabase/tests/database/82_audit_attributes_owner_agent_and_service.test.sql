begin;
select plan(15);

-- Who acted, as the token says: an owner's token records the owner (sub) and the authenticated
-- role; an agent-scoped token records the owner, the agent (agent_id claim) and the role; the
-- service role records its role and no user; a token-less connection records its database role.
-- The owner of the row is recorded as user_id whoever acts. A malformed agent claim changes
-- nothing and records nothing.

-- ============================================================================================
-- Setup (superuser): an owner, an agent with a write grant on all contacts, a contact.
-- ============================================================================================
select tests.create_supabase_user('actor_owner');
insert into public.agents (id, user_id, name) values
  ('a0820000-0000-4000-8000-000000000001', tests.get_supabase_uid('actor_owner'), 'Editor bot');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('actor_owner'), 'a0820000-0000-4000-8000-000000000001', 'all_contacts', 'write');
insert into public.contacts (id, user_id, display_name) values
  ('c0820000-0000-4000-8000-000000000001', tests.get_supabase_uid('actor_owner'), 'Attributed contact');

create temporary view last_change as
  select * from public.contact_audit_log where row_id = 'c0820000-0000-4000-8000-000000000001' order by id desc limit 1;
grant select on last_change to authenticated, service_role;

-- ============================================================================================
-- Persona: token-less superuser connection (migrations, pg_cron, the seed)
-- ============================================================================================
select is((select actor_role from last_change), 'postgres',
  'a change over a direct connection without a token records the database role (postgres)');
select is((select actor_user_id from last_change), null, 'a direct connection records no acting user');

-- ============================================================================================
-- Persona: owner (authenticated, user token)
-- ============================================================================================
select tests.authenticate_as('actor_owner');
update public.contacts set job_title = 'Owner edit' where id = 'c0820000-0000-4000-8000-000000000001';
select is((select actor_user_id from last_change), tests.get_supabase_uid('actor_owner'),
  'an owner''s change records the owner (the sub claim) as the acting user');
select is((select actor_agent_id from last_change), null, 'an owner''s change records no agent');
select is((select actor_role from last_change), 'authenticated', 'an owner''s change records the authenticated role');

-- ============================================================================================
-- Persona: agent (the owner's token with an agent_id claim)
-- ============================================================================================
select tests.authenticate_as_agent('actor_owner', 'a0820000-0000-4000-8000-000000000001');
update public.contacts set job_title = 'Agent edit' where id = 'c0820000-0000-4000-8000-000000000001';
select is((select actor_agent_id from last_change), 'a0820000-0000-4000-8000-000000000001'::uuid,
  'an agent-scoped token''s change records the agent');
select is((select actor_user_id from last_change), tests.get_supabase_uid('actor_owner'),
  'an agent-scoped token''s change records the owner whose token it is');
select is((select actor_role from last_change), 'authenticated', 'an agent-scoped token''s change records the authenticated role');

-- A token whose agent_id claim is not a uuid fails closed: no change, no audit row.
select tests.authenticate_as('actor_owner', '{"agent_id": "not-a-uuid"}'::jsonb);
select throws_ok($$ update public.contacts set job_title = 'Forged edit' where id = 'c0820000-0000-4000-8000-000000000001' $$,
  '42501', 'the agent_id claim of this token is not a uuid',
  'a malformed agent claim cannot change a contact');

-- ============================================================================================
-- Persona: service_role (secret key)
-- ============================================================================================
select tests.authenticate_as_service_role();
update public.contacts set job_title = 'Service edit' where id = 'c0820000-0000-4000-8000-000000000001';
select is((select actor_role from last_change), 'service_role', 'a service change records the service_role role');
select is((select actor_user_id from last_change), null, 'a service change records no acting user');
select is((select user_id from last_change), tests.get_supabase_uid('actor_owner'),
  'a service change still records the row''s owner as user_id');

-- An admin connection that switched to a role without a token records that role.
reset role;
select set_config('request.jwt.claims', '', true);
set local role service_role;
update public.contacts set job_title = 'Admin edit' where id = 'c0820000-0000-4000-8000-000000000001';
select is((select actor_role from last_change), 'service_role',
  'a token-less connection that switched to service_role records that role');

-- ============================================================================================
-- Persona: superuser, the whole trail of the contact
-- ============================================================================================
reset role;
select is((select array_agg(coalesce(actor_agent_id::text, '-') || '/' || actor_role order by id)
           from public.contact_audit_log where row_id = 'c0820000-0000-4000-8000-000000000001'),
  array['-/postgres', '-/authenticated', 'a0820000-0000-4000-8000-000000000001/authenticated', '-/service_role', '-/service_role'],
  'the contact''s trail lists insert, owner, agent, service and admin changes in order (the forged one left nothing)');
select is((select count(distinct occurred_at) from public.contact_audit_log where row_id = 'c0820000-0000-4000-8000-000000000001'), 1::bigint,
  'occurred_at is the transaction''s start, shared by every change of one transaction');

select * from finish();
rollback;
