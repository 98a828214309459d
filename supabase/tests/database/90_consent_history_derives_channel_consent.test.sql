begin;
select plan(33);

-- Consent history: every decision about a channel is an event in contact_consent_events, and the
-- channel's consent_status, consent_source and consent_updated_at are those of its latest event
-- (by occurred_at). History is never overwritten: clients cannot update or delete events, and even
-- the service cannot change a recorded decision. Direct writes of a channel's consent columns are
-- recorded as events too. Agents record consent from conversations within their grants.

-- ============================================================================================
-- Setup (superuser)
--   c...01 Ada     e-mail d...01 (unknown), phone d...02 (unknown)
--   c...02 Grace   e-mail d...03, written 'granted' directly by an import ('import <job id>')
--   c...99 Olga    another owner's contact with e-mail d...99
-- Agents of the owner: a...01 message grant (e-mail only), a...02 write grant (every type).
-- ============================================================================================
select tests.create_supabase_user('consent_owner');
select tests.create_supabase_user('consent_other_owner');

insert into public.contacts (id, user_id, display_name) values
  ('c0900000-0000-4000-8000-000000000001', tests.get_supabase_uid('consent_owner'), 'Ada Lovelace'),
  ('c0900000-0000-4000-8000-000000000002', tests.get_supabase_uid('consent_owner'), 'Grace Hopper'),
  ('c0900000-0000-4000-8000-000000000099', tests.get_supabase_uid('consent_other_owner'), 'Olga Outsider');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier) values
  ('d0900000-0000-4000-8000-000000000001', tests.get_supabase_uid('consent_owner'), 'c0900000-0000-4000-8000-000000000001', 'email', 'ada@example.com'),
  ('d0900000-0000-4000-8000-000000000002', tests.get_supabase_uid('consent_owner'), 'c0900000-0000-4000-8000-000000000001', 'phone', '+442071234567'),
  ('d0900000-0000-4000-8000-000000000099', tests.get_supabase_uid('consent_other_owner'), 'c0900000-0000-4000-8000-000000000099', 'email', 'olga@example.com');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier, consent_status, consent_source) values
  ('d0900000-0000-4000-8000-000000000003', tests.get_supabase_uid('consent_owner'), 'c0900000-0000-4000-8000-000000000002', 'email',
   'grace@example.com', 'granted', 'import 70900000-0000-4000-8000-000000000001');

insert into public.agents (id, user_id, name) values
  ('a0900000-0000-4000-8000-000000000001', tests.get_supabase_uid('consent_owner'), 'Messenger'),
  ('a0900000-0000-4000-8000-000000000002', tests.get_supabase_uid('consent_owner'), 'Editor');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level, allowed_channel_types) values
  (tests.get_supabase_uid('consent_owner'), 'a0900000-0000-4000-8000-000000000001', 'all_contacts', 'message', '{email}'),
  (tests.get_supabase_uid('consent_owner'), 'a0900000-0000-4000-8000-000000000002', 'all_contacts', 'write', null);

-- ============================================================================================
-- Superuser: a channel written with a decision got it as its first event
-- ============================================================================================
select results_eq(
  $$ select status, source, source_ref from public.contact_consent_events where channel_id = 'd0900000-0000-4000-8000-000000000003' $$,
  $$ values ('granted'::text, 'import'::text, '70900000-0000-4000-8000-000000000001'::text) $$,
  'a channel written as granted by an import has one event: granted, source import, the job id as reference');
select results_eq(
  $$ select consent_status, consent_source from public.contact_communication_channels where id = 'd0900000-0000-4000-8000-000000000003' $$,
  $$ values ('granted'::text, 'import 70900000-0000-4000-8000-000000000001'::text) $$,
  'the channel reads its consent back in step with that event');
select is_empty(
  $$ select 1 from public.contact_consent_events where channel_id in ('d0900000-0000-4000-8000-000000000001', 'd0900000-0000-4000-8000-000000000002') $$,
  'channels without a decision (unknown) have no history');

-- ============================================================================================
-- Owner: recording decisions
-- ============================================================================================
select tests.authenticate_as('consent_owner');

select lives_ok(
  $$ insert into public.contact_consent_events (channel_id, status, source, source_ref, proof_reference, occurred_at)
     values ('d0900000-0000-4000-8000-000000000001', 'granted', 'form', 'newsletter signup', 'form-submission-4711', now() - interval '2 days') $$,
  'the owner records a consent granted through a form two days ago, with its proof');
