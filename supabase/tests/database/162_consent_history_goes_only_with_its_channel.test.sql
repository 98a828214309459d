-- Consent history goes only with its channel or contact (20251020000040): even the service cannot
-- delete an event and leave the channel's consent derived from a history no longer on record;
-- deleting the channel or the contact still takes its events with it.
begin;
select plan(7);

select tests.create_supabase_user('history_owner');
insert into public.contacts (id, user_id, display_name) values
  ('16200000-0000-4000-8000-000000000001', tests.get_supabase_uid('history_owner'), 'Wilma Withdrawn'),
  ('16200000-0000-4000-8000-000000000002', tests.get_supabase_uid('history_owner'), 'Gus Granted');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier) values
  ('16200000-0000-4000-8000-0000000000d1', tests.get_supabase_uid('history_owner'), '16200000-0000-4000-8000-000000000001', 'email', 'wilma@example.com'),
  ('16200000-0000-4000-8000-0000000000d2', tests.get_supabase_uid('history_owner'), '16200000-0000-4000-8000-000000000002', 'email', 'gus@example.com');

-- Owner
select tests.authenticate_as('history_owner');

-- Wilma granted, then withdrew; Gus granted.
insert into public.contact_consent_events (channel_id, status, source, occurred_at) values
  ('16200000-0000-4000-8000-0000000000d1', 'granted', 'form', now() - interval '2 days'),
  ('16200000-0000-4000-8000-0000000000d1', 'withdrawn', 'manual', now() - interval '1 day'),
  ('16200000-0000-4000-8000-0000000000d2', 'granted', 'form', now() - interval '1 day');

-- Service
select tests.authenticate_as_service_role();

select throws_ok(
  $$ delete from public.contact_consent_events
     where channel_id = '16200000-0000-4000-8000-0000000000d1' and status = 'withdrawn' $$,
  '42501', 'consent history cannot be deleted; it goes with its channel or contact',
  'The service cannot delete a withdrawal from a channel''s history.');
select results_eq(
  $$ select count(*)::integer from public.contact_consent_events where channel_id = '16200000-0000-4000-8000-0000000000d1' $$,
  array[2],
  'The channel''s history keeps both of its events.');
select is(
  (select consent_status from public.contact_communication_channels where id = '16200000-0000-4000-8000-0000000000d1'),
  'withdrawn',
  'The channel stays withdrawn.');
select lives_ok(
  format($$ insert into public.contact_consent_events (user_id, channel_id, status, source, occurred_at)
     values (%L, '16200000-0000-4000-8000-0000000000d1', 'granted', 'import', now() - interval '3 days') $$,
     tests.get_supabase_uid('history_owner')),
  'The service may still backfill an older event.');
select is(
  (select consent_status from public.contact_communication_channels where id = '16200000-0000-4000-8000-0000000000d1'),
  'withdrawn',
  'A backfilled older grant does not take over from the withdrawal the history keeps.');

-- Owner
select tests.authenticate_as('history_owner');

delete from public.contact_communication_channels where id = '16200000-0000-4000-8000-0000000000d1';
select is_empty(
  $$ select 1 from public.contact_consent_events where channel_id = '16200000-0000-4000-8000-0000000000d1' $$,
  'Deleting a channel takes its consent history with it.');

-- Service
select tests.authenticate_as_service_role();

delete from public.contacts where id = '16200000-0000-4000-8000-000000000002';
select is_empty(
  $$ select 1 from public.contact_consent_events where channel_id = '16200000-0000-4000-8000-0000000000d2' $$,
  'Deleting a contact takes its channels'' consent history with it.');

select * from finish();
rollback;
