-- The search finds names typed without their accents (20251020000091): a query word also matches
-- the owner's words that are the same without accents, or with ä ö ü written ae oe ue, as
-- full_text at 0.79 (whole words) and 0.78 (prefixes), below what the query matches as typed, so
-- the spelling typed ranks first and a later page lists the rest. Never another owner's contacts,
-- an archived one, or one the agent's grants leave out; the vocabulary is not callable by a token.
-- Bounded: prefixes of 3+ letters take every word of the owner's folding to them (no cap, so no
-- holder is left out and what an agent finds never depends on contacts it may not see); single
-- letters get no other spelling.
begin;
select plan(17);

select tests.create_supabase_user('fold_owner');
select tests.create_supabase_user('fold_other_owner');
insert into public.agents (id, user_id, name) values
  ('20500000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('fold_owner'), 'reads everything'),
  ('20500000-0000-4000-8000-0000000000a2', tests.get_supabase_uid('fold_owner'), 'one contact'),
  ('20500000-0000-4000-8000-0000000000a9', tests.get_supabase_uid('fold_other_owner'), 'another owner''s');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type, permission_level) values
  ('20500000-0000-4000-8000-0000000000f1', tests.get_supabase_uid('fold_owner'), '20500000-0000-4000-8000-0000000000a1', 'all_contacts', 'read'),
  ('20500000-0000-4000-8000-0000000000f2', tests.get_supabase_uid('fold_owner'), '20500000-0000-4000-8000-0000000000a2', 'specific_contacts', 'read'),
  ('20500000-0000-4000-8000-0000000000f9', tests.get_supabase_uid('fold_other_owner'), '20500000-0000-4000-8000-0000000000a9', 'all_contacts', 'read');
insert into public.contacts (id, user_id, first_name, last_name, organization, status) values
  ('20500000-0000-4000-8000-000000000c01', tests.get_supabase_uid('fold_owner'), 'Ayşe', 'Öztürk', null, 'active'),
  ('20500000-0000-4000-8000-000000000c02', tests.get_supabase_uid('fold_owner'), 'Ana', 'Gómez', null, 'active'),
  ('20500000-0000-4000-8000-000000000c03', tests.get_supabase_uid('fold_owner'), 'Anna', 'Gomez', null, 'active'),
  ('20500000-0000-4000-8000-000000000c04', tests.get_supabase_uid('fold_owner'), 'Klaus', 'Müller', null, 'active'),
  ('20500000-0000-4000-8000-000000000c05', tests.get_supabase_uid('fold_owner'), 'Michał', 'Nowak', null, 'active'),
  ('20500000-0000-4000-8000-000000000c06', tests.get_supabase_uid('fold_owner'), 'Jean', 'Dupont', 'Société Générale', 'active'),
  ('20500000-0000-4000-8000-000000000c07', tests.get_supabase_uid('fold_owner'), 'Ahmet', 'Yılmaz', null, 'archived'),
  ('20500000-0000-4000-8000-000000000c08', tests.get_supabase_uid('fold_owner'), 'Lars', 'Sørensen', null, 'active'),
  ('20500000-0000-4000-8000-000000000c09', tests.get_supabase_uid('fold_other_owner'), 'Emre', 'Yılmaz', null, 'active'),
  ('20500000-0000-4000-8000-000000000c10', tests.get_supabase_uid('fold_owner'), 'Zed', 'Jörg', null, 'active');
-- 60 holders of 60 words folding to oub..: more than 91's first draft took (50, in code-point order).
insert into public.contacts (user_id, first_name, last_name, status)
select tests.get_supabase_uid('fold_owner'), 'Gap', 'Oúb' || chr(97 + i / 26) || chr(97 + i % 26), 'active'
from generate_series(0, 59) as i;
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('fold_owner'), '20500000-0000-4000-8000-0000000000f2', '20500000-0000-4000-8000-0000000000a2',
   '20500000-0000-4000-8000-000000000c02'),
  (tests.get_supabase_uid('fold_owner'), '20500000-0000-4000-8000-0000000000f2', '20500000-0000-4000-8000-0000000000a2',
   '20500000-0000-4000-8000-000000000c10');
create temporary table answers (label text primary key, answer jsonb);
grant all on answers to service_role, authenticated;

-- ============================================================================================
-- Agent tokens
-- ============================================================================================
select tests.authenticate_as_agent('fold_owner', '20500000-0000-4000-8000-0000000000a1');

select results_eq(
  $$ select contact_id, score, match_reason from public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a1', 'Ozturk') $$,
  $$ values ('20500000-0000-4000-8000-000000000c01'::uuid, 0.79::numeric, 'full_text') $$,
  'an agent typing Ozturk finds Öztürk as a word of the name');
select results_eq(
  $$ select contact_id, score from public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a1', 'gomez') $$,
  $$ values ('20500000-0000-4000-8000-000000000c03'::uuid, 0.87::numeric), ('20500000-0000-4000-8000-000000000c02'::uuid, 0.79::numeric) $$,
  'an agent typing gomez gets Gomez first, then Gómez below it');
