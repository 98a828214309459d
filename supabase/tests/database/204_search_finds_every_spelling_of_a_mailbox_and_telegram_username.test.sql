-- The search finds an identifier in its other spellings (20251020000090): a Telegram username with
-- or without its @, on Telegram channels only, as an exact identifier; an e-mail address's mailbox
-- (+tag, Gmail dots and googlemail folded) on any channel holding an address, as exact_identifier
-- at 0.97, below the address as typed. An agent still confirms no spelling on a channel type it
-- may not see, nor on a contact its grants leave out, nor another owner's.
begin;
select plan(13);

select tests.create_supabase_user('spell_owner');
select tests.create_supabase_user('spell_other_owner');
insert into public.agents (id, user_id, name) values
  ('20400000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('spell_owner'), 'reads everything'),
  ('20400000-0000-4000-8000-0000000000a2', tests.get_supabase_uid('spell_owner'), 'e-mail only'),
  ('20400000-0000-4000-8000-0000000000a3', tests.get_supabase_uid('spell_owner'), 'one contact'),
  ('20400000-0000-4000-8000-0000000000a9', tests.get_supabase_uid('spell_other_owner'), 'another owner''s');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type, permission_level, allowed_channel_types) values
  ('20400000-0000-4000-8000-0000000000f1', tests.get_supabase_uid('spell_owner'), '20400000-0000-4000-8000-0000000000a1', 'all_contacts', 'read', null),
  ('20400000-0000-4000-8000-0000000000f2', tests.get_supabase_uid('spell_owner'), '20400000-0000-4000-8000-0000000000a2', 'all_contacts', 'read', '{email}'),
  ('20400000-0000-4000-8000-0000000000f3', tests.get_supabase_uid('spell_owner'), '20400000-0000-4000-8000-0000000000a3', 'specific_contacts', 'read', null),
  ('20400000-0000-4000-8000-0000000000f9', tests.get_supabase_uid('spell_other_owner'), '20400000-0000-4000-8000-0000000000a9', 'all_contacts', 'read', null);
insert into public.contacts (id, user_id, first_name, last_name) values
  ('20400000-0000-4000-8000-000000000c01', tests.get_supabase_uid('spell_owner'), 'Ines', 'Vale'),
  ('20400000-0000-4000-8000-000000000c02', tests.get_supabase_uid('spell_owner'), 'Jonas', 'Vale'),
  ('20400000-0000-4000-8000-000000000c03', tests.get_supabase_uid('spell_owner'), 'Bea', 'Crane'),
  ('20400000-0000-4000-8000-000000000c04', tests.get_supabase_uid('spell_owner'), 'Cyd', 'Crane'),
  ('20400000-0000-4000-8000-000000000c05', tests.get_supabase_uid('spell_owner'), 'Abe', 'Crane'),
  ('20400000-0000-4000-8000-000000000c06', tests.get_supabase_uid('spell_owner'), 'Quin', 'Lowe'),
  ('20400000-0000-4000-8000-000000000c07', tests.get_supabase_uid('spell_owner'), 'Dee', 'Crane'),
  ('20400000-0000-4000-8000-000000000c09', tests.get_supabase_uid('spell_other_owner'), 'Not', 'Yours');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('spell_owner'), '20400000-0000-4000-8000-000000000c01', 'telegram', '@anna_kuz'),
  (tests.get_supabase_uid('spell_owner'), '20400000-0000-4000-8000-000000000c02', 'telegram', 'tomas_plain'),
  (tests.get_supabase_uid('spell_owner'), '20400000-0000-4000-8000-000000000c03', 'email', 'robert.brown+crm@gmail.com'),
  (tests.get_supabase_uid('spell_owner'), '20400000-0000-4000-8000-000000000c04', 'email', 'dot.gmail@googlemail.com'),
  (tests.get_supabase_uid('spell_owner'), '20400000-0000-4000-8000-000000000c05', 'email', 'robert.brown@gmail.com'),
  (tests.get_supabase_uid('spell_owner'), '20400000-0000-4000-8000-000000000c05', 'other', 'robertbrown+old@gmail.com'),
  (tests.get_supabase_uid('spell_owner'), '20400000-0000-4000-8000-000000000c06', 'other', '@marta_other'),
  (tests.get_supabase_uid('spell_owner'), '20400000-0000-4000-8000-000000000c07', 'slack', 'robert.brown+slack@gmail.com'),
  (tests.get_supabase_uid('spell_other_owner'), '20400000-0000-4000-8000-000000000c09', 'telegram', 'anna_kuz'),
  (tests.get_supabase_uid('spell_other_owner'), '20400000-0000-4000-8000-000000000c09', 'email', 'robert.brown@googlemail.com');
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('spell_owner'), '20400000-0000-4000-8000-0000000000f3', '20400000-0000-4000-8000-0000000000a3',
   '20400000-0000-4000-8000-000000000c03');

-- ============================================================================================
-- Agent tokens
-- ============================================================================================
select tests.authenticate_as_agent('spell_owner', '20400000-0000-4000-8000-0000000000a1');

select results_eq(
  $$ select contact_id, score, match_reason from public.search_contacts_for_agent('20400000-0000-4000-8000-0000000000a1', 'anna_kuz') $$,
  $$ values ('20400000-0000-4000-8000-000000000c01'::uuid, 1.0::numeric, 'exact_identifier') $$,
  'an agent typing a Telegram username without its @ finds the channel stored with it, and not another owner''s');
