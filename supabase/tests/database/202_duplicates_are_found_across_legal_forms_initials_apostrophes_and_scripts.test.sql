begin;
select plan(28);

-- The duplicate finder compares names within a name block: the organization and the sound code of
-- the name (20251002000002). Until 20251020000087 one person at "Acme Inc." and at "Acme
-- Incorporated", "Richard A. Roe" and "Richard Roe", "Sean O'Brien" and "Sean OBrien" fell into
-- different blocks and were never paired, and every name in another script had the empty code, so
-- all such contacts of one company made one block (3,000 of them: 19.8 s). The blocks now see past
-- legal forms, initials and apostrophes, and a word of another script keeps its text.

-- ============================================================================================
-- The keys
-- ============================================================================================
select is(private.organization_match_key('Acme Inc.'), 'acme', 'a trailing "Inc." is not part of the organization''s key');
select is(private.organization_match_key('Acme Incorporated'), private.organization_match_key('ACME, Inc'),
  '"Acme Incorporated" and "ACME, Inc" have one key');
select is(private.organization_match_key('Acme Co., Ltd.'), 'acme', 'several trailing legal forms all go');
select is(private.organization_match_key('Umbrella GmbH & Co. KG'), 'umbrella', 'a German "GmbH & Co. KG" goes whole');
select is(private.organization_match_key('Acme S.A.'), 'acme', 'a dotted legal form goes like its letters joined');
select is(private.organization_match_key('The Acme Company'), 'acme', 'a leading "the" goes with the legal form');
select is(private.organization_match_key('Incorporated Widgets'), 'incorporated widgets', 'a legal form goes only at the end');
select is(private.organization_match_key('Costco'), 'costco', 'a legal form goes only as a whole word');
select is(private.organization_match_key('Inc.'), 'inc', 'an organization named by a legal form alone keeps it');
select is(private.organization_match_key('The Co'), 'the co', 'and keeps its "the" too: the key is never empty');
select isnt(private.organization_match_key('Acme Inc.'), private.organization_match_key('Apex Inc.'),
  'two companies with the same legal form keep different keys');
select is(private.organization_match_key('Straße AG'), private.organization_match_key('Strasse'), 'ß is ss');
select is(private.organization_match_key('Æon Œuvre Ørsted'), 'aeon oeuvre orsted', 'æ, œ and ø fold to ae, oe and o');
select is(private.organization_match_key('---'), null, 'punctuation alone is still no organization');

select is(private.name_sound_key('Richard A. Roe'), private.name_sound_key('Richard Roe'), 'a middle initial is not part of the sound code');
select isnt(private.name_sound_key('J. Tolkien'), private.name_sound_key('Tolkien'),
  'an initial stays when fewer than two other words remain');
select is(private.name_sound_key('Sean O''Brien'), private.name_sound_key('Sean OBrien'), 'an apostrophe does not split a name');
select is(private.name_sound_key('Sean O’Brien'), private.name_sound_key('Sean OBrien'), 'nor does a typographic one');
select is(private.name_sound_key('Иван Петров'), 'иван петров', 'a Cyrillic name is coded as its lower-cased words');
select is(private.name_sound_key('Петров Иван'), private.name_sound_key('Иван Петров'), 'in any order');
select is(private.name_sound_key('Ｊｏｈｎ Smith'), private.name_sound_key('Jon Smyth'), 'full-width letters are coded as their plain ones');

