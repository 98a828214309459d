-- The duplicate finder counts as one what the suppression list already does (20251020000086): a
-- Telegram username with and without its @, and a number kept on an "other" channel with its
-- trunk zero, "(0)" or plain, and the phone channel's E.164. Before, @eve_evans and eve_evans had no
-- key, and "+44 (0)20 7946 0099" was tel:+4402079460099 beside the phone's tel:+442079460099, so
-- neither pair was proposed. A different username, another owner's contact and the numbers a
-- Telegram channel holds keep their behaviour; subject requests still take e-mail addresses and
-- numbers only, and reach every spelling of the number.
begin;
select plan(15);

-- ============================================================================================
-- Setup (superuser). No organizations, so no name blocks: every pair comes from a channel key.
--   d...01 Eve Evans        telegram '@eve_evans'
--   d...02 E. Evans         telegram 'eve_evans'
--   d...03 Eve Evan         telegram 'eve_evan'            (another account)
--   d...04 London Desk      phone    '+44 20 7946 0099'
--   d...05 London Switch    other    '+44 (0)20 7946 0099'
--   d...06 London Reception other    '+44 020 7946 0099'
--   d...07 Sam on Telegram  telegram '+1 415 555 0142'      (a number, not a username)
--   d...08 Sam              phone    '+14155550142'
--   d...09 Stranger's Eve   telegram 'eve_evans'            another owner's
--   d...10 London Again     (no channel yet)
-- ============================================================================================
select tests.create_supabase_user('dup201_owner');
select tests.create_supabase_user('dup201_stranger');
insert into public.contacts (id, user_id, display_name) values
  ('d2010000-0000-4000-8000-000000000001', tests.get_supabase_uid('dup201_owner'), 'Eve Evans'),
  ('d2010000-0000-4000-8000-000000000002', tests.get_supabase_uid('dup201_owner'), 'E. Evans'),
  ('d2010000-0000-4000-8000-000000000003', tests.get_supabase_uid('dup201_owner'), 'Eve Evan'),
  ('d2010000-0000-4000-8000-000000000004', tests.get_supabase_uid('dup201_owner'), 'London Desk'),
  ('d2010000-0000-4000-8000-000000000005', tests.get_supabase_uid('dup201_owner'), 'London Switch'),
  ('d2010000-0000-4000-8000-000000000006', tests.get_supabase_uid('dup201_owner'), 'London Reception'),
  ('d2010000-0000-4000-8000-000000000007', tests.get_supabase_uid('dup201_owner'), 'Sam on Telegram'),
  ('d2010000-0000-4000-8000-000000000008', tests.get_supabase_uid('dup201_owner'), 'Sam'),
  ('d2010000-0000-4000-8000-000000000009', tests.get_supabase_uid('dup201_stranger'), 'Stranger''s Eve'),
  ('d2010000-0000-4000-8000-000000000010', tests.get_supabase_uid('dup201_owner'), 'London Again');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('dup201_owner'), 'd2010000-0000-4000-8000-000000000001', 'telegram', '@eve_evans'),
  (tests.get_supabase_uid('dup201_owner'), 'd2010000-0000-4000-8000-000000000002', 'telegram', 'eve_evans'),
  (tests.get_supabase_uid('dup201_owner'), 'd2010000-0000-4000-8000-000000000003', 'telegram', 'eve_evan'),
  (tests.get_supabase_uid('dup201_owner'), 'd2010000-0000-4000-8000-000000000004', 'phone', '+44 20 7946 0099'),
  (tests.get_supabase_uid('dup201_owner'), 'd2010000-0000-4000-8000-000000000005', 'other', '+44 (0)20 7946 0099'),
  (tests.get_supabase_uid('dup201_owner'), 'd2010000-0000-4000-8000-000000000006', 'other', '+44 020 7946 0099'),
  (tests.get_supabase_uid('dup201_owner'), 'd2010000-0000-4000-8000-000000000007', 'telegram', '+1 415 555 0142'),
  (tests.get_supabase_uid('dup201_owner'), 'd2010000-0000-4000-8000-000000000008', 'phone', '+14155550142'),
  (tests.get_supabase_uid('dup201_stranger'), 'd2010000-0000-4000-8000-000000000009', 'telegram', 'eve_evans');
create temporary table pairs (survivor_id uuid, duplicate_id uuid);
grant all on pairs to authenticated, service_role;

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('dup201_owner');
insert into pairs select p.survivor_id, p.duplicate_id from public.find_duplicate_contacts() p;

select ok(exists (select 1 from pairs where (survivor_id, duplicate_id) = ('d2010000-0000-4000-8000-000000000001', 'd2010000-0000-4000-8000-000000000002')),
  'the owner is proposed @eve_evans and eve_evans, one Telegram account, as duplicates');
select results_eq(
  $$ select p.reasons, p.score from public.find_duplicate_contacts(contact_id => 'd2010000-0000-4000-8000-000000000001') p
     where p.duplicate_id = 'd2010000-0000-4000-8000-000000000002' $$,
  $$ values (array['same_handle'], 0.9::numeric) $$,
  'the pair sharing a Telegram username has the reason same_handle, weighed as a shared mailbox');