select results_eq(
  $$ select consent_status, consent_source, consent_updated_at = now() - interval '2 days'
     from public.contact_communication_channels where id = 'd0900000-0000-4000-8000-000000000001' $$,
  $$ values ('granted'::text, 'form newsletter signup'::text, true) $$,
  'the channel now reads granted, from the form, as of the decision''s time');
select results_eq(
  $$ select contact_id, channel_type, actor_user_id, actor_agent_id
     from public.contact_consent_events where channel_id = 'd0900000-0000-4000-8000-000000000001' $$,
  $$ values ('c0900000-0000-4000-8000-000000000001'::uuid, 'email'::text, tests.get_supabase_uid('consent_owner'), null::uuid) $$,
  'the event takes its contact and type from the channel and its actor from the token');

select lives_ok(
  $$ insert into public.contact_consent_events (channel_id, status, source)
     values ('d0900000-0000-4000-8000-000000000001', 'withdrawn', 'manual') $$,
  'the owner records a withdrawal now');
select is(
  (select consent_status from public.contact_communication_channels where id = 'd0900000-0000-4000-8000-000000000001'),
  'withdrawn', 'the latest event decides: the channel reads withdrawn');

select lives_ok(
  $$ insert into public.contact_consent_events (channel_id, status, source, source_ref, occurred_at)
     values ('d0900000-0000-4000-8000-000000000001', 'granted', 'import', 'old spreadsheet', now() - interval '1 year') $$,
  'the owner backfills an older decision from a year ago');
select is(
  (select consent_status from public.contact_communication_channels where id = 'd0900000-0000-4000-8000-000000000001'),
  'withdrawn', 'a backfilled older event does not override the newer withdrawal');
select results_eq(
  $$ select status, source from public.contact_consent_events
     where channel_id = 'd0900000-0000-4000-8000-000000000001' order by occurred_at, id $$,
  $$ values ('granted'::text, 'import'::text), ('granted', 'form'), ('withdrawn', 'manual') $$,
  'the whole history is kept, in the order the decisions were made');

select throws_ok(
  $$ insert into public.contact_consent_events (channel_id, status, source, occurred_at)
     values ('d0900000-0000-4000-8000-000000000002', 'granted', 'api', now() + interval '1 day') $$,
  '23514', 'a consent event cannot lie in the future',
  'an event dated in the future is refused');
select throws_ok(
  $$ insert into public.contact_consent_events (channel_id, status, source)
     values ('d0900000-0000-4000-8000-000000000002', 'maybe', 'api') $$,
  '23514', null, 'a status other than granted or withdrawn is refused');

-- History cannot be rewritten through the API.
select throws_ok(
  $$ update public.contact_consent_events set status = 'granted' where channel_id = 'd0900000-0000-4000-8000-000000000001' $$,
  '42501', 'permission denied for table contact_consent_events',
  'the owner cannot update a consent event');
select throws_ok(
  $$ delete from public.contact_consent_events where channel_id = 'd0900000-0000-4000-8000-000000000001' $$,
  '42501', 'permission denied for table contact_consent_events',
  'the owner cannot delete a consent event');

-- Direct writes of the channel's consent columns go through the history.
select lives_ok(
  $$ update public.contact_communication_channels set consent_status = 'granted', consent_source = 'said yes on the phone'
     where id = 'd0900000-0000-4000-8000-000000000002' $$,
  'the owner writes the phone channel''s consent column directly');
select results_eq(
  $$ select status, source, source_ref, actor_user_id from public.contact_consent_events
     where channel_id = 'd0900000-0000-4000-8000-000000000002' $$,
  $$ values ('granted'::text, 'api'::text, 'said yes on the phone'::text, tests.get_supabase_uid('consent_owner')) $$,
  'that write was recorded as an event from the api, keeping its text as the reference');
select is(
  (select consent_source from public.contact_communication_channels where id = 'd0900000-0000-4000-8000-000000000002'),
  'api said yes on the phone', 'the channel reads the derived source of that event');
select throws_ok(
  $$ update public.contact_communication_channels set consent_status = 'unknown' where id = 'd0900000-0000-4000-8000-000000000002' $$,
  '23514', 'consent cannot go back to unknown; record a withdrawal instead',
  'a decision cannot be erased by setting the channel back to unknown');

-- ============================================================================================
-- Other owner: neither reads nor writes the owner's history
-- ============================================================================================
select tests.authenticate_as('consent_other_owner');
select is_empty($$ select id from public.contact_consent_events where user_id <> auth.uid() $$,
  'another owner sees none of the owner''s consent events');
