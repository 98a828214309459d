-- Consent events happen at a finite time (20251020000027): owners, agent tokens and the service
-- cannot record one dated -infinity or infinity, directly or through a channel's consent time, in
-- the words interactions use; future and back-dated events are handled as before. An event dated
-- infinity stored before the check no longer decides its channel: a later opt-out does, and a write
-- of the channel back to that old decision is recorded as a decision of its own.
begin;
select plan(11);

-- ============================================================================================
-- Setup (superuser): owner finite_consent_owner with contact Ada, channels email (...e1) and phone
-- (...e2), an agent with a message grant on every contact. Written as before the check (replication
-- role replica: no triggers): a grant on the phone dated infinity, with the channel derived from it.
-- ============================================================================================
select tests.create_supabase_user('finite_consent_owner');
insert into public.contacts (id, user_id, first_name) values
  ('15100000-0000-4000-8000-000000000001', tests.get_supabase_uid('finite_consent_owner'), 'Ada');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier) values
  ('15100000-0000-4000-8000-0000000000e1', tests.get_supabase_uid('finite_consent_owner'), '15100000-0000-4000-8000-000000000001', 'email', 'ada@example.com'),
  ('15100000-0000-4000-8000-0000000000e2', tests.get_supabase_uid('finite_consent_owner'), '15100000-0000-4000-8000-000000000001', 'phone', '+442079460151');
insert into public.agents (id, user_id, name) values
  ('15100000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('finite_consent_owner'), 'caller');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('finite_consent_owner'), '15100000-0000-4000-8000-0000000000a1', 'all_contacts', 'message');
set local session_replication_role = replica;
insert into public.contact_consent_events (user_id, contact_id, channel_id, channel_type, status, source, occurred_at) values
  (tests.get_supabase_uid('finite_consent_owner'), '15100000-0000-4000-8000-000000000001', '15100000-0000-4000-8000-0000000000e2',
   'phone', 'granted', 'api', 'infinity');
update public.contact_communication_channels
set consent_status = 'granted', consent_source = 'api', consent_updated_at = 'infinity'
where id = '15100000-0000-4000-8000-0000000000e2';
set local session_replication_role = origin;

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('finite_consent_owner');
select throws_ok($$
  insert into public.contact_consent_events (channel_id, status, source, occurred_at)
  values ('15100000-0000-4000-8000-0000000000e1', 'granted', 'form', '-infinity') $$,
  '23514', 'a consent event must have a finite date',
  'an owner cannot record a consent event dated -infinity');
select throws_ok($$
  insert into public.contact_consent_events (channel_id, status, source, occurred_at)
  values ('15100000-0000-4000-8000-0000000000e1', 'granted', 'form', 'infinity') $$,
  '23514', 'a consent event must have a finite date',
  'an owner cannot record a consent event dated infinity');
select throws_ok($$
  insert into public.contact_consent_events (channel_id, status, source, occurred_at)
  values ('15100000-0000-4000-8000-0000000000e1', 'granted', 'form', now() + interval '1 day') $$,
  '23514', 'a consent event cannot lie in the future',
  'an owner still cannot record a consent event dated tomorrow');
insert into public.contact_consent_events (channel_id, status, source, occurred_at)
values ('15100000-0000-4000-8000-0000000000e1', 'granted', 'form', '2024-03-01 10:00:00+00');
select results_eq(
  $$ select consent_status, consent_updated_at from public.contact_communication_channels where id = '15100000-0000-4000-8000-0000000000e1' $$,
  $$ values ('granted'::text, '2024-03-01 10:00:00+00'::timestamptz) $$,
  'an owner''s back-dated grant is recorded with its date and decides the email channel');
insert into public.contact_consent_events (channel_id, status, source, source_ref)
values ('15100000-0000-4000-8000-0000000000e2', 'withdrawn', 'manual', 'phoned to opt out');
select results_eq(
  $$ select consent_status, consent_source from public.contact_communication_channels where id = '15100000-0000-4000-8000-0000000000e2' $$,
  $$ values ('withdrawn'::text, 'manual phoned to opt out'::text) $$,
  'an owner''s opt-out decides the phone channel although a grant dated infinity is stored');
reset role;
select is(private.agent_can_message_on_channel('15100000-0000-4000-8000-0000000000a1', '15100000-0000-4000-8000-000000000001', 'phone',
  '15100000-0000-4000-8000-0000000000e2'), false,
  'so the agent may no longer message on the phone channel');
select tests.authenticate_as('finite_consent_owner');
update public.contact_communication_channels set consent_status = 'granted', consent_source = 'api'
where id = '15100000-0000-4000-8000-0000000000e2';
reset role;
select results_eq(
  $$ select status, source, occurred_at <= now() from public.contact_consent_events
     where channel_id = '15100000-0000-4000-8000-0000000000e2' and isfinite(occurred_at) order by occurred_at desc, id desc limit 1 $$,
  $$ values ('granted'::text, 'api'::text, true) $$,
  'an owner writing the phone back to the stored infinity row''s decision records it as a new grant');

-- ============================================================================================
-- Agent
-- ============================================================================================
select tests.authenticate_as_agent('finite_consent_owner', '15100000-0000-4000-8000-0000000000a1');
select throws_ok($$
  insert into public.contact_consent_events (channel_id, status, source, occurred_at)
  values ('15100000-0000-4000-8000-0000000000e1', 'withdrawn', 'agent_conversation', '-infinity') $$,
  '23514', 'a consent event must have a finite date',
  'an agent token cannot record a consent event dated -infinity');
reset role;

-- ============================================================================================
-- service_role
-- ============================================================================================
select tests.authenticate_as_service_role();
select throws_ok($$
  insert into public.contact_consent_events (user_id, channel_id, status, source, occurred_at)
  values (tests.get_supabase_uid('finite_consent_owner'), '15100000-0000-4000-8000-0000000000e1', 'withdrawn', 'import', 'infinity') $$,
  '23514', 'a consent event must have a finite date',
  'the service cannot record a consent event dated infinity');
select throws_ok($$
  insert into public.contact_communication_channels
    (user_id, contact_id, channel_type, identifier, consent_status, consent_source, consent_updated_at)
  values (tests.get_supabase_uid('finite_consent_owner'), '15100000-0000-4000-8000-000000000001', 'sms', '+442079460152',
    'granted', 'import', '-infinity') $$,
  '23514', 'a consent event must have a finite date',
  'the service cannot add a channel whose consent time is -infinity (its first event would be)');
reset role;
select is((select count(*) from public.contact_consent_events
           where user_id = tests.get_supabase_uid('finite_consent_owner') and not isfinite(occurred_at)), 1::bigint,
  'none of the refused writes left an event: the owner''s only non-finite event is the one stored before');

select * from finish();
rollback;