select ok(exists (select 1 from pairs where (survivor_id, duplicate_id) = ('d2010000-0000-4000-8000-000000000004', 'd2010000-0000-4000-8000-000000000005')),
  'the owner is proposed the phone +44 20 7946 0099 and "+44 (0)20 7946 0099" kept as other, one number, as duplicates');
select ok(exists (select 1 from pairs where (survivor_id, duplicate_id) = ('d2010000-0000-4000-8000-000000000004', 'd2010000-0000-4000-8000-000000000006')),
  'the owner is proposed the phone +44 20 7946 0099 and "+44 020 7946 0099" kept as other, one number, as duplicates');
select set_eq($$ select survivor_id, duplicate_id from pairs $$,
  $$ values ('d2010000-0000-4000-8000-000000000001'::uuid, 'd2010000-0000-4000-8000-000000000002'::uuid),
            ('d2010000-0000-4000-8000-000000000004', 'd2010000-0000-4000-8000-000000000005'),
            ('d2010000-0000-4000-8000-000000000004', 'd2010000-0000-4000-8000-000000000006'),
            ('d2010000-0000-4000-8000-000000000005', 'd2010000-0000-4000-8000-000000000006'),
            ('d2010000-0000-4000-8000-000000000007', 'd2010000-0000-4000-8000-000000000008') $$,
  'the owner gets exactly these pairs: eve_evan, another username, is paired with nobody, and a Telegram channel holding a number still pairs with the phone holding it');
select set_eq(
  $$ select survivor_id, duplicate_id from public.find_duplicate_contacts(contact_id => 'd2010000-0000-4000-8000-000000000002') $$,
  $$ values ('d2010000-0000-4000-8000-000000000001'::uuid, 'd2010000-0000-4000-8000-000000000002'::uuid) $$,
  'the owner''s search for the duplicates of eve_evans''s contact alone finds @eve_evans''s');
select is(private.channel_match_key('telegram', '+1 415 555 0142'), 'tel:+14155550142',
  'a Telegram channel holding a number keeps its tel: key, not a username''s');
select throws_ok($$ select public.export_subject_data(identifier => '@eve_evans') $$, '22023',
  'identifier must be an e-mail address or a phone number in E.164 format',
  'the owner''s subject request by a Telegram username is refused, as before: requests take an e-mail address or a number, a username is reached by its contact');
select is(
  array(select json_array_elements_text(public.export_subject_data(identifier => '+44 20 7946 0099') -> 'contact_ids') order by 1),
  array['d2010000-0000-4000-8000-000000000004', 'd2010000-0000-4000-8000-000000000005', 'd2010000-0000-4000-8000-000000000006'],
  'the owner''s export by +44 20 7946 0099 still finds the number in all three spellings');
reset role;

-- The keys the triggers noted as shared are those the channels' keys give afresh.
select set_eq(
  $$ select match_key from private.duplicate_keys where user_id = tests.get_supabase_uid('dup201_owner') and kind = 'identifier' $$,
  $$ values ('tg:eve_evans'), ('tel:+442079460099'), ('tel:+14155550142') $$,
  'the owner''s shared channel keys are the username without its @ and each number in E.164, and no trunk-zero spelling');

-- ============================================================================================
-- Another owner
-- ============================================================================================
select tests.authenticate_as('dup201_stranger');
select is_empty($$ select 1 from public.find_duplicate_contacts() $$,
  'another owner holding eve_evans is proposed no pair: the owner''s @eve_evans is not theirs');
reset role;
select tests.authenticate_as('dup201_owner');
select is_empty($$ select 1 from pairs where 'd2010000-0000-4000-8000-000000000009' in (survivor_id, duplicate_id) $$,
  'and the owner is never proposed the other owner''s eve_evans');
reset role;

-- ============================================================================================
-- Service
-- ============================================================================================
select tests.authenticate_as_service_role();
select set_eq(
  $$ select survivor_id, duplicate_id from public.find_duplicate_contacts(owner_id => tests.get_supabase_uid('dup201_owner')) $$,
  $$ select survivor_id, duplicate_id from pairs $$,
  'the service naming the owner gets the same pairs as the owner');
reset role;

-- ============================================================================================
-- Owner: an erasure by the number takes every spelling and refuses it afterwards
-- ============================================================================================
select tests.authenticate_as('dup201_owner');
select is((public.gdpr_delete_subject(identifier => '+442079460099') -> 'counts' ->> 'contacts')::int, 3,
  'the owner''s erasure by +442079460099 removes the three contacts holding it in any spelling');
select throws_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
  values ('d2010000-0000-4000-8000-000000000010', 'other', '+44 (0)20 7946 0099') $$,
  '23514', null, 'the owner cannot add the erased number back as "+44 (0)20 7946 0099" on an other channel');
reset role;

select * from finish();
rollback;
