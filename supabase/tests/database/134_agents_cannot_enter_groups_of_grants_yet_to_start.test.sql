-- An agent cannot widen its own grants through a group grant yet to start (20251020000009): with
-- write on a contact, an agent token may not bring it into a group its scheduled grant covers, by
-- a field or by a channel type; after a grant has ended, it may.
begin;
select plan(5);

select tests.create_supabase_user('scheduled_owner');
insert into public.contacts (id, user_id, first_name, tags) values
  ('13400000-0000-4000-8000-000000000001', tests.get_supabase_uid('scheduled_owner'), 'Grace', '{}');
insert into public.contact_groups (id, user_id, name, group_type, criteria) values
  ('13400000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('scheduled_owner'), 'VIP', 'smart',
   '{"rules": [{"field": "tags", "op": "contains", "value": "vip"}]}'),
  ('13400000-0000-4000-8000-0000000000a2', tests.get_supabase_uid('scheduled_owner'), 'On WhatsApp', 'smart',
   '{"rules": [{"field": "channel_type", "op": "has", "value": "whatsapp"}]}'),
  ('13400000-0000-4000-8000-0000000000a3', tests.get_supabase_uid('scheduled_owner'), 'Partners', 'smart',
   '{"rules": [{"field": "tags", "op": "contains", "value": "partner"}]}');
insert into public.agents (id, user_id, name) values
  ('13400000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('scheduled_owner'), 'writer');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type, permission_level, allowed_channel_types) values
  ('13400000-0000-4000-8000-0000000000c1', tests.get_supabase_uid('scheduled_owner'), '13400000-0000-4000-8000-0000000000b1',
   'specific_contacts', 'write', '{email,whatsapp}');
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('scheduled_owner'), '13400000-0000-4000-8000-0000000000c1', '13400000-0000-4000-8000-0000000000b1',
   '13400000-0000-4000-8000-000000000001');
-- Two grants the owner scheduled for tomorrow, and one that ended yesterday.
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, group_id, permission_level, allowed_channel_types,
    valid_from, valid_until) values
  (tests.get_supabase_uid('scheduled_owner'), '13400000-0000-4000-8000-0000000000b1', 'group', '13400000-0000-4000-8000-0000000000a1',
   'message', '{phone}', now() + interval '1 day', null),
  (tests.get_supabase_uid('scheduled_owner'), '13400000-0000-4000-8000-0000000000b1', 'group', '13400000-0000-4000-8000-0000000000a2',
   'message', '{phone}', now() + interval '1 day', now() + interval '2 days'),
  (tests.get_supabase_uid('scheduled_owner'), '13400000-0000-4000-8000-0000000000b1', 'group', '13400000-0000-4000-8000-0000000000a3',
   'message', '{phone}', now() - interval '2 days', now() - interval '1 day');

-- Agent
select tests.authenticate_as_agent('scheduled_owner', '13400000-0000-4000-8000-0000000000b1');
select throws_ok($$ update public.contacts set tags = '{vip}' where id = '13400000-0000-4000-8000-000000000001' $$,
  '42501', 'an agent cannot bring a contact into a group that grants it access',
  'the agent cannot tag its contact into the group of a grant that starts tomorrow');
select throws_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('13400000-0000-4000-8000-000000000001', 'whatsapp', '+442079460134') $$,
  '42501', 'an agent cannot bring a contact into a group that grants it access',
  'nor give it the channel type of such a group');
select lives_ok($$ update public.contacts set tags = '{partner}' where id = '13400000-0000-4000-8000-000000000001' $$,
  'a group whose grant has ended is no longer the agent''s: tagging into it goes through');
reset role;

-- Owner
select tests.authenticate_as('scheduled_owner');
select lives_ok($$ update public.contacts set tags = '{partner,vip}' where id = '13400000-0000-4000-8000-000000000001' $$,
  'the owner tags the contact into the scheduled group');
select is((select tags from public.contacts where id = '13400000-0000-4000-8000-000000000001'), '{partner,vip}'::text[],
  'only the owner''s write brought the contact into it');
reset role;

select * from finish();
rollback;
