begin;
select plan(25);

-- find_duplicate_contacts: candidate pairs of one owner's contacts with a score and the reasons.
-- Identifiers are unique per owner and type, so the duplicates that can exist are: one mailbox
-- spelt two ways (Gmail dots, +tags) or kept under another type, one number as phone on one
-- contact and whatsapp on the other, an external id differing in case or spaces, and similar names
-- in one organization. Owners only, and only their own contacts; the service names the owner.

-- ============================================================================================
-- Setup (superuser). All contacts are created in this transaction (same created_at), so the
-- suggested survivor of a pair is the smaller id.
--   c...01 Ada Lovelace    Analytical Engines   ada.lovelace@gmail.com, phone +442079460018, CRM-1
--   c...02 ADA lovelace    analytical engines.  adalovelace+news@gmail.com, whatsapp +44 20 7946 0018
--   c...03 Adda Lovelace   Analytical Engines   external id ' crm-1'
--   c...04 Ada Lovelace    Different Corp       'other' channel ada.lovelace@gmail.com
--   c...05 Charles Babbage Analytical Engines   (no duplicate)
--   c...06 / c...07 Charles Babbage, no organization (names alone are not compared)
--   c...99 Ada Lovelace    Analytical Engines   another owner's, ada.lovelace@gmail.com
-- ============================================================================================
select tests.create_supabase_user('dup_owner');
select tests.create_supabase_user('dup_other_owner');

insert into public.contacts (id, user_id, display_name, organization, external_id) values
  ('c0920000-0000-4000-8000-000000000001', tests.get_supabase_uid('dup_owner'), 'Ada Lovelace', 'Analytical Engines', 'CRM-1'),
  ('c0920000-0000-4000-8000-000000000002', tests.get_supabase_uid('dup_owner'), 'ADA lovelace', 'analytical engines.', null),
  ('c0920000-0000-4000-8000-000000000003', tests.get_supabase_uid('dup_owner'), 'Adda Lovelace', 'Analytical Engines', ' crm-1'),
  ('c0920000-0000-4000-8000-000000000004', tests.get_supabase_uid('dup_owner'), 'Ada Lovelace', 'Different Corp', null),
  ('c0920000-0000-4000-8000-000000000005', tests.get_supabase_uid('dup_owner'), 'Charles Babbage', 'Analytical Engines', null),
  ('c0920000-0000-4000-8000-000000000006', tests.get_supabase_uid('dup_owner'), 'Charles Babbage', null, null),
  ('c0920000-0000-4000-8000-000000000007', tests.get_supabase_uid('dup_owner'), 'Charles Babbage', null, null),
  ('c0920000-0000-4000-8000-000000000099', tests.get_supabase_uid('dup_other_owner'), 'Ada Lovelace', 'Analytical Engines', 'CRM-1');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('dup_owner'), 'c0920000-0000-4000-8000-000000000001', 'email', 'ada.lovelace@gmail.com'),
  (tests.get_supabase_uid('dup_owner'), 'c0920000-0000-4000-8000-000000000001', 'phone', '+442079460018'),
  (tests.get_supabase_uid('dup_owner'), 'c0920000-0000-4000-8000-000000000002', 'email', 'adalovelace+news@gmail.com'),
  (tests.get_supabase_uid('dup_owner'), 'c0920000-0000-4000-8000-000000000002', 'whatsapp', '+44 20 7946 0018'),
  (tests.get_supabase_uid('dup_owner'), 'c0920000-0000-4000-8000-000000000004', 'other', 'Ada.Lovelace@gmail.com'),
  (tests.get_supabase_uid('dup_owner'), 'c0920000-0000-4000-8000-000000000006', 'phone', '+15550000006'),
  (tests.get_supabase_uid('dup_other_owner'), 'c0920000-0000-4000-8000-000000000099', 'email', 'ada.lovelace@gmail.com');
insert into public.agents (id, user_id, name) values
  ('a0920000-0000-4000-8000-000000000001', tests.get_supabase_uid('dup_owner'), 'Writer');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('dup_owner'), 'a0920000-0000-4000-8000-000000000001', 'all_contacts', 'write');

