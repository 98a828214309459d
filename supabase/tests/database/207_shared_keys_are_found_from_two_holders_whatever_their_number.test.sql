-- A name block or external id is a shared key of its owner (private.duplicate_keys) while two or
-- more of the owner's contacts hold it. The statement triggers ask private.shared_contact_keys,
-- which read every holder of each key the statement wrote (20251014000002): an import of a file
-- whose names repeat read the whole crowd of namesakes at every batch. It now stops at the second
-- holder (20251020000095); the keys found are the same.
begin;
select plan(9);

-- ============================================================================================
-- Setup (superuser)
--   owner:    300 contacts "Ada Lovelace" at Acme (one name block), one "Grace Hopper" at Navy,
--             two external ids ' CRM-7 ' and 'crm-7' (one key), one 'crm-8'
--   stranger: one 'crm-8'
-- ============================================================================================
select tests.create_supabase_user('keys207_owner');
select tests.create_supabase_user('keys207_stranger');
insert into public.contacts (user_id, first_name, last_name, organization)
select tests.get_supabase_uid('keys207_owner'), 'Ada', 'Lovelace', 'Acme' from generate_series(1, 300);
insert into public.contacts (id, user_id, first_name, last_name, organization) values
  ('d2070000-0000-4000-8000-000000000001', tests.get_supabase_uid('keys207_owner'), 'Grace', 'Hopper', 'Navy');
insert into public.contacts (id, user_id, display_name, external_id) values
  ('d2070000-0000-4000-8000-000000000011', tests.get_supabase_uid('keys207_owner'), 'Seven', ' CRM-7 '),
  ('d2070000-0000-4000-8000-000000000012', tests.get_supabase_uid('keys207_owner'), 'Seven Again', 'crm-7'),
  ('d2070000-0000-4000-8000-000000000013', tests.get_supabase_uid('keys207_owner'), 'Eight', 'crm-8'),
  ('d2070000-0000-4000-8000-000000000021', tests.get_supabase_uid('keys207_stranger'), 'Stranger''s Eight', 'crm-8');

create temporary table blocks as
select (select c.name_block from public.contacts c
        where c.user_id = tests.get_supabase_uid('keys207_owner') and c.last_name = 'Lovelace' limit 1) as ada,
       (select c.name_block from public.contacts c where c.id = 'd2070000-0000-4000-8000-000000000001') as grace;

create function pg_temp.owner_keys(owner_name text)
returns setof text
language sql
as $$
  select d.kind || ':' || d.match_key from private.duplicate_keys d
  where d.user_id = tests.get_supabase_uid(owner_name) order by 1
$$;

-- Index entries this transaction has read from the contacts' indexes so far.
create function pg_temp.contact_index_entries_read()
returns bigint
language sql
as $$
  select sum(pg_stat_get_xact_tuples_returned(i.indexrelid))::bigint
  from pg_catalog.pg_index i where i.indrelid = 'public.contacts'::regclass
$$;

-- ============================================================================================
-- The shared keys the triggers kept
-- ============================================================================================
select results_eq(
  $$ select * from pg_temp.owner_keys('keys207_owner') $$,
  $$ select k from (values ('external_id:crm-7'), ('name:' || (select ada from blocks))) as v (k) order by 1 $$,
  'the owner''s 300 namesakes are one shared name block, the two spellings of crm-7 one shared external id; Grace and crm-8 are held once');
select is_empty(
  $$ select * from pg_temp.owner_keys('keys207_stranger') $$,
  'the stranger''s crm-8 is no shared key of theirs: the owner''s crm-8 is another owner''s');

-- ============================================================================================
-- What a statement's key costs
-- ============================================================================================
create temporary table entries_before as select pg_temp.contact_index_entries_read() as n;
create temporary table answer as
select * from private.shared_contact_keys(array[tests.get_supabase_uid('keys207_owner')], array[(select ada from blocks)], null);
-- Two entries of the block, and the owner's three external ids, which the external-id count
-- (unchanged: ids are rarely shared) scans by owner.
select cmp_ok(pg_temp.contact_index_entries_read() - (select n from entries_before), '<=', 5::bigint,
  'asking whether the name block of 300 contacts is shared reads two of its index entries, not the 300 holders');
select results_eq(
  $$ select kind, match_key from answer $$,
  $$ values ('name'::text, (select ada from blocks)::text) $$,
  'and the answer is that it is shared');

-- ============================================================================================
-- Keys come and go with their second holder
-- ============================================================================================
insert into public.contacts (id, user_id, first_name, last_name, organization) values
  ('d2070000-0000-4000-8000-000000000002', tests.get_supabase_uid('keys207_owner'), 'Grace', 'Hopper', 'Navy');
select ok('name:' || (select grace from blocks) in (select * from pg_temp.owner_keys('keys207_owner')),
  'a second Grace Hopper at Navy makes her name block a shared key');
delete from public.contacts where id = 'd2070000-0000-4000-8000-000000000002';
select ok('name:' || (select grace from blocks) not in (select * from pg_temp.owner_keys('keys207_owner')),
  'deleting one of the two leaves the key held once, and it is no longer shared');
delete from public.contacts c
where c.id in (select x.id from public.contacts x
               where x.user_id = tests.get_supabase_uid('keys207_owner') and x.last_name = 'Lovelace' limit 299);
select ok('name:' || (select ada from blocks) not in (select * from pg_temp.owner_keys('keys207_owner')),
  'deleting 299 of the 300 namesakes in one statement leaves their block unshared');

-- ============================================================================================
-- One statement writing for two owners (the service)
-- ============================================================================================
insert into public.contacts (user_id, first_name, last_name, organization, external_id) values
  (tests.get_supabase_uid('keys207_owner'), 'Ada', 'Lovelace', 'Acme', null),
  (tests.get_supabase_uid('keys207_stranger'), 'Ada', 'Lovelace', 'Acme', 'crm-9');
select ok('name:' || (select ada from blocks) in (select * from pg_temp.owner_keys('keys207_owner')),
  'a statement writing for two owners finds the owner''s block shared again, held by two of theirs');
select is_empty(
  $$ select * from pg_temp.owner_keys('keys207_stranger') $$,
  'and gives the stranger, who holds that block and crm-9 once, no shared key');

select * from finish();
rollback;
