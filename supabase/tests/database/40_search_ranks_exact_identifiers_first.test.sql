begin;
select plan(47);

-- search_contacts_for_agent: ranking and match_reason (exact identifier 1.0 > phone suffix 0.95 >
-- name prefix 0.85..0.95 > full text 0.5..0.8 / trigram up to 0.8), keyset paging, argument bounds,
-- LIKE metacharacters as plain text, and archived / anonymized contacts left out.

-- ============================================================================================
-- Setup (superuser): one owner with an all-contacts agent, another owner holding look-alikes.
-- Fixed ids (c040... contacts, a040... agents) keep expectations and tie-breaks readable.
-- ============================================================================================
select tests.create_supabase_user('search_owner');
select tests.create_supabase_user('search_other_owner');

insert into public.agents (id, user_id, name) values
  ('a0400000-0000-4000-8000-000000000001', tests.get_supabase_uid('search_owner'), 'finder'),
  ('a0400000-0000-4000-8000-000000000002', tests.get_supabase_uid('search_other_owner'), 'other finder');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type) values
  (tests.get_supabase_uid('search_owner'), 'a0400000-0000-4000-8000-000000000001', 'all_contacts'),
  (tests.get_supabase_uid('search_other_owner'), 'a0400000-0000-4000-8000-000000000002', 'all_contacts');

insert into public.contacts (id, user_id, display_name, organization, job_title, status) values
  ('c0400000-0000-4000-8000-000000000001', tests.get_supabase_uid('search_owner'), 'Ada Lovelace', 'Analytical Engines', 'Mathematician', 'active'),
  ('c0400000-0000-4000-8000-000000000002', tests.get_supabase_uid('search_owner'), 'Adam Smith', null, null, 'active'),
  ('c0400000-0000-4000-8000-000000000003', tests.get_supabase_uid('search_owner'), 'Grace Hopper', 'Navy', null, 'active'),
  ('c0400000-0000-4000-8000-000000000004', tests.get_supabase_uid('search_owner'), 'Alan Turing', null, 'Cryptographer', 'active'),
  ('c0400000-0000-4000-8000-000000000005', tests.get_supabase_uid('search_owner'), 'Telegram Fan', null, null, 'active'),
  ('c0400000-0000-4000-8000-000000000006', tests.get_supabase_uid('search_owner'), 'Choir Director', null, 'Amazing Grace Soloist', 'active'),
  ('c0400000-0000-4000-8000-000000000007', tests.get_supabase_uid('search_owner'), '100% Real_Name', null, null, 'active'),
  ('c0400000-0000-4000-8000-000000000008', tests.get_supabase_uid('search_owner'), 'RealXName Ltd', null, null, 'active'),
  ('c0400000-0000-4000-8000-000000000009', tests.get_supabase_uid('search_owner'), 'O''Brien & Sons', null, null, 'active'),
  ('c0400000-0000-4000-8000-000000000010', tests.get_supabase_uid('search_owner'), 'Ada Archived', null, null, 'archived'),
  ('c0400000-0000-4000-8000-000000000011', tests.get_supabase_uid('search_owner'), 'Ada Forgotten', null, null, 'anonymized'),
  -- Six contacts for paging: three tie at one name-prefix score, two at a lower one (a longer name
  -- is less similar to the query), and a word match ranks below them all. Pages of two cut ties.
  ('c0400000-0000-4000-8000-000000000021', tests.get_supabase_uid('search_owner'), 'Pager Pat', null, null, 'active'),
  ('c0400000-0000-4000-8000-000000000022', tests.get_supabase_uid('search_owner'), 'Pager Pat', null, null, 'active'),
  ('c0400000-0000-4000-8000-000000000023', tests.get_supabase_uid('search_owner'), 'Pager Pat', null, null, 'active'),
  ('c0400000-0000-4000-8000-000000000024', tests.get_supabase_uid('search_owner'), 'Pager Patricia', null, null, 'active'),
  ('c0400000-0000-4000-8000-000000000025', tests.get_supabase_uid('search_owner'), 'Pager Patricia', null, null, 'active'),
  ('c0400000-0000-4000-8000-000000000026', tests.get_supabase_uid('search_owner'), 'Zed Pagerson', null, null, 'active'),
  -- The other owner's twin of Ada, with the same e-mail address.
  ('c0400000-0000-4000-8000-000000000099', tests.get_supabase_uid('search_other_owner'), 'Ada Lovelace', 'Analytical Engines', null, 'active');

insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('search_owner'), 'c0400000-0000-4000-8000-000000000001', 'email', 'Ada.Lovelace@Example.com'),
  (tests.get_supabase_uid('search_owner'), 'c0400000-0000-4000-8000-000000000001', 'phone', '+44 20 7946 0018'),
  (tests.get_supabase_uid('search_owner'), 'c0400000-0000-4000-8000-000000000003', 'phone', '+1 (415) 555-0100'),
  (tests.get_supabase_uid('search_owner'), 'c0400000-0000-4000-8000-000000000005', 'telegram', 'Grace'),
  (tests.get_supabase_uid('search_owner'), 'c0400000-0000-4000-8000-000000000010', 'email', 'archived.ada@example.com'),
  (tests.get_supabase_uid('search_owner'), 'c0400000-0000-4000-8000-000000000011', 'email', 'forgotten.ada@example.com'),
  (tests.get_supabase_uid('search_other_owner'), 'c0400000-0000-4000-8000-000000000099', 'email', 'ada.lovelace@example.com');

-- Pages of the paging test, filled by the searching persona.
create temporary table search_pages (page integer, pos bigint, contact_id uuid, score numeric);
grant all on table search_pages to public;

-- ============================================================================================
-- Owner: exact identifiers first
-- ============================================================================================
select tests.authenticate_as('search_owner');

select results_eq(
  $$ select contact_id, match_reason, score from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'ADA.LOVELACE@EXAMPLE.COM') $$,
  $$ values ('c0400000-0000-4000-8000-000000000001'::uuid, 'exact_identifier', 1.0::numeric) $$,
  'an e-mail typed in upper case finds only the owner''s contact, as exact_identifier with score 1.0'
);

select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', '  ada.lovelace@example.com ') $$,
  $$ values ('c0400000-0000-4000-8000-000000000001'::uuid, 'exact_identifier') $$,
  'an e-mail with surrounding spaces is an exact identifier match'
);

select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', '+442079460018') $$,
  $$ values ('c0400000-0000-4000-8000-000000000001'::uuid, 'exact_identifier') $$,
  'a phone number in E.164 is an exact identifier match'
);

select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', '+44 20 7946 0018') $$,
  $$ values ('c0400000-0000-4000-8000-000000000001'::uuid, 'exact_identifier') $$,
  'a phone number in E.164 written with spaces is an exact identifier match'
);

select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', '+1 415-555-0100') $$,
  $$ values ('c0400000-0000-4000-8000-000000000003'::uuid, 'exact_identifier') $$,
  'a phone number with country code, spaces and dashes is an exact identifier match'
);

select results_eq(
  $$ select contact_id, match_reason, score from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', '020 7946 0018') $$,
  $$ values ('c0400000-0000-4000-8000-000000000001'::uuid, 'phone_suffix', 0.95::numeric) $$,
  'a UK national number (020 7946 0018) matches +442079460018 as phone_suffix with score 0.95'
);

select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', '(415) 555-0100') $$,
  $$ values ('c0400000-0000-4000-8000-000000000003'::uuid, 'phone_suffix') $$,
  'a US national number ((415) 555-0100) matches +14155550100 as phone_suffix'
);

select is_empty(
  $$ select 1 from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', '555-01') $$,
  'fewer than seven digits are not treated as a phone number'
);

-- ============================================================================================
-- Owner: names, full text, typos, and the order between reasons
-- ============================================================================================
select set_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'ada') $$,
  $$ values ('c0400000-0000-4000-8000-000000000001'::uuid, 'name_prefix'),
            ('c0400000-0000-4000-8000-000000000002'::uuid, 'name_prefix') $$,
  'a name prefix finds the active contacts whose display name starts with it, as name_prefix'
);

select ok(
  (select bool_and(score >= 0.85 and score < 0.95)
   from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'ada')),
  'a partial name prefix scores in the name-prefix band, from 0.85 up to (not including) 0.95'
);

select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'cryptograph') $$,
  $$ values ('c0400000-0000-4000-8000-000000000004'::uuid, 'full_text') $$,
  'a word prefix of the job title is a full_text match'
);

select ok(
  (select bool_and(score > 0.5 and score <= 0.8)
   from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'cryptograph')),
  'a full_text score lies between 0.5 and 0.8, below every name prefix'
);

