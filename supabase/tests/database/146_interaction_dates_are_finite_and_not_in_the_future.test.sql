-- Interactions happen at a finite time, not in the future (20251020000022): owners, agent tokens and
-- the service cannot write occurred_at as -infinity, infinity or days ahead; a few minutes ahead (a
-- client's clock) is dated now. Rows stored before the check do not stop retention: an owner with an
-- interaction dated -infinity keeps to keyset batches, which delete it, while the others sweep; and
-- an interaction stored in the future is no activity that keeps an inactive contact.
begin;
select plan(15);

-- ============================================================================================
-- Setup (superuser): owner dates_owner (contacts Logged and Active, each with an interaction of 10
-- days ago; Stale and Pinned; an agent with a message grant on every contact) and dates_other_owner
-- (contact Other); Logged and Other have 3 interactions of 2 years ago. Rows written as they were
-- before the check (replication role replica: no triggers): dates_owner's interaction dated
-- -infinity on Logged, and one dated 2099 on Pinned.
-- ============================================================================================
select tests.create_supabase_user('dates_owner');
select tests.create_supabase_user('dates_other_owner');
insert into public.agents (id, user_id, name) values
  ('14600000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('dates_owner'), 'logger');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('dates_owner'), '14600000-0000-4000-8000-0000000000b1', 'all_contacts', 'message');
insert into public.contacts (id, user_id, display_name, created_at) values
  ('14600000-0000-4000-8000-000000000001', tests.get_supabase_uid('dates_owner'), 'Logged', now() - interval '5 years'),
  ('14600000-0000-4000-8000-000000000002', tests.get_supabase_uid('dates_owner'), 'Stale', now() - interval '5 years'),
  ('14600000-0000-4000-8000-000000000003', tests.get_supabase_uid('dates_owner'), 'Pinned', now() - interval '5 years'),
  ('14600000-0000-4000-8000-000000000004', tests.get_supabase_uid('dates_owner'), 'Active', now() - interval '5 years'),
  ('14600000-0000-4000-8000-000000000005', tests.get_supabase_uid('dates_other_owner'), 'Other', now() - interval '5 years');
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
select c.user_id, c.id, 'email', 'inbound', 'old ' || n, now() - interval '2 years' - n * interval '1 minute'
from public.contacts c cross join generate_series(1, 3) n
where c.id in ('14600000-0000-4000-8000-000000000001', '14600000-0000-4000-8000-000000000005');
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at) values
  (tests.get_supabase_uid('dates_owner'), '14600000-0000-4000-8000-000000000001', 'email', 'inbound', 'recent', now() - interval '10 days'),
  (tests.get_supabase_uid('dates_owner'), '14600000-0000-4000-8000-000000000004', 'email', 'inbound', 'recent', now() - interval '10 days');
set local session_replication_role = replica;
-- (Without the triggers, which would refuse these dates: an inbound message arrives delivered.)
insert into public.contact_interactions (id, user_id, contact_id, channel_type, direction, content, occurred_at, delivery_status) values
  ('14600000-0000-4000-8000-0000000000e1', tests.get_supabase_uid('dates_owner'), '14600000-0000-4000-8000-000000000001',
   'email', 'inbound', 'stored dated -infinity', '-infinity', 'delivered'),
  ('14600000-0000-4000-8000-0000000000e2', tests.get_supabase_uid('dates_owner'), '14600000-0000-4000-8000-000000000003',
   'email', 'inbound', 'stored dated 2099', '2099-01-01', 'delivered');
set local session_replication_role = origin;
insert into public.contact_retention_policies (user_id, data_class, action, retain_days) values
  (tests.get_supabase_uid('dates_owner'), 'interactions', 'delete', 365),
  (tests.get_supabase_uid('dates_owner'), 'inactive_contacts', 'delete', 365),
  (tests.get_supabase_uid('dates_other_owner'), 'interactions', 'delete', 365);

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('dates_owner');
select throws_ok($$
  insert into public.contact_interactions (contact_id, channel_type, direction, content, occurred_at)
  values ('14600000-0000-4000-8000-000000000002', 'email', 'inbound', 'x', '-infinity') $$,
  '23514', 'an interaction must have a finite date',
  'an owner cannot log an interaction dated -infinity');
select throws_ok($$
  insert into public.contact_interactions (contact_id, channel_type, direction, content, occurred_at)
  values ('14600000-0000-4000-8000-000000000002', 'email', 'inbound', 'x', 'infinity') $$,
  '23514', 'an interaction must have a finite date',
  'an owner cannot log an interaction dated infinity');
select throws_ok($$
  insert into public.contact_interactions (contact_id, channel_type, direction, content, occurred_at)
  values ('14600000-0000-4000-8000-000000000002', 'email', 'inbound', 'x', now() + interval '1 day') $$,
  '23514', 'an interaction cannot lie in the future',
  'an owner cannot log an interaction dated tomorrow');
insert into public.contact_interactions (contact_id, channel_type, direction, content, occurred_at) values
  ('14600000-0000-4000-8000-000000000004', 'email', 'inbound', 'fast clock', now() + interval '2 minutes'),
  ('14600000-0000-4000-8000-000000000004', 'email', 'inbound', 'history', '2024-03-01 10:00:00+00');
select ok((select occurred_at <= statement_timestamp() from public.contact_interactions where content = 'fast clock' and user_id = tests.get_supabase_uid('dates_owner')),
  'an owner''s interaction dated two minutes ahead (a client''s clock) is dated now');
select is((select occurred_at from public.contact_interactions where content = 'history' and user_id = tests.get_supabase_uid('dates_owner')),
  '2024-03-01 10:00:00+00'::timestamptz, 'an owner''s back-dated interaction keeps its date');
reset role;

-- ============================================================================================
-- Agent
-- ============================================================================================
select tests.authenticate_as_agent('dates_owner', '14600000-0000-4000-8000-0000000000b1');
select throws_ok($$
  insert into public.contact_interactions (contact_id, agent_id, channel_type, direction, content, occurred_at)
  values ('14600000-0000-4000-8000-000000000002', '14600000-0000-4000-8000-0000000000b1', 'email', 'inbound', 'x', '-infinity') $$,
  '23514', 'an interaction must have a finite date',
  'an agent token cannot log an interaction dated -infinity');
select throws_ok($$
  insert into public.contact_interactions (contact_id, agent_id, channel_type, direction, content, occurred_at)
  values ('14600000-0000-4000-8000-000000000002', '14600000-0000-4000-8000-0000000000b1', 'email', 'inbound', 'x', '2099-01-01') $$,
  '23514', 'an interaction cannot lie in the future',
  'an agent token cannot log an interaction dated 2099 (which would keep its contact for ever)');
reset role;

-- ============================================================================================
-- service_role
-- ============================================================================================
select tests.authenticate_as_service_role();
select throws_ok($$
  update public.contact_interactions set occurred_at = 'infinity' where content = 'history' and user_id = tests.get_supabase_uid('dates_owner') $$,
  '23514', 'an interaction must have a finite date',
  'the service cannot move an interaction to infinity');
select lives_ok($$
  update public.contact_interactions set summary = 'checked', occurred_at = occurred_at where id = '14600000-0000-4000-8000-0000000000e1' $$,
  'the service still updates an interaction stored dated -infinity, its date left as it is');

-- A run that sweeps (threshold of one row), with dates_owner's -infinity row stored.
select set_config('contacts.retention_sweep_min_rows', '1', true);
select lives_ok($$ select * from public.apply_retention_policies(false, null) $$,
  'the service''s retention run sweeps without error although an interaction is stored dated -infinity');
select results_eq(
  $$ select u.email::text, i.swept from private.retention_run_items i join auth.users u on u.id = i.user_id
     where i.run_id = (select max(r.id) from private.retention_runs r where r.status <> 'skipped')
       and i.data_class = 'interactions' and u.email like 'dates%' order by u.email $$,
  $$ values ('dates_other_owner@test.example'::text, true), ('dates_owner@test.example', false) $$,
  'the other owner''s interactions are swept, the owner with the -infinity row keeps to keyset batches');
select is((select count(*) from public.contact_interactions where user_id = tests.get_supabase_uid('dates_other_owner')), 0::bigint,
  'the sweep deleted the other owner''s interactions past retention');
select results_eq($$ select content from public.contact_interactions where contact_id = '14600000-0000-4000-8000-000000000001' $$,
  $$ values ('recent'::text) $$,
  'the keyset batches deleted the owner''s old interactions, the one dated -infinity with them, and kept the recent one');
select is((select count(*) from public.contacts where id = '14600000-0000-4000-8000-000000000003'), 0::bigint,
  'a contact whose only interaction is stored dated 2099 is inactive, and deleted');
select results_eq(
  $$ select display_name from public.contacts where user_id = tests.get_supabase_uid('dates_owner') order by display_name $$,
  $$ values ('Active'::text), ('Logged') $$,
  'only the contacts with interactions of the last year are kept');
reset role;

select * from finish();
rollback;
