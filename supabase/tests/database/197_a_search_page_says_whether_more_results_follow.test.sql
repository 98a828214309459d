-- A search page says whether more results follow (20251020000081): the last full page of a search
-- whose matches are a multiple of the page says none follows, the row read past the page is neither
-- returned nor counted in the access log, a first page filled by strong matches says no typo follows
-- (no page lists one), and search_contacts_for_agent keeps its arguments and its result.
begin;
select plan(14);

select tests.create_supabase_user('lookahead_owner');
insert into public.agents (id, user_id, name) values
  ('19700000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('lookahead_owner'), 'reads everything'),
  ('19700000-0000-4000-8000-0000000000a2', tests.get_supabase_uid('lookahead_owner'), 'its own token'),
  ('19700000-0000-4000-8000-0000000000a3', tests.get_supabase_uid('lookahead_owner'), 'a hundred at a time');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level)
select tests.get_supabase_uid('lookahead_owner'), a.id, 'all_contacts', 'read'
from public.agents a where a.user_id = tests.get_supabase_uid('lookahead_owner');
-- Pagella 1 to 6 (name prefixes: two pages of three); Hildegarde Vanterpool (the one strong match of
-- its query) and three look-alikes (typos); Centum 1 to 101 (a page of a hundred and one more).
insert into public.contacts (user_id, first_name, last_name)
select tests.get_supabase_uid('lookahead_owner'), 'Pagella', i::text from generate_series(1, 6) as i
union all
select tests.get_supabase_uid('lookahead_owner'), 'Hildegarde', 'Vanterpool'
union all
select tests.get_supabase_uid('lookahead_owner'), 'Hildegarde', 'Vanterpol' || chr(96 + i) from generate_series(1, 3) as i
union all
select tests.get_supabase_uid('lookahead_owner'), 'Centum', i::text from generate_series(1, 101) as i;

