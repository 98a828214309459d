-- What an agent's search lists depends only on the contacts it may see (20251020000010): typo
-- matches pad a page when fewer than a page of its visible contacts match strongly, so a hidden
-- contact with the name searched for changes nothing, on the first page or after a cursor. A query
-- ending in the last code point before the surrogates, or the last of all, is answered.
begin;
select plan(5);

select tests.create_supabase_user('oracle_owner');
insert into public.contacts (id, user_id, first_name, last_name) values
  ('13500000-0000-4000-8000-000000000001', tests.get_supabase_uid('oracle_owner'), 'Margarethe', 'Vandenbroak'),
  ('13500000-0000-4000-8000-000000000002', tests.get_supabase_uid('oracle_owner'), 'Margarethe', 'Vandenbroel'),
  ('13500000-0000-4000-8000-000000000003', tests.get_supabase_uid('oracle_owner'), 'Margarethe', 'Vandenbroek');
insert into public.agents (id, user_id, name) values
  ('13500000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('oracle_owner'), 'prober'),
  ('13500000-0000-4000-8000-0000000000b2', tests.get_supabase_uid('oracle_owner'), 'all contacts');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('oracle_owner'), '13500000-0000-4000-8000-0000000000b2', 'all_contacts', 'read');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type, permission_level) values
  ('13500000-0000-4000-8000-0000000000c1', tests.get_supabase_uid('oracle_owner'), '13500000-0000-4000-8000-0000000000b1',
   'specific_contacts', 'write');
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('oracle_owner'), '13500000-0000-4000-8000-0000000000c1', '13500000-0000-4000-8000-0000000000b1',
   '13500000-0000-4000-8000-000000000001'),
  (tests.get_supabase_uid('oracle_owner'), '13500000-0000-4000-8000-0000000000c1', '13500000-0000-4000-8000-0000000000b1',
   '13500000-0000-4000-8000-000000000002');

-- Agent (sees the first two; the third, with the very name searched for, is hidden)
select tests.authenticate_as_agent('oracle_owner', '13500000-0000-4000-8000-0000000000b1');
select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('13500000-0000-4000-8000-0000000000b1',
       'margarethe vandenbroek', result_limit => 1) $$,
  $$ values ('13500000-0000-4000-8000-000000000002'::uuid, 'trigram') $$,
  'the agent''s page is padded with a look-alike it may see, though a hidden contact has the name exactly');
select results_eq(
  $$ select p.contact_id, p.match_reason
     from public.search_contacts_for_agent('13500000-0000-4000-8000-0000000000b1', 'margarethe vandenbroek', result_limit => 1) as f,
       public.search_contacts_for_agent('13500000-0000-4000-8000-0000000000b1', 'margarethe vandenbroek', result_limit => 1,
         after_score => f.score, after_contact_id => f.contact_id) as p $$,
  $$ values ('13500000-0000-4000-8000-000000000001'::uuid, 'trigram') $$,
  'after the cursor too, the next look-alike follows');
reset role;

-- Owner: the same search through an agent that sees every contact finds the name itself
select tests.authenticate_as('oracle_owner');
select results_eq(
  $$ select contact_id from public.search_contacts_for_agent('13500000-0000-4000-8000-0000000000b2',
       'margarethe vandenbroek', result_limit => 1) $$,
  $$ values ('13500000-0000-4000-8000-000000000003'::uuid) $$,
  'an agent that sees every contact gets the exact name, not a look-alike');
select lives_ok(
  $$ select * from public.search_contacts_for_agent('13500000-0000-4000-8000-0000000000b2', 'ada' || chr(55295)) $$,
  'a query ending in U+D7FF is answered');
select lives_ok(
  $$ select * from public.search_contacts_for_agent('13500000-0000-4000-8000-0000000000b2', 'ada' || chr(1114111)) $$,
  'a query ending in U+10FFFF is answered');
reset role;

select * from finish();
rollback;
