-- Only anonymization marks a contact anonymized (20251020000061): neither an agent with write
-- access, nor the owner, nor the service can set the status by hand, on insert or update, so a
-- retention policy and a repeat anonymization can trust it; an anonymized contact is not edited
-- back into a person, though its legal hold can change, and it can still be deleted. Other
-- statuses stay the owner's to set.
begin;
select plan(13);

select tests.create_supabase_user('marker_owner');
insert into public.contacts (id, user_id, first_name, last_name) values
  ('18000000-0000-4000-8000-000000000001', tests.get_supabase_uid('marker_owner'), 'Ada', 'Lovelace'),
  ('18000000-0000-4000-8000-000000000002', tests.get_supabase_uid('marker_owner'), 'Grace', 'Hopper');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('marker_owner'), '18000000-0000-4000-8000-000000000001', 'email', 'ada@example.com');
insert into public.agents (id, user_id, name) values
  ('18000000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('marker_owner'), 'writer');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('marker_owner'), '18000000-0000-4000-8000-0000000000a1', 'all_contacts', 'write');

-- Agent tokens
select tests.authenticate_as_agent('marker_owner', '18000000-0000-4000-8000-0000000000a1');
select throws_ok(
  $$ update public.contacts set status = 'anonymized' where id = '18000000-0000-4000-8000-000000000001' $$,
  '42501', null, 'an agent with write access cannot mark a contact anonymized without anonymizing it');
reset role;

-- Owner
select tests.authenticate_as('marker_owner');
select throws_ok(
  $$ update public.contacts set status = 'anonymized' where id = '18000000-0000-4000-8000-000000000001' $$,
  '42501', null, 'nor can the owner by an update');
select throws_ok(
  $$ insert into public.contacts (first_name, status) values ('Alan', 'anonymized') $$,
  '42501', null, 'nor insert a contact already marked anonymized');
select lives_ok(
  $$ update public.contacts set status = 'archived' where id = '18000000-0000-4000-8000-000000000002' $$,
  'the owner still archives a contact');
select lives_ok(
  $$ select public.gdpr_delete_contact('18000000-0000-4000-8000-000000000001', 'anonymize') $$,
  'the owner anonymizes Ada through gdpr_delete_contact');
select is(
  (select array[status, display_name, coalesce(first_name, '-')] from public.contacts where id = '18000000-0000-4000-8000-000000000001'),
  array['anonymized', 'Anonymized contact', '-'], 'which marks her anonymized, her names wiped');
select throws_ok(
  $$ update public.contacts set first_name = 'Ada', last_name = 'Lovelace' where id = '18000000-0000-4000-8000-000000000001' $$,
  '55000', 'an anonymized contact cannot be changed', 'an anonymized contact is not edited back into a person');
select throws_ok(
  $$ update public.contacts set status = 'active' where id = '18000000-0000-4000-8000-000000000001' $$,
  '55000', 'an anonymized contact cannot be changed', 'nor is its marker taken off');
select lives_ok(
  $$ update public.contacts set legal_hold = true, legal_hold_reason = 'Litigation 2026-17' where id = '18000000-0000-4000-8000-000000000001' $$,
  'a legal hold can still be placed on an anonymized contact');
select lives_ok(
  $$ update public.contacts set legal_hold = false, legal_hold_reason = null where id = '18000000-0000-4000-8000-000000000001' $$,
  'and lifted');
select lives_ok(
  $$ select public.gdpr_delete_contact('18000000-0000-4000-8000-000000000001', 'anonymize') $$,
  'a repeat anonymization still answers');
select lives_ok(
  $$ delete from public.contacts where id = '18000000-0000-4000-8000-000000000001' $$,
  'an anonymized contact can be deleted');
reset role;

-- Service
select tests.authenticate_as_service_role();
select throws_ok(
  $$ update public.contacts set status = 'anonymized' where id = '18000000-0000-4000-8000-000000000002' $$,
  '42501', null, 'the service cannot mark a contact anonymized by hand either');
reset role;

select * from finish();
rollback;
