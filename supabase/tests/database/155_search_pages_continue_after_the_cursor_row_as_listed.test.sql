-- A search page continues after the cursor's row as it was listed (20251020000030-32): renaming
-- that contact, changing its organization or deleting it between two pages neither skips nor
-- repeats results, and typos listed on the first page go on after a strong match is added.
begin;
select plan(9);

select tests.create_supabase_user('pager_owner');
insert into public.agents (id, user_id, name) values
  ('15500000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('pager_owner'), 'reads everything');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('pager_owner'), '15500000-0000-4000-8000-0000000000a1', 'all_contacts', 'read');
-- Pagella 1 to 6 (name prefixes); Quillmark Ltd staff (organization matches); Hildegarde Vanterpool
-- (the one strong match of its query) and six look-alikes of it.
insert into public.contacts (id, user_id, first_name, last_name, organization)
select ('15500000-0000-4000-8000-00000000000' || i)::uuid, tests.get_supabase_uid('pager_owner'), 'Pagella', i::text, null
from generate_series(1, 6) as i
union all
select ('15500000-0000-4000-8000-00000000001' || i)::uuid, tests.get_supabase_uid('pager_owner'), 'Staff', i::text, 'Quillmark Ltd'
from generate_series(1, 6) as i
union all
select '15500000-0000-4000-8000-000000000021', tests.get_supabase_uid('pager_owner'), 'Hildegarde', 'Vanterpool', null
union all
select ('15500000-0000-4000-8000-00000000003' || i)::uuid, tests.get_supabase_uid('pager_owner'), 'Hildegarde', 'Vanterpol' || chr(96 + i), null
from generate_series(1, 6) as i;

-- Service (plays the agent's platform)
select tests.authenticate_as_service_role();

-- The pages of a search: page 1, then page 2 after page 1's last row as it was listed.
create temporary table first_pages on commit drop as
select q.query, f.*, row_number() over (partition by q.query order by f.score desc, lower(f.display_name) collate "C", f.contact_id) as n
from (values ('pagella'), ('quillmark'), ('hildegarde vanterpool')) as q (query)
cross join lateral public.search_contacts_for_agent('15500000-0000-4000-8000-0000000000a1', q.query, result_limit => 3) as f;
create function pg_temp.second_page(query text)
returns setof uuid language sql as $$
  select p.contact_id
  from first_pages f
  cross join lateral public.search_contacts_for_agent('15500000-0000-4000-8000-0000000000a1', f.query, result_limit => 3,
    after_score => f.score, after_contact_id => f.contact_id, after_display_name => f.display_name,
    after_organization => f.organization) as p
  where f.query = second_page.query and f.n = 3
$$;

select results_eq(
  $$ select contact_id from first_pages where query = 'pagella' order by n $$,
  $$ values ('15500000-0000-4000-8000-000000000001'::uuid), ('15500000-0000-4000-8000-000000000002'), ('15500000-0000-4000-8000-000000000003') $$,
  'the first page lists Pagella 1 to 3');
update public.contacts set last_name = '9' where id = '15500000-0000-4000-8000-000000000003';
select results_eq(
  $$ select * from pg_temp.second_page('pagella') $$,
  $$ values ('15500000-0000-4000-8000-000000000004'::uuid), ('15500000-0000-4000-8000-000000000005'), ('15500000-0000-4000-8000-000000000006') $$,
  'the last row renamed past the rest: the next page still lists Pagella 4 to 6');
update public.contacts set last_name = '0' where id = '15500000-0000-4000-8000-000000000003';
select results_eq(
  $$ select * from pg_temp.second_page('pagella') $$,
  $$ values ('15500000-0000-4000-8000-000000000004'::uuid), ('15500000-0000-4000-8000-000000000005'), ('15500000-0000-4000-8000-000000000006') $$,
  'the last row renamed before the page: nothing is listed twice');
delete from public.contacts where id = '15500000-0000-4000-8000-000000000003';
select results_eq(
  $$ select * from pg_temp.second_page('pagella') $$,
  $$ values ('15500000-0000-4000-8000-000000000004'::uuid), ('15500000-0000-4000-8000-000000000005'), ('15500000-0000-4000-8000-000000000006') $$,
  'the last row deleted: the paging goes on');

update public.contacts set organization = 'Zymurgy Inc' where id = '15500000-0000-4000-8000-000000000013';
select results_eq(
  $$ select * from pg_temp.second_page('quillmark') $$,
  $$ values ('15500000-0000-4000-8000-000000000014'::uuid), ('15500000-0000-4000-8000-000000000015'), ('15500000-0000-4000-8000-000000000016') $$,
  'the last organization match moved to another organization: the next page still lists staff 4 to 6');

select results_eq(
  $$ select match_reason, count(*)::integer from first_pages where query = 'hildegarde vanterpool' group by 1 order by 1 $$,
  $$ values ('name_prefix', 1), ('trigram', 2) $$,
  'one strong match: the first page is padded with look-alikes');
insert into public.contacts (user_id, first_name, last_name)
select tests.get_supabase_uid('pager_owner'), 'Hildegarde', 'Vanterpool'
from generate_series(1, 3);
select results_eq(
  $$ select count(*)::integer from pg_temp.second_page('hildegarde vanterpool') $$,
  $$ values (3) $$,
  'three strong matches added since: the next page still goes on with look-alikes');

select throws_ok(
  $$ select * from public.search_contacts_for_agent('15500000-0000-4000-8000-0000000000a1', 'pagella', after_display_name => 'Pagella 3') $$,
  '22023', 'after_display_name and after_organization belong to a cursor: pass after_score and after_contact_id too',
  'the names of a cursor''s row without its score and id are refused');
-- A cursor without its row's names (a caller of before) reads them from its contact, which must exist.
select throws_ok(
  $$ select * from public.search_contacts_for_agent('15500000-0000-4000-8000-0000000000a1', 'pagella',
       after_score => 0.9, after_contact_id => '15500000-0000-4000-8000-000000000003') $$,
  '22023', 'the cursor''s contact no longer exists: start the search again',
  'a cursor without its row''s names, whose contact was deleted, asks to start again');
reset role;

select * from finish();
rollback;