-- ============================================================================================
-- Setup (superuser). Created in this transaction: the suggested survivor of a pair is the smaller id.
-- ============================================================================================
select tests.create_supabase_user('block_finder');
select tests.create_supabase_user('block_stranger');
insert into public.contacts (id, user_id, display_name, organization) values
  ('c2020000-0000-4000-8000-000000000001', tests.get_supabase_uid('block_finder'), 'Jane Doe', 'Acme Inc.'),
  ('c2020000-0000-4000-8000-000000000002', tests.get_supabase_uid('block_finder'), 'Jane Doe', 'Acme Incorporated'),
  ('c2020000-0000-4000-8000-000000000003', tests.get_supabase_uid('block_finder'), 'Jane Doe', 'ACME, Inc'),
  ('c2020000-0000-4000-8000-000000000004', tests.get_supabase_uid('block_finder'), 'Jane Doe', 'Apex Inc.'),
  ('c2020000-0000-4000-8000-000000000005', tests.get_supabase_uid('block_finder'), 'Richard A. Roe', 'Initech'),
  ('c2020000-0000-4000-8000-000000000006', tests.get_supabase_uid('block_finder'), 'Richard Roe', 'Initech'),
  ('c2020000-0000-4000-8000-000000000007', tests.get_supabase_uid('block_finder'), 'Sean O''Brien', 'Globex'),
  ('c2020000-0000-4000-8000-000000000008', tests.get_supabase_uid('block_finder'), 'Sean OBrien', 'Globex'),
  ('c2020000-0000-4000-8000-000000000009', tests.get_supabase_uid('block_finder'), 'Иван Петров', 'Ромашка'),
  ('c2020000-0000-4000-8000-000000000010', tests.get_supabase_uid('block_finder'), 'Пётр Сидоров', 'Ромашка'),
  ('c2020000-0000-4000-8000-000000000011', tests.get_supabase_uid('block_finder'), 'Иван Петров', 'Ромашка'),
  ('c2020000-0000-4000-8000-000000000099', tests.get_supabase_uid('block_stranger'), 'Jane Doe', 'Acme Inc.'),
  ('c2020000-0000-4000-8000-000000000098', tests.get_supabase_uid('block_stranger'), 'Richard Roe', 'Initech');

select isnt((select name_block from public.contacts where id = 'c2020000-0000-4000-8000-000000000009'),
  (select name_block from public.contacts where id = 'c2020000-0000-4000-8000-000000000010'),
  'two different Cyrillic names at one company fall into different name blocks');

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('block_finder');
create temporary table found_pairs on commit drop as
select f.survivor_id, f.duplicate_id, f.reasons from public.find_duplicate_contacts() as f;

select set_eq(
  $$ select survivor_id, duplicate_id from found_pairs
     where survivor_id::text like 'c2020000-0000-4000-8000-00000000000_' and duplicate_id::text like 'c2020000-0000-4000-8000-00000000000_' $$,
  $$ values ('c2020000-0000-4000-8000-000000000001'::uuid, 'c2020000-0000-4000-8000-000000000002'::uuid),
            ('c2020000-0000-4000-8000-000000000001', 'c2020000-0000-4000-8000-000000000003'),
            ('c2020000-0000-4000-8000-000000000002', 'c2020000-0000-4000-8000-000000000003'),
            ('c2020000-0000-4000-8000-000000000005', 'c2020000-0000-4000-8000-000000000006'),
            ('c2020000-0000-4000-8000-000000000007', 'c2020000-0000-4000-8000-000000000008') $$,
  'one person at "Acme Inc.", "Acme Incorporated" and "ACME, Inc", with and without an initial or an apostrophe, makes pairs, and nobody else');
select is((select count(*) from found_pairs where not (reasons @> array['similar_name'])), 0::bigint,
  'every pair is found by its similar name');
select is((select count(*) from found_pairs where 'c2020000-0000-4000-8000-000000000004' in (survivor_id, duplicate_id)), 0::bigint,
  'the namesake at "Apex Inc." is paired with nobody at Acme');
select set_eq(
  $$ select survivor_id, duplicate_id from found_pairs
     where 'c2020000-0000-4000-8000-000000000009' in (survivor_id, duplicate_id)
        or 'c2020000-0000-4000-8000-000000000010' in (survivor_id, duplicate_id) $$,
  $$ values ('c2020000-0000-4000-8000-000000000009'::uuid, 'c2020000-0000-4000-8000-000000000011'::uuid) $$,
  'the same Cyrillic name at one company is paired, a different one is not');
select is((select count(*) from found_pairs
           where survivor_id in ('c2020000-0000-4000-8000-000000000099', 'c2020000-0000-4000-8000-000000000098')
              or duplicate_id in ('c2020000-0000-4000-8000-000000000099', 'c2020000-0000-4000-8000-000000000098')), 0::bigint,
  'another owner''s Jane Doe at Acme Inc. and Richard Roe at Initech never appear');

-- ============================================================================================
-- Service
-- ============================================================================================
select tests.authenticate_as_service_role();
select is_empty(
  $$ select 1 from public.find_duplicate_contacts(owner_id => tests.get_supabase_uid('block_stranger')) $$,
  'the other owner, named by the service, has no pairs: blocks never join two owners');

select * from finish();
rollback;