select throws_ok(
  $$ insert into public.contact_consent_events (channel_id, status, source)
     values ('d0900000-0000-4000-8000-000000000001', 'granted', 'api') $$,
  '23503', 'channel not found',
  'another owner cannot record consent on the owner''s channel: it does not exist for them');

-- ============================================================================================
-- Agents: record from conversations, within their grants
-- ============================================================================================
select tests.authenticate_as_agent('consent_owner', 'a0900000-0000-4000-8000-000000000001');
select lives_ok(
  $$ insert into public.contact_consent_events (channel_id, status, source, source_ref)
     values ('d0900000-0000-4000-8000-000000000003', 'withdrawn', 'agent_conversation', 'replied STOP') $$,
  'a message agent records a withdrawal it heard in a conversation');
select results_eq(
  $$ select consent_status, consent_source from public.contact_communication_channels where id = 'd0900000-0000-4000-8000-000000000003' $$,
  $$ values ('withdrawn'::text, 'agent_conversation replied STOP'::text) $$,
  'the channel follows the agent''s event although the agent may not edit channels');
select throws_ok(
  $$ insert into public.contact_consent_events (channel_id, status, source)
     values ('d0900000-0000-4000-8000-000000000003', 'granted', 'agent_conversation') $$,
  '42501', 'new row violates row-level security policy for table "contact_consent_events"',
  'a message agent cannot grant consent: that takes a write grant');
select throws_ok(
  $$ insert into public.contact_consent_events (channel_id, status, source)
     values ('d0900000-0000-4000-8000-000000000003', 'withdrawn', 'form') $$,
  '42501', 'new row violates row-level security policy for table "contact_consent_events"',
  'an agent records consent only as agent_conversation');
select throws_ok(
  $$ insert into public.contact_consent_events (channel_id, status, source)
     values ('d0900000-0000-4000-8000-000000000002', 'withdrawn', 'agent_conversation') $$,
  '23503', 'channel not found',
  'an e-mail-only agent cannot record consent on a phone channel it cannot see');
select results_eq(
  $$ select channel_id from public.contact_consent_events order by channel_id $$,
  $$ values ('d0900000-0000-4000-8000-000000000001'::uuid), ('d0900000-0000-4000-8000-000000000001'::uuid),
            ('d0900000-0000-4000-8000-000000000001'::uuid), ('d0900000-0000-4000-8000-000000000003'::uuid),
            ('d0900000-0000-4000-8000-000000000003'::uuid) $$,
  'an e-mail-only agent reads the history of e-mail channels only');

select tests.authenticate_as_agent('consent_owner', 'a0900000-0000-4000-8000-000000000002');
select lives_ok(
  $$ insert into public.contact_consent_events (channel_id, status, source, proof_reference)
     values ('d0900000-0000-4000-8000-000000000003', 'granted', 'agent_conversation', 'message 123') $$,
  'a write agent may record consent granted in a conversation');
select results_eq(
  $$ select actor_user_id, actor_agent_id from public.contact_consent_events
     where channel_id = 'd0900000-0000-4000-8000-000000000003' and proof_reference = 'message 123' $$,
  $$ values (tests.get_supabase_uid('consent_owner'), 'a0900000-0000-4000-8000-000000000002'::uuid) $$,
  'the event names the agent that recorded it');

-- ============================================================================================
-- service_role: may not rewrite history either
-- ============================================================================================
select tests.authenticate_as_service_role();
select throws_ok(
  $$ update public.contact_consent_events set status = 'withdrawn' where channel_id = 'd0900000-0000-4000-8000-000000000003' $$,
  '42501', 'consent history cannot be rewritten; record a new event instead',
  'even the service cannot change a recorded decision');

-- ============================================================================================
-- Owner: data subject requests cover the history
-- ============================================================================================
select tests.authenticate_as('consent_owner');
select is(
  jsonb_array_length(public.export_contact_data_for_subject('c0900000-0000-4000-8000-000000000001') -> 'contact_consent_events'), 4,
  'the subject access export holds the consent history of the contact''s channels');
select lives_ok($$ select public.gdpr_delete_contact('c0900000-0000-4000-8000-000000000002', 'erase') $$,
  'the owner erases Grace');
select is_empty($$ select 1 from public.contact_consent_events where contact_id = 'c0900000-0000-4000-8000-000000000002' $$,
  'erasing a contact erases its consent history');

select * from finish();
rollback;
