-- An international number on a Telegram or other channel is the number, whatever its spelling
-- (20251020000007): a subject request by the number finds it, its erasure suppresses the number
-- under every type that can hold it, the checks refuse it in any spelling, and one lift by the
-- number lifts it all. User names and group ids are not numbers; an entry made before from a
-- spelling alone keeps refusing that spelling.
begin;
select plan(13);

select tests.create_supabase_user('handle_numbers_owner');
insert into public.contacts (id, user_id, first_name) values
  ('13200000-0000-4000-8000-000000000001', tests.get_supabase_uid('handle_numbers_owner'), 'Spaced Telegram'),
  ('13200000-0000-4000-8000-000000000002', tests.get_supabase_uid('handle_numbers_owner'), 'Dialled other'),
  ('13200000-0000-4000-8000-000000000003', tests.get_supabase_uid('handle_numbers_owner'), 'Plain phone'),
  ('13200000-0000-4000-8000-000000000004', tests.get_supabase_uid('handle_numbers_owner'), 'Group id'),
  ('13200000-0000-4000-8000-000000000005', tests.get_supabase_uid('handle_numbers_owner'), 'Newcomer');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
select tests.get_supabase_uid('handle_numbers_owner'), v.contact_id, v.channel_type, v.identifier
from (values
  ('13200000-0000-4000-8000-000000000001'::uuid, 'telegram', '+1 (415) 555-0132'),
  ('13200000-0000-4000-8000-000000000002'::uuid, 'other', '0044 20 7946 0132'),
  ('13200000-0000-4000-8000-000000000003'::uuid, 'phone', '+14155550132'),
  ('13200000-0000-4000-8000-000000000004'::uuid, 'telegram', '-1004155550132')
) as v (contact_id, channel_type, identifier);

-- Owner
select tests.authenticate_as('handle_numbers_owner');

-- Owner: subject requests
select is((public.export_subject_data(identifier => '+1 415 555 0132') -> 'contact_ids')::jsonb,
  '["13200000-0000-4000-8000-000000000001", "13200000-0000-4000-8000-000000000003"]'::jsonb,
  'a request by the number finds it on the phone channel and, spelled with brackets and dashes, on the Telegram channel');
select is((public.export_subject_data(identifier => '+442079460132') -> 'contact_ids')::jsonb,
  '["13200000-0000-4000-8000-000000000002"]'::jsonb,
  'a request by the number finds it dialled with 00 and spaces on an other channel');
select is(private.channel_phone_number('telegram', '-1004155550132'), null,
  'a Telegram group id is no number');
select is(private.channel_phone_number('telegram', '@ada_lovelace'), null,
  'nor is a Telegram user name');
select is(private.identifier_key_aliases('telegram:+1 (415) 555-0132'),
  array['other:+14155550132', 'phone:+14155550132', 'telegram:+14155550132'],
  'a number spelled on a Telegram channel stands for the number under every type that can hold it');

-- Owner: erasure and suppression
select lives_ok($$ select public.gdpr_delete_subject(identifier => '+14155550132') $$,
  'the owner erases the subject by the number');
select is((select array_agg(first_name order by first_name collate "C") from public.contacts),
  '{"Dialled other","Group id",Newcomer}'::text[],
  'the erasure took the Telegram channel''s contact with the phone channel''s');
select throws_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('13200000-0000-4000-8000-000000000005', 'telegram', '+1.415.555.0132') $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'the erased number cannot come back on a Telegram channel in another spelling');
select throws_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('13200000-0000-4000-8000-000000000005', 'other', '001 415 555 0132') $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'nor on an other channel dialled with 00');
select is(private.is_suppressed(tests.get_supabase_uid('handle_numbers_owner'), 'telegram', '+1 415-555-0132'), true,
  'the import''s check finds the number suppressed in any spelling too');
select is(public.lift_contact_suppression('+14155550132', 'the subject came back'), 3,
  'one lift by the number lifts it as a phone, Telegram and other identifier');
select lives_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('13200000-0000-4000-8000-000000000005', 'telegram', '+1 415 555 0132') $$,
  'after the lift the number may be a Telegram channel again');

-- Service: an entry made before this change, from the spelling alone
select tests.authenticate_as_service_role();
insert into public.contact_suppressions (user_id, identifier_type, identifier_hmac)
values (tests.get_supabase_uid('handle_numbers_owner'), 'telegram',
  private.owner_hmac(tests.get_supabase_uid('handle_numbers_owner'), 'telegram:+1 415 555 0199'));
select throws_ok($$ insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
    values (tests.get_supabase_uid('handle_numbers_owner'), '13200000-0000-4000-8000-000000000005', 'telegram', '+1 415 555 0199') $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'a suppression made before from the spelling alone still refuses that spelling');
reset role;

select * from finish();
rollback;
