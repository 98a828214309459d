begin;
select plan(19);

-- Agents message only on channels whose current consent allows it: a withdrawal blocks every
-- agent at once, a new grant opens the channel again, no decision yet ('unknown') allows it. The
-- check is private.agent_can_message_on_channel, used by RLS on interactions for agent tokens and
-- reported by search_contacts_for_agent on every channel (can_message). Inbound messages and notes
-- are not messaging; owners are not restricted by it.

-- ============================================================================================
-- Setup (superuser)
--   c...01 Ada    e-mail d...01 (consent withdrawn), phone d...02 (unknown), whatsapp d...03 (granted)
--   c...99 Bob    another owner's contact, e-mail d...99 (granted)
-- Agents: a...01 message grant on every type; a...02 read grant only.
-- ============================================================================================
select tests.create_supabase_user('message_owner');
select tests.create_supabase_user('message_other_owner');

insert into public.contacts (id, user_id, display_name) values
  ('c0910000-0000-4000-8000-000000000001', tests.get_supabase_uid('message_owner'), 'Ada Lovelace'),
  ('c0910000-0000-4000-8000-000000000099', tests.get_supabase_uid('message_other_owner'), 'Bob Rival');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier, consent_status) values
  ('d0910000-0000-4000-8000-000000000001', tests.get_supabase_uid('message_owner'), 'c0910000-0000-4000-8000-000000000001', 'email', 'ada@example.com', 'withdrawn'),
  ('d0910000-0000-4000-8000-000000000002', tests.get_supabase_uid('message_owner'), 'c0910000-0000-4000-8000-000000000001', 'phone', '+442071234567', 'unknown'),
  ('d0910000-0000-4000-8000-000000000003', tests.get_supabase_uid('message_owner'), 'c0910000-0000-4000-8000-000000000001', 'whatsapp', '+442071234568', 'granted'),
  ('d0910000-0000-4000-8000-000000000099', tests.get_supabase_uid('message_other_owner'), 'c0910000-0000-4000-8000-000000000099', 'email', 'bob@example.com', 'granted');
insert into public.agents (id, user_id, name) values
  ('a0910000-0000-4000-8000-000000000001', tests.get_supabase_uid('message_owner'), 'Messenger'),
  ('a0910000-0000-4000-8000-000000000002', tests.get_supabase_uid('message_owner'), 'Reader');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('message_owner'), 'a0910000-0000-4000-8000-000000000001', 'all_contacts', 'message'),
  (tests.get_supabase_uid('message_owner'), 'a0910000-0000-4000-8000-000000000002', 'all_contacts', 'read');
-- A message the agent queued on e-mail before the withdrawal.
insert into public.contact_interactions (id, user_id, contact_id, agent_id, channel_id, channel_type, direction, content) values
  ('10910000-0000-4000-8000-000000000001', tests.get_supabase_uid('message_owner'), 'c0910000-0000-4000-8000-000000000001',
   'a0910000-0000-4000-8000-000000000001', 'd0910000-0000-4000-8000-000000000001', 'email', 'outbound', 'Queued before STOP');

-- ============================================================================================
-- Agent with a message grant
-- ============================================================================================
select tests.authenticate_as_agent('message_owner', 'a0910000-0000-4000-8000-000000000001');

select throws_ok(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, direction, content)
     values ('c0910000-0000-4000-8000-000000000001', 'a0910000-0000-4000-8000-000000000001',
             'd0910000-0000-4000-8000-000000000001', 'email', 'outbound', 'Newsletter') $$,
  '42501', 'new row violates row-level security policy for table "contact_interactions"',
  'an agent cannot send on a channel whose consent is withdrawn');
select lives_ok(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, direction, content)
     values ('c0910000-0000-4000-8000-000000000001', 'a0910000-0000-4000-8000-000000000001',
             'd0910000-0000-4000-8000-000000000003', 'whatsapp', 'outbound', 'Hello on WhatsApp') $$,
  'an agent sends on a channel whose consent is granted');
select lives_ok(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, direction, content)
     values ('c0910000-0000-4000-8000-000000000001', 'a0910000-0000-4000-8000-000000000001',
             'd0910000-0000-4000-8000-000000000002', 'phone', 'outbound', 'Calling') $$,
  'an agent sends on a channel without a recorded decision (unknown)');
select throws_ok(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_type, direction, content)
     values ('c0910000-0000-4000-8000-000000000001', 'a0910000-0000-4000-8000-000000000001', 'email', 'outbound', 'Somewhere') $$,
  '42501', 'new row violates row-level security policy for table "contact_interactions"',
  'an agent''s outbound message must name the channel it goes out on (its consent is checked)');
select lives_ok(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, direction, content)
     values ('c0910000-0000-4000-8000-000000000001', 'a0910000-0000-4000-8000-000000000001',
             'd0910000-0000-4000-8000-000000000001', 'email', 'inbound', 'Reply from Ada') $$,
  'an agent still logs an inbound message on a withdrawn channel: receiving is not messaging');
