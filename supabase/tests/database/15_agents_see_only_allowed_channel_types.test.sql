-- RLS matrix for public.contact_communication_channels, agent-scoped tokens: an agent sees the
-- channels of granted contacts whose type its grant allows; only a 'write' grant adds or edits
-- channels, and only of allowed types; agents never delete channels; expired, future, inactive
-- and foreign agents see and add nothing.
begin;
select plan(25);

select tests.create_supabase_user('rls_owner');
select tests.create_supabase_user('rls_other_owner');

insert into public.contacts (id, user_id, display_name) values
  ('c0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Ada Lovelace'),
  ('c0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'Alan Turing'),
  ('c0000000-0000-4000-8000-000000000003', tests.get_supabase_uid('rls_owner'), 'Grace Hopper'),
  ('c0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'Bob Rival');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier) values
  ('d0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000001',
   'email', 'ada@example.com'),
  ('d0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000001',
   'phone', '+442071234567'),
  ('d0000000-0000-4000-8000-000000000003', tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000002',
   'email', 'alan@example.com'),
  ('d0000000-0000-4000-8000-000000000004', tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000002',
   'whatsapp', '+447700900123'),
  ('d0000000-0000-4000-8000-000000000005', tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000003',
   'email', 'grace@example.com'),
  ('d0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'c0000000-0000-4000-8000-0000000000b1',
   'email', 'bob@example.com');

insert into public.agents (id, user_id, name, is_active) values
  ('a0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Mailer', true),
  ('a0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'Editor', true),
  ('a0000000-0000-4000-8000-000000000003', tests.get_supabase_uid('rls_owner'), 'Picker', true),
  ('a0000000-0000-4000-8000-000000000004', tests.get_supabase_uid('rls_owner'), 'Lapsed', true),
  ('a0000000-0000-4000-8000-000000000005', tests.get_supabase_uid('rls_owner'), 'Early', true),
  ('a0000000-0000-4000-8000-000000000006', tests.get_supabase_uid('rls_owner'), 'Dormant', false),
  ('a0000000-0000-4000-8000-000000000007', tests.get_supabase_uid('rls_owner'), 'Messenger', true),
  ('a0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'Rival', true);

insert into public.agent_contact_permissions
  (id, user_id, agent_id, permission_type, permission_level, allowed_channel_types, valid_from, valid_until) values
  ('b0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000001',
   'all_contacts', 'read', '{email}', now(), null),
  ('b0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000002',
   'all_contacts', 'write', '{email}', now(), null),
  ('b0000000-0000-4000-8000-000000000003', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000003',
   'specific_contacts', 'read', null, now(), null),
  ('b0000000-0000-4000-8000-000000000004', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000004',
   'all_contacts', 'write', null, now() - interval '2 days', now() - interval '1 day'),
  ('b0000000-0000-4000-8000-000000000005', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000005',
   'all_contacts', 'write', null, now() + interval '1 day', null),
  ('b0000000-0000-4000-8000-000000000006', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000006',
   'all_contacts', 'write', null, now(), null),
  ('b0000000-0000-4000-8000-000000000007', tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000007',
   'all_contacts', 'message', null, now(), null),
  ('b0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'a0000000-0000-4000-8000-0000000000b1',
   'all_contacts', 'write', null, now(), null);
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('rls_owner'), 'b0000000-0000-4000-8000-000000000003', 'a0000000-0000-4000-8000-000000000003',
   'c0000000-0000-4000-8000-000000000001');

-- Agent: a 'read' grant limited to e-mail
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000001');
select results_eq(
  $$ select id from public.contact_communication_channels order by id $$,
  $$ values ('d0000000-0000-4000-8000-000000000001'::uuid), ('d0000000-0000-4000-8000-000000000003'::uuid),
            ('d0000000-0000-4000-8000-000000000005'::uuid) $$,
  'an e-mail-only read agent sees the e-mail channels and no phone or WhatsApp channel');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0000000-0000-4000-8000-000000000001', 'email', 'ada.reader@example.com') $$,
  '42501', 'new row violates row-level security policy for table "contact_communication_channels"',
  'a read agent cannot add a channel, even of an allowed type');
select is_empty(
  $$ update public.contact_communication_channels set label = 'by reader' returning id $$,
  'a read agent cannot update channels (no row matches)');
select is_empty(
  $$ delete from public.contact_communication_channels returning id $$,
  'a read agent cannot delete channels (no row matches)');

-- Agent: a 'message' grant on every channel type
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000007');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0000000-0000-4000-8000-000000000001', 'email', 'ada.messenger@example.com') $$,
  '42501', 'new row violates row-level security policy for table "contact_communication_channels"',
  'a message agent cannot add a channel: that needs write');
select is_empty(
  $$ update public.contact_communication_channels set label = 'by messenger' returning id $$,
  'a message agent cannot update channels: that needs write');

