-- An agent cannot widen its own grants through channels (20251020000003): with write on a contact
-- through one grant, an agent token's channel insert or update that brings the contact into a smart
-- group (matching on channel types) another of its grants covers is refused (42501); the owner's is
-- not, and an agent's channel that brings no contact into such a group is allowed. No update can do
-- it: a channel's type and contact are not the signed-in roles' to change.
begin;
select plan(9);

select tests.create_supabase_user('channel_widening_owner');
insert into public.contacts (id, user_id, first_name) values
  ('12900000-0000-4000-8000-000000000001', tests.get_supabase_uid('channel_widening_owner'), 'Grace'),
  ('12900000-0000-4000-8000-000000000002', tests.get_supabase_uid('channel_widening_owner'), 'Vera');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('channel_widening_owner'), '12900000-0000-4000-8000-000000000002', 'whatsapp', '+442079460201');
insert into public.contact_groups (id, user_id, name, group_type, criteria) values
  ('12900000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('channel_widening_owner'), 'On WhatsApp', 'smart',
   '{"rules": [{"field": "channel_type", "op": "has", "value": "whatsapp"}]}');
insert into public.agents (id, user_id, name) values
  ('12900000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('channel_widening_owner'), 'writer');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type, permission_level, allowed_channel_types) values
  ('12900000-0000-4000-8000-0000000000c1', tests.get_supabase_uid('channel_widening_owner'), '12900000-0000-4000-8000-0000000000b1',
   'specific_contacts', 'write', '{email,whatsapp}');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, group_id, permission_level, allowed_channel_types) values
  (tests.get_supabase_uid('channel_widening_owner'), '12900000-0000-4000-8000-0000000000b1', 'group', '12900000-0000-4000-8000-0000000000a1',
   'message', '{phone,whatsapp}');
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('channel_widening_owner'), '12900000-0000-4000-8000-0000000000c1', '12900000-0000-4000-8000-0000000000b1', '12900000-0000-4000-8000-000000000001'),
  (tests.get_supabase_uid('channel_widening_owner'), '12900000-0000-4000-8000-0000000000c1', '12900000-0000-4000-8000-0000000000b1', '12900000-0000-4000-8000-000000000002');

-- Agent (write on the contacts through one grant; another grant covers the smart group)
select tests.authenticate_as_agent('channel_widening_owner', '12900000-0000-4000-8000-0000000000b1');
select throws_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('12900000-0000-4000-8000-000000000001', 'whatsapp', '+442079460202') $$,
  '42501', 'an agent cannot bring a contact into a group that grants it access',
  'an agent giving a contact the channel type the smart group its other grant covers matches on is refused');
select lives_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('12900000-0000-4000-8000-000000000001', 'email', 'grace@example.com') $$,
  'a channel of another type goes through');
select lives_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('12900000-0000-4000-8000-000000000002', 'whatsapp', '+442079460203') $$,
  'a second channel of that type for a contact already in the group goes through');
select throws_ok($$ update public.contact_communication_channels set contact_id = '12900000-0000-4000-8000-000000000001'
    where identifier = '+442079460203' $$,
  '42501', 'permission denied for table contact_communication_channels',
  'moving that channel to a contact outside the group is not the agent''s to do');
select lives_ok($$ delete from public.contact_communication_channels where identifier = '+442079460203' $$,
  'removing a channel (which only narrows) goes through');
reset role;

select is((select array_agg(channel_type order by channel_type) from public.contact_communication_channels
    where contact_id = '12900000-0000-4000-8000-000000000001'), '{email}'::text[],
  'the refused writes left the contact without a WhatsApp channel');
select ok(not private.contact_in_group('12900000-0000-4000-8000-000000000001', '12900000-0000-4000-8000-0000000000a1'),
  'and outside the group');

select tests.create_supabase_user('group_prober');
-- Other owner (stranger): probes the group's rules
select tests.authenticate_as('group_prober');
select throws_ok($$ select private.group_entered('12900000-0000-4000-8000-0000000000a1',
    (select c from public.contacts c limit 1), (select c from public.contacts c limit 1), '{}', '{whatsapp}') $$,
  '42501', null, 'another owner cannot probe the group''s rules through group_entered');
reset role;

-- Owner: brings the contact into the group
select tests.authenticate_as('channel_widening_owner');
select lives_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('12900000-0000-4000-8000-000000000001', 'whatsapp', '+442079460202') $$,
  'the owner may bring the contact into the group');
reset role;

select * from finish();
rollback;
