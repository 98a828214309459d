-- An agent cannot widen its own grants (20251019000008): with write on a contact through one grant,
-- an agent token's update that brings the contact into a smart group another of its grants covers
-- is refused (42501); the same edit by the owner goes through, and an agent's edit that stays outside
-- its granted groups, or leaves one, is allowed.
begin;
select plan(6);

select tests.create_supabase_user('widening_owner');
insert into public.contacts (id, user_id, first_name, tags) values
  ('12600000-0000-4000-8000-000000000001', tests.get_supabase_uid('widening_owner'), 'Grace', '{}'),
  ('12600000-0000-4000-8000-000000000002', tests.get_supabase_uid('widening_owner'), 'Vera', '{vip}');
insert into public.contact_groups (id, user_id, name, group_type, criteria) values
  ('12600000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('widening_owner'), 'VIP', 'smart',
   '{"rules": [{"field": "tags", "op": "contains", "value": "vip"}]}');
insert into public.agents (id, user_id, name) values
  ('12600000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('widening_owner'), 'writer');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type, permission_level, allowed_channel_types) values
  ('12600000-0000-4000-8000-0000000000c1', tests.get_supabase_uid('widening_owner'), '12600000-0000-4000-8000-0000000000b1', 'specific_contacts', 'write', '{email}');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, group_id, permission_level, allowed_channel_types) values
  (tests.get_supabase_uid('widening_owner'), '12600000-0000-4000-8000-0000000000b1', 'group', '12600000-0000-4000-8000-0000000000a1', 'message', '{phone}');
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('widening_owner'), '12600000-0000-4000-8000-0000000000c1', '12600000-0000-4000-8000-0000000000b1', '12600000-0000-4000-8000-000000000001'),
  (tests.get_supabase_uid('widening_owner'), '12600000-0000-4000-8000-0000000000c1', '12600000-0000-4000-8000-0000000000b1', '12600000-0000-4000-8000-000000000002');

-- Agent (write on the contacts through one grant; another grant covers the smart group)
select tests.authenticate_as_agent('widening_owner', '12600000-0000-4000-8000-0000000000b1');
select throws_ok($$ update public.contacts set tags = tags || '{vip}' where id = '12600000-0000-4000-8000-000000000001' $$,
  '42501', 'an agent cannot bring a contact into a group that grants it access',
  'an agent tagging a contact into the smart group its other grant covers is refused');
select lives_ok($$ update public.contacts set tags = tags || '{met-at-fair}', job_title = 'CTO' where id = '12600000-0000-4000-8000-000000000001' $$,
  'an edit that keeps the contact outside that group goes through');
select lives_ok($$ update public.contacts set job_title = 'CFO' where id = '12600000-0000-4000-8000-000000000002' $$,
  'an edit of a contact already in the group goes through');
select lives_ok($$ update public.contacts set tags = '{}' where id = '12600000-0000-4000-8000-000000000002' $$,
  'taking a contact out of the group (which only narrows the agent''s access) goes through');
reset role;

select is((select tags from public.contacts where id = '12600000-0000-4000-8000-000000000001'), '{met-at-fair}'::text[],
  'the refused edit changed nothing');

-- Owner: the same edit
select tests.authenticate_as('widening_owner');
select lives_ok($$ update public.contacts set tags = tags || '{vip}' where id = '12600000-0000-4000-8000-000000000001' $$,
  'the owner may bring the contact into the group');
reset role;

select * from finish();
rollback;
