-- The search finds identifiers written as agents receive them (20251020000085): a number with its
-- trunk zero after the country code ("+44 (0)20 7946 0018", "+44 020 7946 0018") finds the channel
-- stored as +442079460018; an address inside "Name <...>" or after mailto:, a number after tel: or
-- whatsapp:, or with its extension, is searched for bare; a number whose plan keeps its 0 and every
-- other query search as before; an agent still confirms no number on a channel type it may not
-- see, nor another owner's; the access log records the identifier searched for.
begin;
select plan(17);

select tests.create_supabase_user('trunk_owner');
select tests.create_supabase_user('trunk_other_owner');
insert into public.agents (id, user_id, name) values
  ('20000000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('trunk_owner'), 'reads everything'),
  ('20000000-0000-4000-8000-0000000000a2', tests.get_supabase_uid('trunk_owner'), 'e-mail only'),
  ('20000000-0000-4000-8000-0000000000a9', tests.get_supabase_uid('trunk_other_owner'), 'another owner''s');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level, allowed_channel_types) values
  (tests.get_supabase_uid('trunk_owner'), '20000000-0000-4000-8000-0000000000a1', 'all_contacts', 'read', null),
  (tests.get_supabase_uid('trunk_owner'), '20000000-0000-4000-8000-0000000000a2', 'all_contacts', 'read', '{email}'),
  (tests.get_supabase_uid('trunk_other_owner'), '20000000-0000-4000-8000-0000000000a9', 'all_contacts', 'read', null);
insert into public.contacts (id, user_id, first_name, last_name) values
  ('20000000-0000-4000-8000-000000000c01', tests.get_supabase_uid('trunk_owner'), 'Ada', 'Lovelace'),
  ('20000000-0000-4000-8000-000000000c02', tests.get_supabase_uid('trunk_owner'), 'Giulia', 'Romano'),
  ('20000000-0000-4000-8000-000000000c09', tests.get_supabase_uid('trunk_other_owner'), 'Not', 'Yours');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('trunk_owner'), '20000000-0000-4000-8000-000000000c01', 'whatsapp', '+44 20 7946 0018'),
  (tests.get_supabase_uid('trunk_owner'), '20000000-0000-4000-8000-000000000c01', 'email', 'ada@engines.example'),
  (tests.get_supabase_uid('trunk_owner'), '20000000-0000-4000-8000-000000000c02', 'phone', '+39 06 1234 5678'),
  (tests.get_supabase_uid('trunk_other_owner'), '20000000-0000-4000-8000-000000000c09', 'phone', '+44 20 7946 0019');

-- ============================================================================================
-- Agent tokens
-- ============================================================================================
select tests.authenticate_as_agent('trunk_owner', '20000000-0000-4000-8000-0000000000a1');

select results_eq(
  $$ select contact_id, score, match_reason
     from public.search_contacts_for_agent('20000000-0000-4000-8000-0000000000a1', '+44 (0)20 7946 0018') $$,
  $$ values ('20000000-0000-4000-8000-000000000c01'::uuid, 1.0::numeric, 'exact_identifier') $$,
  'an agent typing a number with its trunk zero in parentheses finds the channel stored without it, as an exact identifier');
select results_eq(
  $$ select contact_id, match_reason
     from public.search_contacts_for_agent('20000000-0000-4000-8000-0000000000a1', '+44 020 7946 0018') $$,
  $$ values ('20000000-0000-4000-8000-000000000c01'::uuid, 'exact_identifier') $$,
  'an agent typing the trunk zero without parentheses finds the same channel');
select results_eq(
  $$ select contact_id, match_reason
     from public.search_contacts_for_agent('20000000-0000-4000-8000-0000000000a1', '0044 (0)20 7946 0018') $$,
  $$ values ('20000000-0000-4000-8000-000000000c01'::uuid, 'exact_identifier') $$,
  'an agent typing the international prefix 00 and the trunk zero finds it too');
select results_eq(
  $$ select contact_id, match_reason
     from private.agent_contact_search('20000000-0000-4000-8000-0000000000a1', '+44 (0)20 7946 0018',
       null, null, 20, null, null, null, null, true) $$,
  $$ values ('20000000-0000-4000-8000-000000000c01'::uuid, 'exact_identifier') $$,
  'agent-contact-search''s form of the search (with its look-ahead) finds it as well');
select results_eq(
  $$ select contact_id, match_reason
     from public.search_contacts_for_agent('20000000-0000-4000-8000-0000000000a1', '+39 06 1234 5678') $$,
  $$ values ('20000000-0000-4000-8000-000000000c02'::uuid, 'exact_identifier') $$,
  'a number whose plan keeps its leading 0 (Rome, +39 06) is still found as it is stored');
