-- Only outbound messages are deliveries (20251020000033): inbound messages and internal notes
-- arrive delivered and never enter the delivery queue, so an agent cannot queue or "send" a
-- message on a channel whose consent was withdrawn by calling it internal. A failed message queued
-- again starts its delivery afresh, and a state reached implies the ones before it.
begin;
select plan(10);

-- ============================================================================================
-- Setup (superuser): Ada's e-mail, whose consent is withdrawn; an agent with a message grant.
-- ============================================================================================
select tests.create_supabase_user('courier_owner');
insert into public.contacts (id, user_id, display_name) values
  ('c1560000-0000-4000-8000-000000000001', tests.get_supabase_uid('courier_owner'), 'Ada Lovelace');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier, consent_status) values
  ('d1560000-0000-4000-8000-000000000001', tests.get_supabase_uid('courier_owner'), 'c1560000-0000-4000-8000-000000000001',
   'email', 'ada@example.com', 'withdrawn'),
  ('d1560000-0000-4000-8000-000000000002', tests.get_supabase_uid('courier_owner'), 'c1560000-0000-4000-8000-000000000001',
   'whatsapp', '+442071234568', 'granted');
insert into public.agents (id, user_id, name) values
  ('a1560000-0000-4000-8000-000000000001', tests.get_supabase_uid('courier_owner'), 'Courier');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('courier_owner'), 'a1560000-0000-4000-8000-000000000001', 'all_contacts', 'message');

-- ============================================================================================
-- Agent with a message grant
-- ============================================================================================
select tests.authenticate_as_agent('courier_owner', 'a1560000-0000-4000-8000-000000000001');
insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, interaction_type, direction, subject)
values ('c1560000-0000-4000-8000-000000000001', 'a1560000-0000-4000-8000-000000000001',
        'd1560000-0000-4000-8000-000000000001', 'email', 'email', 'internal', 'Promo mail'),
       ('c1560000-0000-4000-8000-000000000001', 'a1560000-0000-4000-8000-000000000001',
        'd1560000-0000-4000-8000-000000000001', 'email', 'email', 'inbound', 'Re: hello');
select results_eq(
  $$ select direction, delivery_status, queued_at is null, delivered_at is not null from public.contact_interactions
     where subject in ('Promo mail', 'Re: hello') order by direction $$,
  $$ values ('inbound', 'delivered', true, true), ('internal', 'delivered', true, true) $$,
  'an agent''s inbound message and internal note arrive delivered, outside the delivery queue');
select throws_ok(
  $$ update public.contact_interactions set delivery_status = 'sent' where subject = 'Promo mail' $$,
  '23514', 'delivery status cannot go from delivered to sent',
  'an agent cannot move an internal note on to sent on a channel whose consent is withdrawn');
select throws_ok(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, direction, subject, delivery_status)
     values ('c1560000-0000-4000-8000-000000000001', 'a1560000-0000-4000-8000-000000000001',
             'd1560000-0000-4000-8000-000000000001', 'email', 'internal', 'Bounced?', 'failed') $$,
  '23514', null,
  'an internal note cannot be failed: only outbound messages are deliveries');
select lives_ok(
  $$ update public.contact_interactions set delivery_status = 'read' where subject = 'Re: hello' $$,
  'the agent marks the inbound message read');
reset role;

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('courier_owner');
insert into public.contact_interactions (contact_id, channel_id, channel_type, direction, subject)
values ('c1560000-0000-4000-8000-000000000001',
        'd1560000-0000-4000-8000-000000000002', 'whatsapp', 'outbound', 'Your order');
update public.contact_interactions set delivery_status = 'sent' where subject = 'Your order';
update public.contact_interactions set delivery_status = 'failed', error_code = 'timeout', error_message = 'no answer'
where subject = 'Your order';
-- The first attempt's times, moved into the past as if it was an hour ago.
reset role;
update public.contact_interactions set queued_at = now() - interval '1 hour', sent_at = now() - interval '59 minutes'
where subject = 'Your order';
select tests.authenticate_as('courier_owner');
update public.contact_interactions set delivery_status = 'queued' where subject = 'Your order';
select results_eq(
  $$ select delivery_status, queued_at = now(), sent_at is null, failed_at is null, error_code is null and error_message is null
     from public.contact_interactions where subject = 'Your order' $$,
  $$ values ('queued', true, true, true, true) $$,
  'the owner queues a failed message again: a new queued_at, no earlier sent time, failure or error');
update public.contact_interactions set delivery_status = 'delivered' where subject = 'Your order';
select results_eq(
  $$ select delivery_status, sent_at = delivered_at, queued_at <= sent_at
     from public.contact_interactions where subject = 'Your order' $$,
  $$ values ('delivered', true, true) $$,
  'delivered without being marked sent: it was sent at the latest when delivered');
select lives_ok(
  $$ insert into public.contact_interactions (contact_id, channel_id, channel_type, direction, subject, delivery_status)
     values ('c1560000-0000-4000-8000-000000000001',
             'd1560000-0000-4000-8000-000000000002', 'whatsapp', 'outbound', 'Imported history', 'read') $$,
  'the owner records an outbound message already read');
select results_eq(
  $$ select read_at = delivered_at, delivered_at = sent_at, sent_at = queued_at
     from public.contact_interactions where subject = 'Imported history' $$,
  $$ values (true, true, true) $$,
  'a message recorded as read was queued, sent and delivered at the latest then');
reset role;

-- ============================================================================================
-- Superuser: a row stored before the rule, and the rule itself
-- ============================================================================================
select throws_ok(
  $$ update public.contact_interactions set delivery_status = 'queued' where subject = 'Re: hello' $$,
  '23514', null,
  'no one, not even a superuser, can put an inbound message in the delivery queue');
select is(
  (select count(*)::integer from public.contact_interactions where direction <> 'outbound' and delivery_status not in ('delivered', 'read')),
  0,
  'no inbound message or internal note is in an outbound state');

select * from finish();
rollback;