-- Agent: a 'write' grant limited to e-mail
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000002');
select results_eq(
  $$ select id from public.contact_communication_channels order by id $$,
  $$ values ('d0000000-0000-4000-8000-000000000001'::uuid), ('d0000000-0000-4000-8000-000000000003'::uuid),
            ('d0000000-0000-4000-8000-000000000005'::uuid) $$,
  'an e-mail-only write agent sees the e-mail channels only');
select lives_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0000000-0000-4000-8000-000000000002', 'email', 'alan.turing@example.com') $$,
  'an e-mail-only write agent can add an e-mail channel to a granted contact');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0000000-0000-4000-8000-000000000002', 'sms', '+447700900999') $$,
  '42501', 'new row violates row-level security policy for table "contact_communication_channels"',
  'an e-mail-only write agent cannot add an SMS channel');
select results_eq(
  $$ update public.contact_communication_channels set label = 'work' where id = 'd0000000-0000-4000-8000-000000000001' returning id $$,
  $$ values ('d0000000-0000-4000-8000-000000000001'::uuid) $$,
  'an e-mail-only write agent can update an e-mail channel');
select is_empty(
  $$ update public.contact_communication_channels set label = 'by editor' where id = 'd0000000-0000-4000-8000-000000000002' returning id $$,
  'an e-mail-only write agent cannot update a phone channel');
select is_empty(
  $$ delete from public.contact_communication_channels where id = 'd0000000-0000-4000-8000-000000000001' returning id $$,
  'a write agent cannot delete channels: only owners do');

-- Agent: a specific_contacts read grant (Ada), every channel type
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000003');
select results_eq(
  $$ select id from public.contact_communication_channels order by id $$,
  $$ values ('d0000000-0000-4000-8000-000000000001'::uuid), ('d0000000-0000-4000-8000-000000000002'::uuid) $$,
  'a specific_contacts agent sees every channel of its listed contact and no other contact''s');

-- Agent: its write grant expired yesterday
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000004');
select is_empty($$ select id from public.contact_communication_channels $$,
  'an agent whose grant has expired sees no channels');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0000000-0000-4000-8000-000000000001', 'email', 'ada.lapsed@example.com') $$,
  '42501', 'new row violates row-level security policy for table "contact_communication_channels"',
  'an agent whose grant has expired cannot add channels');

-- Agent: its write grant starts tomorrow
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000005');
select is_empty($$ select id from public.contact_communication_channels $$,
  'an agent whose grant starts in the future sees no channels yet');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0000000-0000-4000-8000-000000000001', 'email', 'ada.early@example.com') $$,
  '42501', 'new row violates row-level security policy for table "contact_communication_channels"',
  'an agent whose grant starts in the future cannot add channels yet');

-- Agent: inactive, with an open write grant
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000006');
select is_empty($$ select id from public.contact_communication_channels $$,
  'an inactive agent sees no channels');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0000000-0000-4000-8000-000000000001', 'email', 'ada.dormant@example.com') $$,
  '42501', 'new row violates row-level security policy for table "contact_communication_channels"',
  'an inactive agent cannot add channels');

-- Agent: another owner's agent, named in the owner's token
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-0000000000b1');
select is_empty($$ select id from public.contact_communication_channels $$,
  'the owner''s token naming another owner''s agent sees no channels');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0000000-0000-4000-8000-000000000001', 'email', 'ada.foreign@example.com') $$,
  '42501', 'new row violates row-level security policy for table "contact_communication_channels"',
  'the owner''s token naming another owner''s agent cannot add channels');

-- Agent: the other owner's write agent, with its own owner's token
select tests.authenticate_as_agent('rls_other_owner', 'a0000000-0000-4000-8000-0000000000b1');
select results_eq(
  $$ select id from public.contact_communication_channels $$,
  $$ values ('d0000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'the other owner''s write agent sees only its own owner''s channels');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0000000-0000-4000-8000-000000000001', 'email', 'attacker@example.com') $$,
  '42501', 'new row violates row-level security policy for table "contact_communication_channels"',
  'the other owner''s write agent cannot attach a channel to the owner''s contact');
select is_empty(
  $$ update public.contact_communication_channels set identifier = 'attacker@example.com'
     where id = 'd0000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner''s write agent cannot redirect the owner''s channel');

-- Superuser: only the e-mail write agent's insert and update landed
reset role;
select set_config('request.jwt.claims', null, true);
select results_eq(
  $$ select identifier, label from public.contact_communication_channels
     where user_id = tests.get_supabase_uid('rls_owner') order by identifier $$,
  $$ values ('+442071234567', null::text), ('+447700900123', null), ('ada@example.com', 'work'),
            ('alan.turing@example.com', null), ('alan@example.com', null), ('grace@example.com', null) $$,
  'after every agent''s attempts the owner''s channels hold only the write agent''s e-mail changes');

select * from finish();
rollback;