select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'Grace Hoper') limit 1 $$,
  $$ values ('c0400000-0000-4000-8000-000000000003'::uuid, 'trigram') $$,
  'a misspelt name (Grace Hoper) still finds Grace Hopper first, as a trigram match'
);

select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'Grace Hopprr') limit 1 $$,
  $$ values ('c0400000-0000-4000-8000-000000000003'::uuid, 'trigram') $$,
  'a misspelt surname (Hopprr) still finds Grace Hopper first'
);

select ok(
  (select bool_and(score > 0 and score <= 0.8)
   from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'Grace Hoper')
   where match_reason = 'trigram'),
  'a trigram score is at most 0.8, below every name prefix'
);

select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'grace') $$,
  $$ values ('c0400000-0000-4000-8000-000000000005'::uuid, 'exact_identifier'),
            ('c0400000-0000-4000-8000-000000000003'::uuid, 'name_prefix'),
            ('c0400000-0000-4000-8000-000000000006'::uuid, 'full_text') $$,
  'one query matching three ways ranks the exact handle first, then the name prefix, then the job-title word'
);

select results_eq(
  $$ select match_reason, score from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'Ada Lovelace')
     where contact_id = 'c0400000-0000-4000-8000-000000000001' $$,
  $$ values ('name_prefix', 0.92::numeric) $$,
  'a full name typed exactly is returned once, as name_prefix of whole words (0.92)'
);

select results_eq(
  $$ select jsonb_array_length(channels) from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'ada lovelace') $$,
  $$ values (2) $$,
  'a result carries the contact''s channels'
);

-- ============================================================================================
-- Owner: keyset paging over (score desc, contact_id)
-- ============================================================================================
insert into search_pages
select 1, s.pos, s.contact_id, s.score
from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'pager', result_limit => 2)
  with ordinality as s (contact_id, display_name, organization, channels, score, match_reason, pos);

insert into search_pages
select 2, s.pos, s.contact_id, s.score
from (select * from search_pages where page = 1 order by pos desc limit 1) as last_row,
  public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'pager', result_limit => 2,
    after_score => last_row.score, after_contact_id => last_row.contact_id)
  with ordinality as s (contact_id, display_name, organization, channels, score, match_reason, pos);

insert into search_pages
select 3, s.pos, s.contact_id, s.score
from (select * from search_pages where page = 2 order by pos desc limit 1) as last_row,
  public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'pager', result_limit => 2,
    after_score => last_row.score, after_contact_id => last_row.contact_id)
  with ordinality as s (contact_id, display_name, organization, channels, score, match_reason, pos);

select results_eq(
  $$ select contact_id from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'pager') $$,
  $$ values ('c0400000-0000-4000-8000-000000000021'::uuid), ('c0400000-0000-4000-8000-000000000022'::uuid),
            ('c0400000-0000-4000-8000-000000000023'::uuid), ('c0400000-0000-4000-8000-000000000024'::uuid),
            ('c0400000-0000-4000-8000-000000000025'::uuid), ('c0400000-0000-4000-8000-000000000026'::uuid) $$,
  'results are ordered by score, then by name, then by contact id among equal names'
);

select results_eq(
  $$ select count(distinct score) from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'pager') $$,
  $$ values (2::bigint) $$,
  'the six paging matches fall on two scores (five name prefixes, one word prefix), so pages of two cut through ties'
);

select results_eq(
  $$ select page, count(*) from search_pages group by page order by page $$,
  $$ values (1, 2::bigint), (2, 2::bigint), (3, 2::bigint) $$,
  'three pages of two hold the six matches'
);

select results_eq(
  $$ select contact_id from search_pages order by page, pos $$,
  $$ select contact_id from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'pager', result_limit => 100) $$,
  'the pages, one after the other, are the full result in order: no overlap and no gap'
);

select is_empty(
  $$ select 1
     from (select * from search_pages where page = 3 order by pos desc limit 1) as last_row,
       public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'pager', result_limit => 2,
         after_score => last_row.score, after_contact_id => last_row.contact_id) $$,
  'the page after the last one is empty'
);

