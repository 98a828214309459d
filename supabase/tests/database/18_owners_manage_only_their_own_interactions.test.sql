-- RLS matrix for public.contact_interactions, owners and service_role: an owner sees and manages
-- the interactions of their own contacts; another owner can neither see them nor log one against
-- the owner's contact, agent or channel (foreign keys on (id, user_id)); service_role bypasses RLS.
-- Agent tokens on interactions: 19. Anon: 10.
begin;
select plan(17);

select tests.create_supabase_user('rls_owner');
select tests.create_supabase_user('rls_other_owner');

insert into public.contacts (id, user_id, display_name) values
  ('c0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Ada Lovelace'),
  ('c0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'Alan Turing'),
  ('c0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'Bob Rival');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier) values
  ('d0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000001',
   'email', 'ada@example.com'),
  ('d0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000002',
   'phone', '+442071234567'),
  ('d0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'c0000000-0000-4000-8000-0000000000b1',
   'email', 'bob@example.com');
insert into public.agents (id, user_id, name) values
  ('a0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Scout'),
  ('a0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'Rival');
insert into public.contact_interactions (id, user_id, contact_id, channel_id, channel_type, direction, content) values
  ('10000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000001',
   'd0000000-0000-4000-8000-000000000001', 'email', 'outbound', 'Hello Ada'),
  ('10000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000002',
   'd0000000-0000-4000-8000-000000000002', 'phone', 'inbound', 'Call from Alan'),
  ('10000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'c0000000-0000-4000-8000-0000000000b1',
   'd0000000-0000-4000-8000-0000000000b1', 'email', 'outbound', 'Hello Bob');

-- Owner
select tests.authenticate_as('rls_owner');
select results_eq(
  $$ select id from public.contact_interactions order by id $$,
  $$ values ('10000000-0000-4000-8000-000000000001'::uuid), ('10000000-0000-4000-8000-000000000002'::uuid) $$,
  'the owner sees exactly the interactions of their own contacts');
select results_eq(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, direction, content)
     values ('c0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001',
             'd0000000-0000-4000-8000-000000000001', 'email', 'outbound', 'Follow-up') returning user_id $$,
  $$ select tests.get_supabase_uid('rls_owner') $$,
  'the owner can log an interaction of their own agent with their own contact, and it belongs to the owner');
select results_eq(
  $$ update public.contact_interactions set summary = 'Greeting sent' where id = '10000000-0000-4000-8000-000000000001' returning id $$,
  $$ values ('10000000-0000-4000-8000-000000000001'::uuid) $$,
  'the owner can update their own interaction');
select results_eq(
  $$ delete from public.contact_interactions where id = '10000000-0000-4000-8000-000000000002' returning id $$,
  $$ values ('10000000-0000-4000-8000-000000000002'::uuid) $$,
  'the owner can delete their own interaction');
-- Currently fails (the insert succeeds): the channel foreign key is (channel_id, user_id) only, so
-- an interaction of one contact may name another contact's channel. See the RLS matrix report.
select throws_ok(
  $$ insert into public.contact_interactions (contact_id, channel_id, channel_type, direction, content)
     values ('c0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000002', 'phone', 'outbound', 'Wrong line') $$,
  '23503', null,
  'the owner cannot log an interaction with one contact on another contact''s channel');

-- Other owner
select tests.authenticate_as('rls_other_owner');
select results_eq(
  $$ select id from public.contact_interactions $$,
  $$ values ('10000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'the other owner sees only their own interaction, none of the owner''s');
select throws_ok(
  $$ insert into public.contact_interactions (contact_id, channel_type, direction, content)
     values ('c0000000-0000-4000-8000-000000000001', 'email', 'outbound', 'Planted') $$,
  '23503',
  'insert or update on table "contact_interactions" violates foreign key constraint "contact_interactions_contact_fkey"',
  'the other owner cannot log an interaction against the owner''s contact (foreign key violation)');
select throws_ok(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_type, direction, content)
     values ('c0000000-0000-4000-8000-0000000000b1', 'a0000000-0000-4000-8000-000000000001', 'email', 'outbound', 'Blame the owner''s agent') $$,
  '23503',
  'insert or update on table "contact_interactions" violates foreign key constraint "contact_interactions_agent_fkey"',
  'the other owner cannot attribute an interaction to the owner''s agent (foreign key violation)');
select throws_ok(
  $$ insert into public.contact_interactions (contact_id, channel_id, channel_type, direction, content)
     values ('c0000000-0000-4000-8000-0000000000b1', 'd0000000-0000-4000-8000-000000000001', 'email', 'outbound', 'Via the owner''s channel') $$,
  '23503',
  'insert or update on table "contact_interactions" violates foreign key constraint "contact_interactions_channel_fkey"',
  'the other owner cannot log an interaction on the owner''s channel (foreign key violation)');
select is_empty(
  $$ update public.contact_interactions set content = 'Tampered' where id = '10000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot update the owner''s interaction (no row matches)');
select is_empty(
  $$ delete from public.contact_interactions where id = '10000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot delete the owner''s interaction (no row matches)');

-- Superuser: the other owner's attempts changed nothing
reset role;
select set_config('request.jwt.claims', null, true);
select results_eq(
  $$ select content, summary from public.contact_interactions
     where user_id = tests.get_supabase_uid('rls_owner') and channel_id = 'd0000000-0000-4000-8000-000000000001' order by content $$,
  $$ values ('Follow-up', null::text), ('Hello Ada', 'Greeting sent') $$,
  'after the other owner''s attempts the owner''s interactions are exactly as the owner left them');

-- Service role
select tests.authenticate_as_service_role();
select results_eq(
  $$ select content from public.contact_interactions
     where user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner'))
       and channel_type = 'email' order by content $$,
  $$ values ('Follow-up'), ('Hello Ada'), ('Hello Bob') $$,
  'service_role sees the e-mail interactions of every owner');
select results_eq(
  $$ insert into public.contact_interactions (user_id, contact_id, agent_id, channel_type, direction, content)
     values (tests.get_supabase_uid('rls_other_owner'), 'c0000000-0000-4000-8000-0000000000b1',
             'a0000000-0000-4000-8000-0000000000b1', 'email', 'inbound', 'Reply from Bob') returning user_id $$,
  $$ select tests.get_supabase_uid('rls_other_owner') $$,
  'service_role can log an interaction for any owner by naming the owner');
select throws_ok(
  $$ insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content)
     values (tests.get_supabase_uid('rls_other_owner'), 'c0000000-0000-4000-8000-000000000001', 'email', 'inbound', 'Crossed') $$,
  '23503',
  'insert or update on table "contact_interactions" violates foreign key constraint "contact_interactions_contact_fkey"',
  'even service_role cannot log one owner''s interaction against another owner''s contact');
select results_eq(
  $$ update public.contact_interactions set delivery_status = 'sent' where id = '10000000-0000-4000-8000-0000000000b1'
     returning delivery_status $$,
  $$ values ('sent') $$,
  'service_role can update any owner''s interaction');
select results_eq(
  $$ delete from public.contact_interactions where id = '10000000-0000-4000-8000-000000000001' returning id $$,
  $$ values ('10000000-0000-4000-8000-000000000001'::uuid) $$,
  'service_role can delete any owner''s interaction');

select * from finish();
rollback;
