-- Interactions: the delivery lifecycle only moves forward (queued -> sent -> delivered -> read; an
-- unfinished message may fail; a failed one may be queued again), each state stamps its time, and
-- an interaction only names the owner's own contact, agent and channel. Run as an authenticated
-- owner: these are the writes a client (or an agent's worker) makes.
begin;
select plan(35);

-- Fixtures (superuser): the owner's contacts Ada and Grace with a channel each and an agent; the
-- rival's contact, channel and agent.
do $$
declare
  owner_id uuid := tests.create_supabase_user('inbox_owner');
  rival_id uuid := tests.create_supabase_user('inbox_rival');
begin
  insert into public.contacts (id, user_id, first_name, last_name) values
    ('33000000-0000-4000-8000-0000000000c1', owner_id, 'Ada', 'Lovelace'),
    ('33000000-0000-4000-8000-0000000000c2', owner_id, 'Grace', 'Hopper'),
    ('33000000-0000-4000-8000-0000000000f1', rival_id, 'Charles', 'Babbage');
  insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier) values
    ('33000000-0000-4000-8000-0000000000e1', owner_id, '33000000-0000-4000-8000-0000000000c1', 'email', 'ada@example.com'),
    ('33000000-0000-4000-8000-0000000000e2', owner_id, '33000000-0000-4000-8000-0000000000c2', 'email', 'grace@example.com'),
    ('33000000-0000-4000-8000-0000000000f2', rival_id, '33000000-0000-4000-8000-0000000000f1', 'email', 'charles@example.com');
  insert into public.agents (id, user_id, name) values
    ('33000000-0000-4000-8000-0000000000a1', owner_id, 'Courier'),
    ('33000000-0000-4000-8000-0000000000f3', rival_id, 'Spy');
end
$$;

-- ============================================================================================
-- Persona: owner (inbox_owner) -- the happy path stamps every state
-- ============================================================================================
select tests.authenticate_as('inbox_owner');

select lives_ok($$
  insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, interaction_type, direction, subject)
  values ('33000000-0000-4000-8000-0000000000c1', '33000000-0000-4000-8000-0000000000a1', '33000000-0000-4000-8000-0000000000e1',
          'email', 'email', 'outbound', 'Lifecycle')
$$, 'an owner can log an outbound e-mail to their contact through their agent and channel');
select results_eq($$
  select delivery_status, queued_at is not null, sent_at is null and delivered_at is null and read_at is null and failed_at is null
  from public.contact_interactions where subject = 'Lifecycle'
$$, $$ values ('queued'::text, true, true) $$,
  'a new message starts queued, with queued_at stamped and no later timestamps');

select lives_ok($$ update public.contact_interactions set delivery_status = 'sent' where subject = 'Lifecycle' $$,
  'an owner can move a queued message to sent');
select ok((select sent_at is not null from public.contact_interactions where subject = 'Lifecycle'),
  'moving to sent stamps sent_at');
select lives_ok($$ update public.contact_interactions set delivery_status = 'delivered' where subject = 'Lifecycle' $$,
  'an owner can move a sent message to delivered');
select ok((select delivered_at is not null from public.contact_interactions where subject = 'Lifecycle'),
  'moving to delivered stamps delivered_at');
select throws_ok($$ update public.contact_interactions set delivery_status = 'failed' where subject = 'Lifecycle' $$,
  '23514', 'delivery status cannot go from delivered to failed',
  'an owner cannot mark a delivered message as failed');
select throws_ok($$ update public.contact_interactions set delivery_status = 'queued' where subject = 'Lifecycle' $$,
  '23514', 'delivery status cannot go from delivered to queued',
  'an owner cannot queue a delivered message again');
select lives_ok($$ update public.contact_interactions set delivery_status = 'read' where subject = 'Lifecycle' $$,
  'an owner can move a delivered message to read');
select ok((select read_at is not null from public.contact_interactions where subject = 'Lifecycle'),
  'moving to read stamps read_at');
select throws_ok($$ update public.contact_interactions set delivery_status = 'sent' where subject = 'Lifecycle' $$,
  '23514', 'delivery status cannot go from read to sent',
  'an owner cannot move a read message back to sent');
select throws_ok($$ update public.contact_interactions set delivery_status = 'queued' where subject = 'Lifecycle' $$,
  '23514', 'delivery status cannot go from read to queued',
  'an owner cannot queue a read message again');
select results_eq($$
  select delivery_status, queued_at <= sent_at and sent_at <= delivered_at and delivered_at <= read_at
  from public.contact_interactions where subject = 'Lifecycle'
$$, $$ values ('read'::text, true) $$,
  'after the refused moves the message is still read, with its timestamps in lifecycle order');

-- ============================================================================================
-- Persona: owner (inbox_owner) -- failure and retry
-- ============================================================================================
select lives_ok($$
  insert into public.contact_interactions (contact_id, channel_id, channel_type, direction, subject)
  values ('33000000-0000-4000-8000-0000000000c2', '33000000-0000-4000-8000-0000000000e2', 'email', 'outbound', 'Retry')
$$, 'an owner can log a second outbound message');
select throws_ok($$ update public.contact_interactions set delivery_status = 'read' where subject = 'Retry' $$,
  '23514', 'delivery status cannot go from queued to read',
  'an owner cannot mark a queued message read without delivering it');
select lives_ok($$
  update public.contact_interactions set delivery_status = 'failed', error_code = 'mailbox_full' where subject = 'Retry'
$$, 'an owner can mark a queued message as failed');
select ok((select failed_at is not null from public.contact_interactions where subject = 'Retry'),
  'moving to failed stamps failed_at');
