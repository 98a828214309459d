-- The security definer helpers answer only for the caller's own rows (20251019000004): another
-- signed-in user gets no keyed hash of an owner's (42501) and no answer about an owner's contacts,
-- groups or grants; the owner, the owner's agents and the service get what they always got.
begin;
select plan(9);

select tests.create_supabase_user('helper_victim');
select tests.create_supabase_user('helper_prober');
insert into public.contacts (id, user_id, first_name, tags) values
  ('12300000-0000-4000-8000-000000000001', tests.get_supabase_uid('helper_victim'), 'Victim', '{vip}');
insert into public.contact_groups (id, user_id, name, group_type, criteria) values
  ('12300000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('helper_victim'), 'VIPs', 'smart',
   '{"rules": [{"field": "tags", "op": "contains", "value": "vip"}]}');
insert into public.agents (id, user_id, name) values
  ('12300000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('helper_victim'), 'helper');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('helper_victim'), '12300000-0000-4000-8000-0000000000b1', 'all_contacts', 'write');

-- Other owner (prober): asks the helpers about the victim's rows
select tests.authenticate_as('helper_prober');
select throws_ok(format('select private.owner_hmac(%L, %L)', tests.get_supabase_uid('helper_victim'), 'email:guess@example.com'),
  '42501', 'only the owner or the service can hash for an owner', 'another user cannot hash a guess under an owner''s key');
select throws_ok(format('select private.owner_hmacs(%L, %L)', tests.get_supabase_uid('helper_victim'), '{email:guess@example.com}'),
  '42501', 'only the owner or the service can hash for an owner', 'nor a batch of guesses');
select is(private.agent_can_access_contact('12300000-0000-4000-8000-0000000000b1', '12300000-0000-4000-8000-000000000001', 'write'), false,
  'another user learns nothing of an owner''s grant to its agent');
select is(private.agent_can_message_on_channel('12300000-0000-4000-8000-0000000000b1', '12300000-0000-4000-8000-000000000001', 'email',
  '12300000-0000-4000-8000-0000000000c1'), false, 'nor whether that agent may message the contact');
select is(private.contact_in_group('12300000-0000-4000-8000-000000000001', '12300000-0000-4000-8000-0000000000a1'), false,
  'nor whether the owner''s contact is in the owner''s group');
reset role;

-- Owner (victim)
select tests.authenticate_as('helper_victim');
select is(private.contact_in_group('12300000-0000-4000-8000-000000000001', '12300000-0000-4000-8000-0000000000a1'), true,
  'the owner gets the answer about their own contact and group');
select is(private.owner_hmac(tests.get_supabase_uid('helper_victim'), 'email:guess@example.com') ~ '^[0-9a-f]{64}$', true,
  'the owner gets hashes under their own key');
reset role;

-- Agent (the owner's agent with write on all contacts)
select tests.authenticate_as_agent('helper_victim', '12300000-0000-4000-8000-0000000000b1');
select is(private.agent_can_access_contact('12300000-0000-4000-8000-0000000000b1', '12300000-0000-4000-8000-000000000001', 'write'), true,
  'the owner''s agent still has its grant');
reset role;

-- Service
select tests.authenticate_as_service_role();
select is(private.agent_can_access_contact('12300000-0000-4000-8000-0000000000b1', '12300000-0000-4000-8000-000000000001', 'write'), true,
  'the service gets the answer for any owner');
reset role;

select * from finish();
rollback;
