-- A number written with its trunk prefix in parentheses is the number without it (20251020000069):
-- "+44 (0)7700 900123" cannot bring back an erased +447700900123, and a subject request by the
-- number finds a contact stored as "+44 (0)20 ...". E-mails, numbers without "(0)" and the plans
-- whose numbers keep a 0 after the country code normalize as before.
begin;
select plan(8);

select tests.create_supabase_user('trunk_owner');
insert into public.contacts (id, user_id, display_name) values
  ('18600000-0000-4000-8000-000000000001', tests.get_supabase_uid('trunk_owner'), 'Erased Subject'),
  ('18600000-0000-4000-8000-000000000002', tests.get_supabase_uid('trunk_owner'), 'London Office'),
  ('18600000-0000-4000-8000-000000000003', tests.get_supabase_uid('trunk_owner'), 'Newcomer');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('trunk_owner'), '18600000-0000-4000-8000-000000000001', 'phone', '+44 7700 900123'),
  (tests.get_supabase_uid('trunk_owner'), '18600000-0000-4000-8000-000000000002', 'phone', '+44 (0)20 7946 0020');

-- Owner
select tests.authenticate_as('trunk_owner');
select lives_ok($$ select public.gdpr_delete_contact('18600000-0000-4000-8000-000000000001') $$,
  'the owner erases the contact known by +44 7700 900123');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('18600000-0000-4000-8000-000000000003', 'phone', '+44 (0)7700 900123') $$,
  '23514', null, 'the erased number cannot come back written with its trunk zero in parentheses');
select is(
  (select normalized_identifier from public.contact_communication_channels
   where contact_id = '18600000-0000-4000-8000-000000000002' and channel_type = 'phone'),
  '+442079460020', 'a channel stored as +44 (0)20 7946 0020 is matched as +442079460020');
select is(private.data_subject_contact_ids(tests.get_supabase_uid('trunk_owner'), null, private.subject_identifier_key('+44 20 7946 0020')),
  array['18600000-0000-4000-8000-000000000002'::uuid], 'a subject request by +44 20 7946 0020 finds the contact stored with (0)');
select is(private.data_subject_contact_ids(tests.get_supabase_uid('trunk_owner'), null, private.subject_identifier_key('+44 (0)20 7946 0020')),
  array['18600000-0000-4000-8000-000000000002'::uuid], 'and one by +44 (0)20 7946 0020 finds it too');
reset role;

-- Service
select tests.authenticate_as_service_role();
select is(private.normalize_channel_identifier('email', ' Ada.Lovelace@Example.COM '), 'ada.lovelace@example.com',
  'an e-mail address is trimmed and lower-cased as before');
select is(private.normalize_channel_identifier('phone', '0044 20-7946/0020'), '+442079460020',
  'a number without (0) loses only its punctuation, as before');
select is(private.normalize_channel_identifier('phone', '+39 (0)30 123 4567'), '+390301234567',
  'an Italian number keeps its 0, which is part of the number there');
reset role;

select * from finish();
rollback;