delete from public.contacts where id = 'c0400000-0000-4000-8000-000000000026';
select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'pager', result_limit => 2,
       after_score => 0.8, after_contact_id => 'c0400000-0000-4000-8000-000000000026') $$,
  '22023', 'the cursor''s contact no longer exists: start the search again',
  'a cursor whose contact was deleted since is refused rather than skipping or repeating rows'
);

select results_eq(
  $$ select count(*) from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'pager', result_limit => 1) $$,
  $$ values (1::bigint) $$,
  'result_limit caps the number of rows returned'
);

-- ============================================================================================
-- Owner: argument bounds
-- ============================================================================================
select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'ada', result_limit => 0) $$,
  '22023', 'result_limit must be between 1 and 100',
  'a result_limit of 0 is rejected'
);

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'ada', result_limit => 101) $$,
  '22023', 'result_limit must be between 1 and 100',
  'a result_limit of 101 is rejected'
);

select lives_ok(
  $$ select * from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'ada', result_limit => 100) $$,
  'a result_limit of 100 is accepted'
);

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', '') $$,
  '22023', 'query must be 1 to 200 characters',
  'an empty query is rejected'
);

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', '   ') $$,
  '22023', 'query must be 1 to 200 characters',
  'a query of only spaces is rejected'
);

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', null) $$,
  '22023', 'query must be 1 to 200 characters',
  'a null query is rejected'
);

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', repeat('a', 201)) $$,
  '22023', 'query must be 1 to 200 characters',
  'a query of 201 characters is rejected'
);

select lives_ok(
  $$ select * from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', repeat('a', 200)) $$,
  'a query of 200 characters is accepted'
);

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'ada', after_score => 0.9) $$,
  '22023', 'a cursor needs both after_score and after_contact_id',
  'a cursor with a score but no contact id is rejected'
);

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'ada', channel_types => array['pigeon']) $$,
  '22023', 'unknown channel type in channel_types',
  'an unknown channel type in the filter is rejected'
);

-- ============================================================================================
-- Owner: LIKE metacharacters and quotes are plain text
-- ============================================================================================
select is_empty(
  $$ select 1 from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', '%') $$,
  'a query of % matches nothing instead of everything'
);

select is_empty(
  $$ select 1 from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', '_') $$,
  'a query of _ matches nothing instead of every one-letter prefix'
);

select is_empty(
  $$ select 1 from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', '\') $$,
  'a query of a lone backslash matches nothing and raises no error'
);

select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', '100%') $$,
  $$ values ('c0400000-0000-4000-8000-000000000007'::uuid, 'name_prefix') $$,
  'a % inside the query matches a literal % in the name'
);

select is_empty(
  $$ select 1 from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'real_name')
     where contact_id = 'c0400000-0000-4000-8000-000000000008' and match_reason = 'name_prefix' $$,
  'an _ in the query is not a wildcard: real_name is no name prefix of RealXName Ltd'
);

select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'o''brien') $$,
  $$ values ('c0400000-0000-4000-8000-000000000009'::uuid, 'name_prefix') $$,
  'a quote in the query is plain text: o''brien finds O''Brien & Sons by name prefix'
);

select lives_ok(
  $$ select * from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', $q$'); drop table public.contacts; --$q$) $$,
  'a query that looks like SQL is only text'
);

select has_table('public', 'contacts', 'the contacts table is still there after the SQL-looking query');

-- ============================================================================================
-- Owner: archived and anonymized contacts are not returned
-- ============================================================================================
select is_empty(
  $$ select 1 from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'archived.ada@example.com') $$,
  'an archived contact is not found even by its exact e-mail'
);

select is_empty(
  $$ select 1 from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'forgotten.ada@example.com') $$,
  'an anonymized contact is not found even by an exact e-mail'
);

select is_empty(
  $$ select 1 from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000001', 'ada')
     where contact_id in ('c0400000-0000-4000-8000-000000000010', 'c0400000-0000-4000-8000-000000000011') $$,
  'archived and anonymized contacts are left out of name searches'
);

-- ============================================================================================
-- Other owner: same e-mail, own results only
-- ============================================================================================
select tests.authenticate_as('search_other_owner');

select results_eq(
  $$ select contact_id from public.search_contacts_for_agent('a0400000-0000-4000-8000-000000000002', 'ada.lovelace@example.com') $$,
  $$ values ('c0400000-0000-4000-8000-000000000099'::uuid) $$,
  'the other owner searching the same e-mail finds only their own contact'
);

select * from finish();
rollback;
