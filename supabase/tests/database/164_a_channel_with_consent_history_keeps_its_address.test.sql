-- A channel with consent history keeps its address (20251020000042): a grant or a withdrawal
-- given for one address never passes to another by an edit of the channel, whoever edits it;
-- the same address written another way, or a channel without history, may still be edited.
begin;
select plan(7);

select tests.create_supabase_user('address_owner');
insert into public.contacts (id, user_id, display_name) values
  ('16400000-0000-4000-8000-000000000001', tests.get_supabase_uid('address_owner'), 'Opal Optin');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier) values
  ('16400000-0000-4000-8000-0000000000d1', tests.get_supabase_uid('address_owner'), '16400000-0000-4000-8000-000000000001', 'email', 'old@example.com'),
  ('16400000-0000-4000-8000-0000000000d2', tests.get_supabase_uid('address_owner'), '16400000-0000-4000-8000-000000000001', 'phone', '+14155550123'),
  ('16400000-0000-4000-8000-0000000000d3', tests.get_supabase_uid('address_owner'), '16400000-0000-4000-8000-000000000001', 'email', 'typo@exmaple.com');
insert into public.agents (id, user_id, name) values
  ('16400000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('address_owner'), 'Editor');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('address_owner'), '16400000-0000-4000-8000-0000000000a1', 'all_contacts', 'write');

-- Owner
select tests.authenticate_as('address_owner');

insert into public.contact_consent_events (channel_id, status, source, proof_reference) values
  ('16400000-0000-4000-8000-0000000000d1', 'granted', 'form', 'submission 4711'),
  ('16400000-0000-4000-8000-0000000000d2', 'withdrawn', 'manual', null);

select throws_ok(
  $$ update public.contact_communication_channels set identifier = 'new@example.com'
     where id = '16400000-0000-4000-8000-0000000000d1' $$,
  '23514', 'a channel with consent history keeps its address: add the new address as a channel of its own',
  'The owner cannot move a granted channel''s consent and proof to another address.');
select lives_ok(
  $$ update public.contact_communication_channels set identifier = 'OLD@Example.com'
     where id = '16400000-0000-4000-8000-0000000000d1' $$,
  'The owner may write the same address in another case.');
select lives_ok(
  $$ update public.contact_communication_channels set identifier = '+1 (415) 555-0123'
     where id = '16400000-0000-4000-8000-0000000000d2' $$,
  'The owner may write the same number in another format.');
select lives_ok(
  $$ update public.contact_communication_channels set identifier = 'typo@example.com'
     where id = '16400000-0000-4000-8000-0000000000d3' $$,
  'The owner may correct the address of a channel without consent history.');

-- Agent tokens
select tests.authenticate_as_agent('address_owner', '16400000-0000-4000-8000-0000000000a1');

select throws_ok(
  $$ update public.contact_communication_channels set identifier = '+14155550999'
     where id = '16400000-0000-4000-8000-0000000000d2' $$,
  '23514', 'a channel with consent history keeps its address: add the new address as a channel of its own',
  'An agent with a write grant cannot move a withdrawal to another number.');

-- Service
select tests.authenticate_as_service_role();

select throws_ok(
  $$ update public.contact_communication_channels set identifier = 'other@example.com'
     where id = '16400000-0000-4000-8000-0000000000d1' $$,
  '23514', 'a channel with consent history keeps its address: add the new address as a channel of its own',
  'The service cannot move consent to another address either.');
select results_eq(
  $$ select normalized_identifier, consent_status from public.contact_communication_channels
     where id in ('16400000-0000-4000-8000-0000000000d1', '16400000-0000-4000-8000-0000000000d2') order by id $$,
  $$ values ('old@example.com', 'granted'), ('+14155550123', 'withdrawn') $$,
  'Each consent stays with the address it was given for.');

select * from finish();
rollback;