-- ============================================================================================
-- The match keys
-- ============================================================================================
select is(private.channel_match_key('email', 'a.d.a+news@googlemail.com'), 'mail:ada@gmail.com',
  'a Gmail address matches without its dots, +tag and googlemail domain');
select is(private.channel_match_key('other', '00 44 (20) 7946-0018'), 'tel:+442079460018',
  'a phone number kept as ''other'' matches in E.164');
select is(private.channel_match_key('slack', 'u0abc123'), null, 'a handle that is neither address nor number has no match key');
select is(private.name_sound_key('Smith, John'), private.name_sound_key('Jon SMYTH'),
  'names match regardless of word order, case, vowels and h');

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('dup_owner');

select results_eq(
  $$ select survivor_id, duplicate_id, reasons from public.find_duplicate_contacts() $$,
  $$ values
     ('c0920000-0000-4000-8000-000000000001'::uuid, 'c0920000-0000-4000-8000-000000000002'::uuid, '{same_email,same_phone,similar_name}'::text[]),
     ('c0920000-0000-4000-8000-000000000001', 'c0920000-0000-4000-8000-000000000003', '{same_external_id,similar_name}'),
     ('c0920000-0000-4000-8000-000000000001', 'c0920000-0000-4000-8000-000000000004', '{same_email}'),
     ('c0920000-0000-4000-8000-000000000002', 'c0920000-0000-4000-8000-000000000004', '{same_email}'),
     ('c0920000-0000-4000-8000-000000000002', 'c0920000-0000-4000-8000-000000000003', '{similar_name}') $$,
  'the owner gets every candidate pair once, strongest first, with its reasons');
select is(
  (select score from public.find_duplicate_contacts() where duplicate_id = 'c0920000-0000-4000-8000-000000000002'),
  0.9920, 'reasons add up: same mailbox (0.9), same number (0.8) and the same name (0.6) give 1 - 0.1 x 0.2 x 0.4');
select is(
  (select score from public.find_duplicate_contacts()
   where survivor_id = 'c0920000-0000-4000-8000-000000000002' and duplicate_id = 'c0920000-0000-4000-8000-000000000003'),
  0.4800, 'a similar name alone scores 0.6 times its trigram similarity');
select is_empty(
  $$ select 1 from public.find_duplicate_contacts()
     where 'similar_name' = any (reasons) and 'c0920000-0000-4000-8000-000000000004' in (survivor_id, duplicate_id) $$,
  'the same name in another organization is not a name match');
select is_empty(
  $$ select 1 from public.find_duplicate_contacts()
     where array['c0920000-0000-4000-8000-000000000005', 'c0920000-0000-4000-8000-000000000006',
                 'c0920000-0000-4000-8000-000000000007']::uuid[] && array[survivor_id, duplicate_id] $$,
  'different people of one organization, and equal names without an organization, make no pair');
select is(
  (select count(*)::integer from public.find_duplicate_contacts(min_score => 0.5)), 4,
  'min_score leaves out the weaker pairs');

select results_eq(
  $$ select duplicate_id from public.find_duplicate_contacts(result_limit => 2) $$,
  $$ values ('c0920000-0000-4000-8000-000000000002'::uuid), ('c0920000-0000-4000-8000-000000000003'::uuid) $$,
  'a page of two holds the two strongest pairs');
select results_eq(
  $$ select survivor_id, duplicate_id from public.find_duplicate_contacts(result_limit => 2, after_score => 0.948,
       after_survivor_id => 'c0920000-0000-4000-8000-000000000001', after_duplicate_id => 'c0920000-0000-4000-8000-000000000003') $$,
  $$ values ('c0920000-0000-4000-8000-000000000001'::uuid, 'c0920000-0000-4000-8000-000000000004'::uuid),
            ('c0920000-0000-4000-8000-000000000002', 'c0920000-0000-4000-8000-000000000004') $$,
  'the next page continues after the cursor, through the tie at 0.9');