select results_eq(
  $$ select contact_id, score, match_reason from public.search_contacts_for_agent('20400000-0000-4000-8000-0000000000a1', '@Tomas_Plain') $$,
  $$ values ('20400000-0000-4000-8000-000000000c02'::uuid, 1.0::numeric, 'exact_identifier') $$,
  'an agent typing a Telegram username with an @ finds the channel stored without it');
select is_empty(
  $$ select 1 from public.search_contacts_for_agent('20400000-0000-4000-8000-0000000000a1', 'marta_other') $$,
  'an agent finds no channel of another type by the other spelling of a handle: only Telegram usernames have two');
select results_eq(
  $$ select contact_id, score, match_reason from public.search_contacts_for_agent('20400000-0000-4000-8000-0000000000a1', 'robert.brown@gmail.com') $$,
  $$ values ('20400000-0000-4000-8000-000000000c05'::uuid, 1.0::numeric, 'exact_identifier'),
            ('20400000-0000-4000-8000-000000000c03'::uuid, 0.97::numeric, 'exact_identifier'),
            ('20400000-0000-4000-8000-000000000c07'::uuid, 0.97::numeric, 'exact_identifier') $$,
  'an agent typing an address finds it first, once, then the other spellings of its mailbox on any channel, not another owner''s');
select results_eq(
  $$ select contact_id, score from public.search_contacts_for_agent('20400000-0000-4000-8000-0000000000a1', 'dotgmail@gmail.com') $$,
  $$ values ('20400000-0000-4000-8000-000000000c04'::uuid, 0.97::numeric) $$,
  'an agent finds a Gmail mailbox stored with dots at googlemail.com');
select results_eq(
  $$ select contact_id, score from public.search_contacts_for_agent('20400000-0000-4000-8000-0000000000a1', 'robert.brown+b@googlemail.com') $$,
  $$ values ('20400000-0000-4000-8000-000000000c05'::uuid, 0.97::numeric), ('20400000-0000-4000-8000-000000000c03'::uuid, 0.97::numeric),
            ('20400000-0000-4000-8000-000000000c07'::uuid, 0.97::numeric) $$,
  'an agent typing another owner''s address finds only its own owner''s spellings of the mailbox');
select results_eq(
  $$ select contact_id, match_reason, more_after from private.agent_contact_search('20400000-0000-4000-8000-0000000000a1',
       ' Robert.Brown+Anything@GMAIL.com ', null, null, 1, null, null, null, null, true) $$,
  $$ values ('20400000-0000-4000-8000-000000000c05'::uuid, 'exact_identifier', true) $$,
  'agent-contact-search''s form of the search pages through the spellings of the mailbox');

select tests.authenticate_as_agent('spell_owner', '20400000-0000-4000-8000-0000000000a2');
select is_empty(
  $$ select 1 from public.search_contacts_for_agent('20400000-0000-4000-8000-0000000000a2', 'anna_kuz') $$,
  'an agent allowed e-mail only cannot confirm a Telegram username by its other spelling');
select results_eq(
  $$ select contact_id, score from public.search_contacts_for_agent('20400000-0000-4000-8000-0000000000a2', 'robert.brown@gmail.com') $$,
  $$ values ('20400000-0000-4000-8000-000000000c05'::uuid, 1.0::numeric), ('20400000-0000-4000-8000-000000000c03'::uuid, 0.97::numeric) $$,
  'an agent allowed e-mail only confirms the mailbox on e-mail channels, never on Slack');

select tests.authenticate_as_agent('spell_owner', '20400000-0000-4000-8000-0000000000a3');
select results_eq(
  $$ select contact_id from public.search_contacts_for_agent('20400000-0000-4000-8000-0000000000a3', 'robert.brown@gmail.com') $$,
  $$ values ('20400000-0000-4000-8000-000000000c03'::uuid) $$,
  'an agent granted one contact finds only that contact by the mailbox');

select tests.authenticate_as_agent('spell_other_owner', '20400000-0000-4000-8000-0000000000a9');
select results_eq(
  $$ select contact_id, score from public.search_contacts_for_agent('20400000-0000-4000-8000-0000000000a9', 'robert.brown+crm@gmail.com') $$,
  $$ values ('20400000-0000-4000-8000-000000000c09'::uuid, 0.97::numeric) $$,
  'another owner''s agent finds only its own owner''s spelling of the mailbox');

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('spell_owner');
select results_eq(
  $$ select contact_id from public.search_contacts_for_agent('20400000-0000-4000-8000-0000000000a1', '@anna_kuz') $$,
  $$ values ('20400000-0000-4000-8000-000000000c01'::uuid) $$,
  'the owner searching through an agent still finds a username in the spelling it is stored in');

-- ============================================================================================
-- Service
-- ============================================================================================
select tests.authenticate_as_service_role();
select results_eq(
  $$ select contact_id from public.search_contacts_for_agent('20400000-0000-4000-8000-0000000000a9', 'anna_kuz') $$,
  $$ values ('20400000-0000-4000-8000-000000000c09'::uuid) $$,
  'the service searching as another owner''s agent finds that owner''s username only');

select * from finish();
rollback;
