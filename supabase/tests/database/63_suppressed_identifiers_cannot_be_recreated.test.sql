begin;
select plan(22);

-- The suppression list: once a subject is erased, no insert path may bring its identifiers back
-- (owner, agent token with a write grant, service, another format of the same e-mail or number,
-- the number on another channel type, an update of an existing channel). It is per owner, holds
-- only keyed hashes, and only the owner lifts it, explicitly and on the record.

-- ============================================================================================
-- Setup (superuser): Ysolde Marchbank, erased below; a writer agent; another owner.
-- ============================================================================================
select tests.create_supabase_user('supp63_owner');
select tests.create_supabase_user('supp63_other');

insert into public.contacts (id, user_id, first_name, last_name) values
  ('c0630000-0000-4000-8000-000000000001', tests.get_supabase_uid('supp63_owner'), 'Ysolde', 'Marchbank'),
  ('c0630000-0000-4000-8000-000000000002', tests.get_supabase_uid('supp63_owner'), 'New', 'Lead'),
  ('c0630000-0000-4000-8000-000000000099', tests.get_supabase_uid('supp63_other'), 'Other', 'Lead');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('supp63_owner'), 'c0630000-0000-4000-8000-000000000001', 'email', 'ysolde@marchbank.example'),
  (tests.get_supabase_uid('supp63_owner'), 'c0630000-0000-4000-8000-000000000001', 'phone', '+49 151 2345 6363'),
  (tests.get_supabase_uid('supp63_owner'), 'c0630000-0000-4000-8000-000000000002', 'email', 'new.lead@example.test');
insert into public.agents (id, user_id, name) values ('a0630000-0000-4000-8000-000000000001', tests.get_supabase_uid('supp63_owner'), 'writer');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('supp63_owner'), 'a0630000-0000-4000-8000-000000000001', 'all_contacts', 'write');

create temporary table lifted (n integer);
grant all on table lifted to public;

-- ============================================================================================
-- Owner: erase, then try to bring the subject back
-- ============================================================================================
select tests.authenticate_as('supp63_owner');
select lives_ok($$ select public.gdpr_delete_subject(contact_id => 'c0630000-0000-4000-8000-000000000001') $$,
  'the owner erases Ysolde');

select is(private.is_suppressed(tests.get_supabase_uid('supp63_owner'), 'email', 'ysolde@marchbank.example'), true,
  'the owner asks is_suppressed: the e-mail is suppressed');
select is(private.is_suppressed(tests.get_supabase_uid('supp63_owner'), 'sms', '+4915123456363'), true,
  'the number is suppressed on every phone-like channel type, sms included');
select is(private.is_suppressed(tests.get_supabase_uid('supp63_owner'), 'email', 'new.lead@example.test'), false,
  'an identifier never erased is not suppressed');

select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0630000-0000-4000-8000-000000000002', 'email', '  YSOLDE@Marchbank.Example ') $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'the owner cannot add the erased e-mail again, in another case and with spaces');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0630000-0000-4000-8000-000000000002', 'whatsapp', '0049 151 2345-6363') $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'the owner cannot add the erased number again as WhatsApp, written with 00 and dashes');
select throws_ok(
  $$ update public.contact_communication_channels set identifier = 'ysolde@marchbank.example'
     where contact_id = 'c0630000-0000-4000-8000-000000000002' $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'the owner cannot turn an existing channel into the erased e-mail');
select lives_ok(
  $$ update public.contact_communication_channels set label = 'work' where contact_id = 'c0630000-0000-4000-8000-000000000002' $$,
  'other edits of channels are not affected');

select throws_ok($$ insert into public.contact_suppressions (identifier_type, identifier_hmac) values ('email', repeat('c', 64)) $$,
  '42501', 'permission denied for table contact_suppressions', 'the owner cannot add to the list by hand (only erasure does)');
select throws_ok($$ delete from public.contact_suppressions $$,
  '42501', 'permission denied for table contact_suppressions', 'the owner cannot delete from the list: a suppression is lifted, never removed');
select throws_ok($$ update public.contact_suppressions set identifier_hmac = repeat('d', 64) $$,
  '42501', 'permission denied for table contact_suppressions', 'the owner cannot rewrite a suppression');

-- ============================================================================================
-- Agent token with a write grant
-- ============================================================================================
select tests.authenticate_as_agent('supp63_owner', 'a0630000-0000-4000-8000-000000000001');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0630000-0000-4000-8000-000000000002', 'phone', '+4915123456363') $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'an agent with a write grant cannot add the erased number either');
select throws_ok($$ select public.lift_contact_suppression('ysolde@marchbank.example', 'agent wants it back') $$,
  '42501', 'agent tokens cannot act on data subject requests', 'an agent token cannot lift a suppression');

-- ============================================================================================
-- Other owner: the list is per owner and private
-- ============================================================================================
select tests.authenticate_as('supp63_other');
select lives_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0630000-0000-4000-8000-000000000099', 'email', 'ysolde@marchbank.example') $$,
  'another owner may hold the same e-mail: suppression is the erasing owner''s');
select throws_ok($$ select private.is_suppressed(tests.get_supabase_uid('supp63_owner'), 'email', 'ysolde@marchbank.example') $$,
  '42501', 'permission denied for the suppression list of another owner', 'another owner cannot probe the owner''s list');
select is_empty($$ select 1 from public.contact_suppressions $$, 'another owner sees none of the owner''s suppressions');

-- ============================================================================================
-- Service role
-- ============================================================================================
select tests.authenticate_as_service_role();
select throws_ok(
  $$ insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
     values (tests.get_supabase_uid('supp63_owner'), 'c0630000-0000-4000-8000-000000000002', 'email', 'ysolde@marchbank.example') $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'the service (an import run with the secret key) cannot add the erased e-mail either');

-- ============================================================================================
-- Owner lifts the suppression of the e-mail, on the record
-- ============================================================================================
select tests.authenticate_as('supp63_owner');
select throws_ok($$ select public.lift_contact_suppression('ysolde@marchbank.example', '  ') $$,
  '22023', 'a reason of 1 to 500 characters is required to lift a suppression', 'a lift needs a reason');
insert into lifted select public.lift_contact_suppression('Ysolde@Marchbank.example', 'Ysolde signed up again on 2026-01-01');
select results_eq(
  $$ select lifted_by = tests.get_supabase_uid('supp63_owner'), lifted_at is not null, lift_reason
     from public.contact_suppressions where identifier_type = 'email' $$,
  $$ values (true, true, 'Ysolde signed up again on 2026-01-01') $$,
  'the lift is recorded on the row: who, when and why');
select lives_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0630000-0000-4000-8000-000000000002', 'email', 'ysolde@marchbank.example') $$,
  'after the lift the e-mail can be added again');
select throws_ok($$ select public.lift_contact_suppression('ysolde@marchbank.example', 'again') $$,
  'P0002', 'no active suppression for this identifier', 'lifting twice finds nothing to lift');
select is(private.is_suppressed(tests.get_supabase_uid('supp63_owner'), 'phone', '+4915123456363'), true,
  'the number stays suppressed: each identifier is lifted on its own');

select * from finish();
rollback;