select results_eq(
  $$ select contact_id, match_reason
     from public.search_contacts_for_agent('20000000-0000-4000-8000-0000000000a1', '7946 0018') $$,
  $$ values ('20000000-0000-4000-8000-000000000c01'::uuid, 'phone_suffix') $$,
  'the end of a number still finds it as a suffix');
select is_empty(
  $$ select 1 from public.search_contacts_for_agent('20000000-0000-4000-8000-0000000000a1', '+44 (0)20 7946 0019') $$,
  'an agent typing another owner''s number with its trunk zero finds nothing');
select results_eq(
  $$ select q.query, s.contact_id, s.match_reason
     from unnest(array['Ada Lovelace <Ada@Engines.example>', 'mailto:ada@engines.example?subject=Hello',
                       'tel:+44-20-7946-0018', 'whatsapp:+442079460018', '+44 20 7946 0018 ext. 12', '+44 20 7946 0018 x12'])
       with ordinality as q (query, n)
     cross join lateral public.search_contacts_for_agent('20000000-0000-4000-8000-0000000000a1', q.query) as s
     order by q.n $$,
  $$ values ('Ada Lovelace <Ada@Engines.example>', '20000000-0000-4000-8000-000000000c01'::uuid, 'exact_identifier'),
            ('mailto:ada@engines.example?subject=Hello', '20000000-0000-4000-8000-000000000c01'::uuid, 'exact_identifier'),
            ('tel:+44-20-7946-0018', '20000000-0000-4000-8000-000000000c01'::uuid, 'exact_identifier'),
            ('whatsapp:+442079460018', '20000000-0000-4000-8000-000000000c01'::uuid, 'exact_identifier'),
            ('+44 20 7946 0018 ext. 12', '20000000-0000-4000-8000-000000000c01'::uuid, 'exact_identifier'),
            ('+44 20 7946 0018 x12', '20000000-0000-4000-8000-000000000c01'::uuid, 'exact_identifier') $$,
  'an address after a name or a URI scheme, and a number after tel: or whatsapp: or with its extension, are found as exact identifiers');
select results_eq(
  $$ select display_name from public.search_contacts_for_agent('20000000-0000-4000-8000-0000000000a1', 'Lovelace') $$,
  $$ values ('Ada Lovelace') $$,
  'a name is searched as before');
select is_empty(
  $$ select 1 from public.search_contacts_for_agent('20000000-0000-4000-8000-0000000000a1', 'Suite x12') $$,
  'a text ending like an extension but holding no number is searched as typed, and finds nothing here');
select is_empty(
  $$ select 1 from public.search_contacts_for_agent('20000000-0000-4000-8000-0000000000a1', 'tel:') $$,
  'a scheme alone is searched as typed, and finds nothing');

select tests.authenticate_as_agent('trunk_owner', '20000000-0000-4000-8000-0000000000a2');
select is_empty(
  $$ select 1 from public.search_contacts_for_agent('20000000-0000-4000-8000-0000000000a2', '+44 (0)20 7946 0018') $$,
  'an agent allowed e-mail only cannot confirm the WhatsApp number by typing it with its trunk zero');

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('trunk_owner');
select results_eq(
  $$ select l.result_count from public.agent_contact_access_log l
     where l.agent_id = '20000000-0000-4000-8000-0000000000a1' order by l.id limit 4 $$,
  $$ values (1), (1), (1), (1) $$,
  'the owner reads in the access log that each trunk-zero search handed its agent one contact');
select results_eq(
  $$ select contact_id from public.search_contacts_for_agent('20000000-0000-4000-8000-0000000000a1', '+44 (0) 20-7946-0018') $$,
  $$ values ('20000000-0000-4000-8000-000000000c01'::uuid) $$,
  'the owner searching through an agent finds the number typed with the trunk zero and dashes');

-- ============================================================================================
-- Superuser (reads what the log holds)
-- ============================================================================================
reset role;
select ok(exists (select 1 from public.agent_contact_access_log l
                  where l.agent_id = '20000000-0000-4000-8000-0000000000a1'
                    and l.query_hmac = (private.owner_hmacs(tests.get_supabase_uid('trunk_owner'), array['ada@engines.example']))[1]),
  'the mailto: search is logged under the bare address, the spelling an erasure of Ada looks for');
select ok(exists (select 1 from public.agent_contact_access_log l
                  where l.agent_id = '20000000-0000-4000-8000-0000000000a1'
                    and l.query_hmac = (private.owner_hmacs(tests.get_supabase_uid('trunk_owner'), array['+442079460018']))[1]),
  'a search typed with the trunk zero is logged under the number as its channel stores it');
select ok(exists (select 1 from public.agent_contact_access_log l
                  where l.agent_id = '20000000-0000-4000-8000-0000000000a1'
                    and l.query_hmac = (private.owner_hmacs(tests.get_supabase_uid('trunk_owner'), array['lovelace']))[1]),
  'a name query is logged as typed');

select * from finish();
rollback;