select results_eq(
  $$ select contact_id, score from public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a1', 'Gómez') $$,
  $$ values ('20500000-0000-4000-8000-000000000c02'::uuid, 0.87::numeric), ('20500000-0000-4000-8000-000000000c03'::uuid, 0.79::numeric) $$,
  'an agent typing Gómez with its accent gets Gómez first, then Gomez');
select results_eq(
  $$ select contact_id from public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a1', 'gomez', null, null, 1,
       0.87, '20500000-0000-4000-8000-000000000c03', 'Anna Gomez', null) $$,
  $$ values ('20500000-0000-4000-8000-000000000c02'::uuid) $$,
  'the page after a page filled by Gomez lists Gómez');
select results_eq(
  $$ select contact_id, score from public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a1', 'Mueller') $$,
  $$ values ('20500000-0000-4000-8000-000000000c04'::uuid, 0.79::numeric) $$,
  'an agent typing Mueller finds Müller, once');
select is_empty(
  $$ select 1 from public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a1', 'Michael') where match_reason = 'full_text' $$,
  'ae oe ue are read as umlauts only: Michael does not find Michał as a word of the name');
select results_eq(
  $$ select contact_id, score from public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a1', 'societe gen') $$,
  $$ values ('20500000-0000-4000-8000-000000000c06'::uuid, 0.78::numeric) $$,
  'an agent typing the start of Société Générale without accents finds the organization as prefixes');
select is_empty(
  $$ select 1 from public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a1', 'yilmaz') $$,
  'an agent finds neither its owner''s archived Yılmaz nor another owner''s');
select is((select count(*)::int from public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a1', 'oub', null, null, 100)
           where match_reason = 'full_text'), 60,
  'every one of sixty holders of words folding to oub.. is listed');
select throws_ok(
  $$ select private.search_folded_query(tests.get_supabase_uid('fold_other_owner'), 'yilmaz', false) $$,
  '42501', 'permission denied for function search_folded_query',
  'an agent token cannot read another owner''s words through the folding helper');

select tests.authenticate_as_agent('fold_owner', '20500000-0000-4000-8000-0000000000a2');
select results_eq(
  $$ select contact_id from public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a2', 'gomez') $$,
  $$ values ('20500000-0000-4000-8000-000000000c02'::uuid) $$,
  'an agent granted Gómez alone finds it without the accent, and not the Gomez it may not see');
insert into answers
select q, coalesce(jsonb_agg(s.contact_id), '[]') from unnest(array['jo', 'jor']) as q
left join lateral public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a2', q) as s on true group by q;
select results_eq(
  $$ select answer from answers where label = 'jor' $$,
  $$ values ('["20500000-0000-4000-8000-000000000c10"]'::jsonb) $$,
  'an agent granted Zed Jörg alone finds him by the prefix jor');
reset role;
-- 50 contacts the agent may not see, whose words fold to jor.. and sort before jörg.
insert into public.contacts (user_id, first_name, last_name, status)
select tests.get_supabase_uid('fold_owner'), 'Hidden', 'Jór' || chr(97 + i / 26) || chr(97 + i % 26), 'active'
from generate_series(0, 49) as i;
select tests.authenticate_as_agent('fold_owner', '20500000-0000-4000-8000-0000000000a2');
select results_eq(
  $$ select q, coalesce(jsonb_agg(s.contact_id), '[]') from unnest(array['jo', 'jor']) as q
     left join lateral public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a2', q) as s on true group by q order by q $$,
  $$ select label, answer from answers order by label $$,
  'fifty contacts the agent may not see change nothing it finds by jo or jor');

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('fold_owner');
select results_eq(
  $$ select contact_id, score from public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a1', 'soren') $$,
  $$ values ('20500000-0000-4000-8000-000000000c08'::uuid, 0.78::numeric) $$,
  'the owner searching through an agent finds Sørensen by the prefix soren');

-- ============================================================================================
-- Service
-- ============================================================================================
select tests.authenticate_as_service_role();
select is(private.search_folded_query(tests.get_supabase_uid('fold_owner'), repeat('ä é ö ü ñ ç ', 16), true), null::tsquery,
  'single letters, however many, get no other spelling: the query stays as cheap as typed');
select is(private.search_folded_query(tests.get_supabase_uid('fold_owner'), 'gomez gomez muller ozturk sorensen', false),
  ('(''sørensen'' | ''müller'' | ''öztürk'') & (''sorensen'' | ''sørensen'') & ''gomez'' & (''muller'' | ''müller'') & (''ozturk'' | ''öztürk'')')::tsquery,
  'a word is looked up once, and only the longest three get other spellings (gomez, the shortest, is looked for as typed)');
select results_eq(
  $$ select contact_id from public.search_contacts_for_agent('20500000-0000-4000-8000-0000000000a9', 'Yilmaz') $$,
  $$ values ('20500000-0000-4000-8000-000000000c09'::uuid) $$,
  'the service searching as another owner''s agent finds that owner''s Yılmaz only');

select * from finish();
rollback;