select is_empty(
  $$ update public.contact_interactions set delivery_status = 'sent' where id = '10910000-0000-4000-8000-000000000001' returning id $$,
  'a message queued before the withdrawal can no longer be moved on by the agent');

select results_eq(
  $$ select c ->> 'channel_type', (c ->> 'consent_status'), (c ->> 'can_message')::boolean
     from public.search_contacts_for_agent('a0910000-0000-4000-8000-000000000001', 'ada lovelace') s,
       jsonb_array_elements(s.channels) c order by 1 $$,
  $$ values ('email', 'withdrawn', false), ('phone', 'unknown', true), ('whatsapp', 'granted', true) $$,
  'search reports, channel by channel, whether the agent may message on it');

-- ============================================================================================
-- Owner: a new decision opens the channel again
-- ============================================================================================
select tests.authenticate_as('message_owner');
select lives_ok(
  $$ insert into public.contact_consent_events (channel_id, status, source, proof_reference)
     values ('d0910000-0000-4000-8000-000000000001', 'granted', 'form', 'double opt-in 2031') $$,
  'the owner records that Ada opted in again');
select lives_ok(
  $$ update public.contact_interactions set delivery_status = 'sent' where id = '10910000-0000-4000-8000-000000000001' $$,
  'the owner may always move an interaction on');

select tests.authenticate_as_agent('message_owner', 'a0910000-0000-4000-8000-000000000001');
select lives_ok(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, direction, content)
     values ('c0910000-0000-4000-8000-000000000001', 'a0910000-0000-4000-8000-000000000001',
             'd0910000-0000-4000-8000-000000000001', 'email', 'outbound', 'Welcome back') $$,
  'with consent granted again, the agent sends on the e-mail channel');
select is(
  (select (c ->> 'can_message')::boolean
   from public.search_contacts_for_agent('a0910000-0000-4000-8000-000000000001', 'ada lovelace') s,
     jsonb_array_elements(s.channels) c where c ->> 'channel_type' = 'email'),
  true, 'search now reports the e-mail channel as usable');

select lives_ok(
  $$ insert into public.contact_consent_events (channel_id, status, source, source_ref)
     values ('d0910000-0000-4000-8000-000000000003', 'withdrawn', 'agent_conversation', 'asked to stop') $$,
  'the agent records a withdrawal heard on WhatsApp');
select throws_ok(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, direction, content)
     values ('c0910000-0000-4000-8000-000000000001', 'a0910000-0000-4000-8000-000000000001',
             'd0910000-0000-4000-8000-000000000003', 'whatsapp', 'outbound', 'One more thing') $$,
  '42501', 'new row violates row-level security policy for table "contact_interactions"',
  'right after the withdrawal, the agent can no longer send on WhatsApp');

-- ============================================================================================
-- Agent with a read grant only; another owner's channel
-- ============================================================================================
select tests.authenticate_as_agent('message_owner', 'a0910000-0000-4000-8000-000000000002');
select throws_ok(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, direction, content)
     values ('c0910000-0000-4000-8000-000000000001', 'a0910000-0000-4000-8000-000000000002',
             'd0910000-0000-4000-8000-000000000002', 'phone', 'outbound', 'Reading only') $$,
  '42501', 'new row violates row-level security policy for table "contact_interactions"',
  'a read agent cannot message even where consent allows it');
select is(
  (select bool_or((c ->> 'can_message')::boolean)
   from public.search_contacts_for_agent('a0910000-0000-4000-8000-000000000002', 'ada lovelace') s, jsonb_array_elements(s.channels) c),
  false, 'search tells a read agent it may message on none of the channels');

select tests.authenticate_as_agent('message_owner', 'a0910000-0000-4000-8000-000000000001');
select throws_ok(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, direction, content)
     values ('c0910000-0000-4000-8000-000000000099', 'a0910000-0000-4000-8000-000000000001',
             'd0910000-0000-4000-8000-000000000099', 'email', 'outbound', 'To a stranger') $$,
  '42501', 'new row violates row-level security policy for table "contact_interactions"',
  'an agent cannot message another owner''s contact, whatever that channel''s consent');

-- ============================================================================================
-- The decision itself, as the superuser sees it
-- ============================================================================================
reset role;
select set_config('request.jwt.claims', null, true);
select is(
  private.agent_can_message_on_channel('a0910000-0000-4000-8000-000000000001', 'c0910000-0000-4000-8000-000000000001',
    'whatsapp', 'd0910000-0000-4000-8000-000000000003'),
  false, 'the companion decision refuses the channel whose latest event is a withdrawal');
select is(
  private.agent_can_message_on_channel('a0910000-0000-4000-8000-000000000001', 'c0910000-0000-4000-8000-000000000001',
    'email', 'd0910000-0000-4000-8000-000000000001'),
  true, 'the companion decision allows the channel whose latest event is a grant');
select results_eq(
  $$ select content from public.contact_interactions where agent_id = 'a0910000-0000-4000-8000-000000000001' order by content $$,
  $$ values ('Calling'), ('Hello on WhatsApp'), ('Queued before STOP'), ('Reply from Ada'), ('Welcome back') $$,
  'only the permitted messages were logged');

select * from finish();
rollback;
