-- A channel's consent history can be neither outranked nor misattributed (20251019000007): an event
-- dated ahead, within the tolerance for clocks, is dated now, so a later opt-out still decides; and
-- an agent writing a channel's consent itself records an agent_conversation decision, whatever
-- source it names (kept as the reference), while the owner's named source stays.
begin;
select plan(5);

select tests.create_supabase_user('consent_owner');
insert into public.contacts (id, user_id, first_name) values
  ('12500000-0000-4000-8000-000000000001', tests.get_supabase_uid('consent_owner'), 'Grace');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier) values
  ('12500000-0000-4000-8000-0000000000e1', tests.get_supabase_uid('consent_owner'), '12500000-0000-4000-8000-000000000001', 'email', 'grace@example.com'),
  ('12500000-0000-4000-8000-0000000000e2', tests.get_supabase_uid('consent_owner'), '12500000-0000-4000-8000-000000000001', 'phone', '+442079460125');
insert into public.agents (id, user_id, name) values
  ('12500000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('consent_owner'), 'writer');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('consent_owner'), '12500000-0000-4000-8000-0000000000a1', 'all_contacts', 'write');

-- Agent (write on all the owner's contacts): dates an event ahead
select tests.authenticate_as_agent('consent_owner', '12500000-0000-4000-8000-0000000000a1');
insert into public.contact_consent_events (channel_id, status, source, occurred_at)
values ('12500000-0000-4000-8000-0000000000e1', 'granted', 'agent_conversation', now() + interval '4 minutes');
reset role;
select is((select occurred_at from public.contact_consent_events where channel_id = '12500000-0000-4000-8000-0000000000e1'), now(),
  'an event dated four minutes ahead is dated now');

-- Owner: records an opt-out
select tests.authenticate_as('consent_owner');
update public.contact_communication_channels set consent_status = 'withdrawn', consent_source = 'manual phoned to opt out'
where id = '12500000-0000-4000-8000-0000000000e1';
reset role;
select is((select consent_status from public.contact_communication_channels where id = '12500000-0000-4000-8000-0000000000e1'), 'withdrawn',
  'the owner''s opt-out recorded after it decides the channel');
select is(private.agent_can_message_on_channel('12500000-0000-4000-8000-0000000000a1', '12500000-0000-4000-8000-000000000001', 'email',
  '12500000-0000-4000-8000-0000000000e1'), false, 'and the agent may not message on it');

-- Agent: writes the channel's consent itself
select tests.authenticate_as_agent('consent_owner', '12500000-0000-4000-8000-0000000000a1');
update public.contact_communication_channels set consent_status = 'granted', consent_source = 'form signup-2024-03'
where id = '12500000-0000-4000-8000-0000000000e2';
reset role;
select results_eq($$ select source, source_ref, actor_agent_id from public.contact_consent_events
    where channel_id = '12500000-0000-4000-8000-0000000000e2' $$,
  $$ values ('agent_conversation'::text, 'form signup-2024-03'::text, '12500000-0000-4000-8000-0000000000a1'::uuid) $$,
  'an agent naming a form as the source records an agent_conversation decision, the form its reference');
select is((select source from public.contact_consent_events where channel_id = '12500000-0000-4000-8000-0000000000e1' order by id desc limit 1),
  'manual', 'the owner''s named source stays');

select * from finish();
rollback;