-- ============================================================================================
-- Service (plays the agent's platform)
-- ============================================================================================
select tests.authenticate_as_service_role();

create temporary table pages on commit drop as
select 1 as page, s.*
from private.agent_contact_search('19700000-0000-4000-8000-0000000000a1', 'pagella', null, null, 3, null, null, null, null, true)
  with ordinality as s;
insert into pages
select 2, s.*
from (select * from pages where page = 1 order by ordinality desc limit 1) as last_row,
  private.agent_contact_search('19700000-0000-4000-8000-0000000000a1', 'pagella', null, null, 3, last_row.score,
    last_row.contact_id, last_row.display_name, last_row.organization, true) with ordinality as s;

select results_eq(
  $$ select display_name, more_after from pages order by page, ordinality $$,
  $$ values ('Pagella 1', true), ('Pagella 2', true), ('Pagella 3', true),
            ('Pagella 4', true), ('Pagella 5', true), ('Pagella 6', false) $$,
  'six matches in pages of three: the first page says more follow, the last full page says none does');
select is_empty(
  $$ select 1
     from (select * from pages where page = 2 order by ordinality desc limit 1) as last_row,
       public.search_contacts_for_agent('19700000-0000-4000-8000-0000000000a1', 'pagella', result_limit => 3,
         after_score => last_row.score, after_contact_id => last_row.contact_id,
         after_display_name => last_row.display_name, after_organization => last_row.organization) $$,
  'the page after the one that said none follows is indeed empty');
select results_eq(
  $$ select result_count from public.agent_contact_access_log
     where agent_id = '19700000-0000-4000-8000-0000000000a1' order by id limit 2 $$,
  $$ values (3), (3) $$,
  'the access log counts the three contacts each page returned, not the row read past it');

select results_eq(
  $$ select display_name, match_reason, more_after
     from private.agent_contact_search('19700000-0000-4000-8000-0000000000a1', 'hildegarde vanterpool', null, null, 1,
       null, null, null, null, true) $$,
  $$ values ('Hildegarde Vanterpool', 'name_prefix', false) $$,
  'a first page filled by its strong matches says no result follows though typos exist');
select is_empty(
  $$ select 1
     from private.agent_contact_search('19700000-0000-4000-8000-0000000000a1', 'hildegarde vanterpool', null, null, 1,
       null, null, null, null, true) as f,
       public.search_contacts_for_agent('19700000-0000-4000-8000-0000000000a1', 'hildegarde vanterpool', result_limit => 1,
         after_score => f.score, after_contact_id => f.contact_id, after_display_name => f.display_name,
         after_organization => f.organization) $$,
  'and no page lists those typos after it');
select results_eq(
  $$ select match_reason, more_after
     from private.agent_contact_search('19700000-0000-4000-8000-0000000000a1', 'hildegarde vanterpool', null, null, 2,
       null, null, null, null, true) $$,
  $$ values ('name_prefix', true), ('trigram', true) $$,
  'a first page its strong matches do not fill lists a typo and says the other typos follow');

select results_eq(
  $$ select count(*), bool_and(more_after) filter (where ordinality = 100)
     from private.agent_contact_search('19700000-0000-4000-8000-0000000000a3', 'centum', null, null, 100,
       null, null, null, null, true) with ordinality $$,
  $$ values (100::bigint, true) $$,
  'a page of the largest size, 100, returns 100 rows and says the 101st follows');
select results_eq(
  $$ select result_count from public.agent_contact_access_log where agent_id = '19700000-0000-4000-8000-0000000000a3' $$,
  $$ values (100) $$,
  'and the access log counts the 100 rows returned');

select results_eq(
  $$ select pg_get_function_arguments('public.search_contacts_for_agent'::regproc),
            pg_get_function_result('public.search_contacts_for_agent'::regproc) $$,
  $$ values ('agent_id uuid, query text, channel_types text[] DEFAULT NULL::text[], group_id uuid DEFAULT NULL::uuid, '
             || 'result_limit integer DEFAULT 20, after_score numeric DEFAULT NULL::numeric, after_contact_id uuid DEFAULT NULL::uuid, '
             || 'after_display_name text DEFAULT NULL::text, after_organization text DEFAULT NULL::text',
             'TABLE(contact_id uuid, display_name text, organization text, channels jsonb, score numeric, match_reason text)') $$,
  'search_contacts_for_agent keeps its arguments and its six result columns: calls written for it work as before');
select results_eq(
  $$ select count(*) from public.search_contacts_for_agent('19700000-0000-4000-8000-0000000000a3', 'centum', result_limit => 100) $$,
  $$ values (100::bigint) $$,
  'search_contacts_for_agent still returns a full page of 100');

-- ============================================================================================
-- Agent tokens
-- ============================================================================================
select tests.authenticate_as_agent('lookahead_owner', '19700000-0000-4000-8000-0000000000a2');
select results_eq(
  $$ select string_agg(more_after::text, ', ' order by ordinality)
     from private.agent_contact_search('19700000-0000-4000-8000-0000000000a2', 'pagella', null, null, 6,
       null, null, null, null, true) with ordinality $$,
  $$ values ('true, true, true, true, true, false') $$,
  'an agent token gets its six matches in one page of six, the last saying none follows');
select throws_ok(
  $$ select * from private.agent_contact_search('19700000-0000-4000-8000-0000000000a1', 'pagella', null, null, 3,
       null, null, null, null, true) $$,
  'P0002', 'agent not found',
  'an agent token cannot search as another agent of its owner through the look-ahead either');

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('lookahead_owner');
select results_eq(
  $$ select caller, result_count from public.agent_contact_access_log
     where agent_id = '19700000-0000-4000-8000-0000000000a2' $$,
  $$ values ('agent'::text, 6) $$,
  'the owner sees the agent''s search logged once, with the six contacts it returned');

-- ============================================================================================
-- Anonymous
-- ============================================================================================
select tests.clear_authentication();
select throws_ok(
  $$ select * from private.agent_contact_search('19700000-0000-4000-8000-0000000000a1', 'pagella', null, null, 3,
       null, null, null, null, true) $$,
  '42501', 'permission denied for schema private',
  'anon cannot call the look-ahead search');

select * from finish();
rollback;