select throws_ok($$ update public.contact_interactions set delivery_status = 'delivered' where subject = 'Retry' $$,
  '23514', 'delivery status cannot go from failed to delivered',
  'an owner cannot mark a failed message delivered without queueing it again');
select lives_ok($$ update public.contact_interactions set delivery_status = 'queued' where subject = 'Retry' $$,
  'an owner can queue a failed message again (retry)');
select results_eq($$
  select delivery_status, failed_at is null, queued_at is not null from public.contact_interactions where subject = 'Retry'
$$, $$ values ('queued'::text, true, true) $$,
  'a retried message is queued again with failed_at cleared');
select lives_ok($$
  insert into public.contact_interactions (contact_id, channel_type, direction, delivery_status, error_code, subject)
  values ('33000000-0000-4000-8000-0000000000c1', 'sms', 'outbound', 'failed', 'unreachable', 'Failed at once')
$$, 'an owner can log a message that failed straight away');
select ok((select failed_at is not null from public.contact_interactions where subject = 'Failed at once'),
  'a message logged as failed gets failed_at stamped, as the failure check requires');

-- ============================================================================================
-- Persona: owner (inbox_owner) -- bad statuses and hand-written timestamps
-- ============================================================================================
select throws_ok($$ update public.contact_interactions set delivery_status = 'bounced' where subject = 'Retry' $$,
  '23514', 'delivery status cannot go from queued to bounced',
  'an owner cannot move a message to an unknown status');
select throws_ok($$
  insert into public.contact_interactions (contact_id, channel_type, direction, delivery_status)
  values ('33000000-0000-4000-8000-0000000000c1', 'email', 'outbound', 'bounced')
$$, '23514', 'new row for relation "contact_interactions" violates check constraint "contact_interactions_delivery_status_check"',
  'an owner cannot log a message in an unknown status: the check constraint answers, not a trigger crash');
select throws_ok($$
  update public.contact_interactions set delivered_at = now() where subject = 'Retry'
$$, '42501', 'permission denied for table contact_interactions',
  'an owner cannot write a lifecycle timestamp by hand');
select throws_ok($$
  insert into public.contact_interactions (contact_id, channel_type, direction)
  values ('33000000-0000-4000-8000-0000000000c1', 'email', 'sideways')
$$, '23514', 'new row for relation "contact_interactions" violates check constraint "contact_interactions_direction_check"',
  'an owner cannot log an interaction in an unknown direction');
select throws_ok($$
  insert into public.contact_interactions (contact_id, channel_type, direction)
  values ('33000000-0000-4000-8000-0000000000c1', 'pigeon', 'outbound')
$$, '23514', 'new row for relation "contact_interactions" violates check constraint "contact_interactions_channel_type_check"',
  'an owner cannot log an interaction on an unknown channel type');
select throws_ok($$
  insert into public.contact_interactions (contact_id, channel_type, direction, metadata)
  values ('33000000-0000-4000-8000-0000000000c1', 'email', 'outbound', '[1, 2]')
$$, '23514', 'new row for relation "contact_interactions" violates check constraint "contact_interactions_metadata_check"',
  'an owner cannot store metadata that is not a JSON object');

-- ============================================================================================
-- Persona: owner (inbox_owner) -- references must be the owner's own, and belong together
-- ============================================================================================
select throws_ok($$
  insert into public.contact_interactions (contact_id, channel_type, direction)
  values ('33000000-0000-4000-8000-0000000000f1', 'email', 'outbound')
$$, '23503', 'insert or update on table "contact_interactions" violates foreign key constraint "contact_interactions_contact_fkey"',
  'an owner cannot log an interaction with another owner''s contact');
select throws_ok($$
  insert into public.contact_interactions (contact_id, agent_id, channel_type, direction)
  values ('33000000-0000-4000-8000-0000000000c1', '33000000-0000-4000-8000-0000000000f3', 'email', 'outbound')
$$, '23503', 'insert or update on table "contact_interactions" violates foreign key constraint "contact_interactions_agent_fkey"',
  'an owner cannot attribute an interaction to another owner''s agent');
select throws_ok($$
  insert into public.contact_interactions (contact_id, channel_id, channel_type, direction)
  values ('33000000-0000-4000-8000-0000000000c1', '33000000-0000-4000-8000-0000000000f2', 'email', 'outbound')
$$, '23503', 'insert or update on table "contact_interactions" violates foreign key constraint "contact_interactions_channel_fkey"',
  'an owner cannot send an interaction through another owner''s channel');
select throws_ok($$
  insert into public.contact_interactions (contact_id, channel_id, channel_type, direction, subject)
  values ('33000000-0000-4000-8000-0000000000c1', '33000000-0000-4000-8000-0000000000e2', 'email', 'outbound', 'Wrong channel')
$$, '23503', null,
  'an owner cannot log an interaction with Ada through Grace''s channel: a channel belongs to one contact');

-- ============================================================================================
-- Persona: service_role -- the lifecycle binds the service too
-- ============================================================================================
select tests.authenticate_as_service_role();

select throws_ok($$ update public.contact_interactions set delivery_status = 'queued' where subject = 'Lifecycle' $$,
  '23514', 'delivery status cannot go from read to queued',
  'service_role cannot move a read message back to queued either');
select lives_ok($$ update public.contact_interactions set delivery_status = 'sent' where subject = 'Retry' $$,
  'service_role (a delivery worker) can move a queued message to sent');
select ok((select sent_at is not null and delivery_status = 'sent' from public.contact_interactions where subject = 'Retry'),
  'the worker''s move stamps sent_at');

select * from finish();
rollback;