select results_eq(
  $$ select survivor_id, duplicate_id from public.find_duplicate_contacts(contact_id => 'c0920000-0000-4000-8000-000000000003') $$,
  $$ values ('c0920000-0000-4000-8000-000000000001'::uuid, 'c0920000-0000-4000-8000-000000000003'::uuid),
            ('c0920000-0000-4000-8000-000000000002', 'c0920000-0000-4000-8000-000000000003') $$,
  'for one contact, only its own pairs are returned');
select is_empty($$ select 1 from public.find_duplicate_contacts(contact_id => 'c0920000-0000-4000-8000-000000000005') $$,
  'a contact without duplicates has no pairs');

select throws_ok($$ select * from public.find_duplicate_contacts(min_score => 2) $$, '22023',
  'min_score must be between 0 and 1', 'a min_score above 1 is refused');
select throws_ok($$ select * from public.find_duplicate_contacts(after_score => 0.5) $$, '22023',
  'a cursor needs after_score, after_survivor_id and after_duplicate_id', 'half a cursor is refused');
select throws_ok(
  $$ select * from public.find_duplicate_contacts(owner_id => tests.get_supabase_uid('dup_other_owner')) $$,
  '42501', 'only the service names an owner', 'an owner cannot name another owner');

-- ============================================================================================
-- Other owner: nothing of the owner's, and no pair across owners
-- ============================================================================================
select tests.authenticate_as('dup_other_owner');
select is_empty($$ select 1 from public.find_duplicate_contacts() $$,
  'another owner with the same name and e-mail in their own book gets no pair with the owner''s contacts');
select throws_ok(
  $$ select * from public.find_duplicate_contacts(contact_id => 'c0920000-0000-4000-8000-000000000001') $$,
  'P0002', 'contact not found', 'another owner naming the owner''s contact gets not found');

-- ============================================================================================
-- Agent token of the owner: refused
-- ============================================================================================
select tests.authenticate_as_agent('dup_owner', 'a0920000-0000-4000-8000-000000000001');
select throws_ok($$ select * from public.find_duplicate_contacts() $$, '42501',
  'agent tokens cannot look for duplicate contacts', 'even a write agent cannot look for duplicates');

-- ============================================================================================
-- service_role: names the owner
-- ============================================================================================
select tests.authenticate_as_service_role();
select throws_ok($$ select * from public.find_duplicate_contacts() $$, '22023',
  'owner_id is required for service callers', 'the service must name an owner');
select is(
  (select count(*)::integer from public.find_duplicate_contacts(owner_id => tests.get_supabase_uid('dup_owner'))), 5,
  'the service naming the owner gets the owner''s five pairs');

-- ============================================================================================
-- anon
-- ============================================================================================
select tests.clear_authentication();
select throws_ok($$ select * from public.find_duplicate_contacts() $$, '42501',
  'permission denied for function find_duplicate_contacts', 'anon cannot look for duplicates');

-- ============================================================================================
-- Owner: pairs made later, by an insert and by an update, show up owner-wide
-- ============================================================================================
select tests.authenticate_as('dup_owner');
insert into public.contact_communication_channels (contact_id, channel_type, identifier)
values ('c0920000-0000-4000-8000-000000000005', 'whatsapp', '+1 555 000 0006');
update public.contacts set organization = 'Analytical Engines' where id = 'c0920000-0000-4000-8000-000000000007';
select results_eq(
  $$ select reasons from public.find_duplicate_contacts()
     where survivor_id = 'c0920000-0000-4000-8000-000000000005' and duplicate_id = 'c0920000-0000-4000-8000-000000000006' $$,
  $$ values ('{same_phone}'::text[]) $$,
  'a number the owner adds later as whatsapp pairs its contact with the one holding it as phone');
select results_eq(
  $$ select reasons from public.find_duplicate_contacts()
     where survivor_id = 'c0920000-0000-4000-8000-000000000005' and duplicate_id = 'c0920000-0000-4000-8000-000000000007' $$,
  $$ values ('{similar_name}'::text[]) $$,
  'a contact moved into an organization pairs with the same name there');

select * from finish();
rollback;
