-- An erasure verifies by the identifier whatever channel type it was found on (20251020000014): an
-- address erased from a Slack channel, a number from a Telegram channel where it was spelt with
-- spaces; a repeat by the address answers the first receipt; and a number another contact still
-- holds is not erased.
begin;
select plan(6);

select tests.create_supabase_user('verify_owner');
insert into public.contacts (id, user_id, first_name) values
  ('13900000-0000-4000-8000-000000000001', tests.get_supabase_uid('verify_owner'), 'Sly'),
  ('13900000-0000-4000-8000-000000000002', tests.get_supabase_uid('verify_owner'), 'Zara'),
  ('13900000-0000-4000-8000-000000000003', tests.get_supabase_uid('verify_owner'), 'Barnaby');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('verify_owner'), '13900000-0000-4000-8000-000000000001', 'slack', 'sly@corp.example'),
  (tests.get_supabase_uid('verify_owner'), '13900000-0000-4000-8000-000000000001', 'telegram', '+1 415 555 0139'),
  (tests.get_supabase_uid('verify_owner'), '13900000-0000-4000-8000-000000000002', 'email', 'zara@example.com'),
  (tests.get_supabase_uid('verify_owner'), '13900000-0000-4000-8000-000000000002', 'phone', '+447700900139'),
  (tests.get_supabase_uid('verify_owner'), '13900000-0000-4000-8000-000000000003', 'whatsapp', '+447700900139');

-- Owner
select tests.authenticate_as('verify_owner');
create temporary table receipts (name text primary key, receipt jsonb) on commit drop;
insert into receipts values ('sly', public.gdpr_delete_subject(contact_id => '13900000-0000-4000-8000-000000000001'));
select is((public.verify_subject_erasure('sly@corp.example') ->> 'erased')::boolean, true,
  'an address erased from a Slack channel verifies as erased');
select is((public.verify_subject_erasure('+14155550139') ->> 'erased')::boolean, true,
  'a number erased from a Telegram channel, where it was spelt with spaces, verifies as erased');
select is(public.gdpr_delete_subject(identifier => 'sly@corp.example') ->> 'request_id', (select receipt ->> 'request_id' from receipts where name = 'sly'),
  'a repeat of the erasure by the address answers the first receipt');

insert into receipts values ('zara', public.gdpr_delete_subject(identifier => 'zara@example.com'));
select is(public.verify_subject_erasure('+447700900139') - 'receipts' - 'erased_on',
  jsonb_build_object('identifier_type', 'phone', 'erased', false, 'held_by_contacts', 1,
    'message', 'erased on ' || to_char(now(), 'YYYY-MM-DD') || ', but contacts of the owner hold it now (1)'),
  'a number erased with Zara that Barnaby still holds on WhatsApp is not erased, and the answer says so');
select is((public.verify_subject_erasure('zara@example.com') ->> 'held_by_contacts')::int, 0,
  'Zara''s address, which no contact holds, is erased');
select is((public.verify_subject_erasure('zara@example.com') ->> 'erased')::boolean, true, 'and says so');
reset role;

select * from finish();
rollback;
