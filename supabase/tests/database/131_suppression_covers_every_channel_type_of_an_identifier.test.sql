-- An erased identifier is suppressed under every channel type that can hold it (20251020000006):
-- after erasing a subject, no Slack, webchat or other channel may hold its address, nor a Telegram
-- or other channel its number; another address may. Lifting the address lifts it under every type,
-- and the number stays suppressed.
begin;
select plan(8);

select tests.create_supabase_user('suppress131_owner');
insert into public.contacts (id, user_id, first_name) values
  ('13100000-0000-4000-8000-000000000001', tests.get_supabase_uid('suppress131_owner'), 'Wren'),
  ('13100000-0000-4000-8000-000000000002', tests.get_supabase_uid('suppress131_owner'), 'Someone else');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('suppress131_owner'), '13100000-0000-4000-8000-000000000001', 'email', 'Wren.Hale@example.com'),
  (tests.get_supabase_uid('suppress131_owner'), '13100000-0000-4000-8000-000000000001', 'phone', '+442079460131');

select tests.authenticate_as('suppress131_owner');
select public.gdpr_delete_subject(contact_id => '13100000-0000-4000-8000-000000000001');
select throws_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('13100000-0000-4000-8000-000000000002', 'slack', 'wren.hale@example.com') $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'the erased address cannot come back as a Slack channel');
select throws_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('13100000-0000-4000-8000-000000000002', 'other', ' WREN.HALE@example.com ') $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'nor as an other channel, in any case');
select throws_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('13100000-0000-4000-8000-000000000002', 'telegram', '+442079460131') $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'the erased number cannot come back as a Telegram channel');
select lives_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('13100000-0000-4000-8000-000000000002', 'slack', 'wren.other@example.com') $$,
  'another address is not suppressed');
select is(public.lift_contact_suppression('Wren.Hale@example.com', 'Wren signed up again'), 4,
  'lifting the address lifts it under the four channel types that can hold it');
select lives_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('13100000-0000-4000-8000-000000000002', 'slack', 'wren.hale@example.com') $$,
  'after the lift the address may be a Slack channel again');
select is(private.is_suppressed(tests.get_supabase_uid('suppress131_owner'), 'other', '+442079460131'), true,
  'the number stays suppressed, as an other channel too');
select is(private.identifier_key_aliases('slack:wren@example.com'),
  array['email:wren@example.com', 'other:wren@example.com', 'slack:wren@example.com', 'webchat:wren@example.com'],
  'an address found on a Slack channel is suppressed as an address under every type');
reset role;

select * from finish();
rollback;
