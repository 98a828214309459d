-- The statement triggers ask private.shared_contact_keys which of the keys a statement wrote are
-- held twice. A statement that wrote no external id passed a null array, and the external-id count
-- still ran: through the match index a null key reads nothing, but once that index has swollen
-- (built here as pgTAP 102 builds it) the generic plan walks the owner's contacts instead. The
-- count now runs only for the external ids given (20251020000100).
begin;
select plan(5);

-- ============================================================================================
-- Setup (superuser)
--   owner: 50 contacts "Ada Lovelace" at Acme (one name block), two holding the external id crm-1;
--   5,000 contacts with external ids of another owner, deleted
-- ============================================================================================
select tests.create_supabase_user('keys211_owner');
insert into public.contacts (user_id, first_name, last_name, organization)
select tests.get_supabase_uid('keys211_owner'), 'Ada', 'Lovelace', 'Acme' from generate_series(1, 50);
insert into public.contacts (user_id, display_name, external_id) values
  (tests.get_supabase_uid('keys211_owner'), 'One', 'crm-1'),
  (tests.get_supabase_uid('keys211_owner'), 'One Again', ' CRM-1 ');

-- The state in which a plan of the count walked the owner's contacts: many contacts with external
-- ids deleted, the match index keeping their pages (as pgTAP 102 builds it).
select tests.create_supabase_user('keys211_deleted_many');
insert into public.contacts (user_id, external_id, display_name)
select tests.get_supabase_uid('keys211_deleted_many'), 'gone-' || n, 'Gone ' || n from generate_series(1, 5000) n;
delete from public.contacts c where c.user_id = tests.get_supabase_uid('keys211_deleted_many');
analyze public.contacts;

create temporary table ada as
select c.name_block as block from public.contacts c
where c.user_id = tests.get_supabase_uid('keys211_owner') and c.last_name = 'Lovelace' limit 1;

-- Scans this transaction has started on the contacts' indexes, whichever the plans chose.
create function pg_temp.contact_index_scans()
returns bigint
language sql
as $$
  select sum(pg_stat_get_xact_numscans(i.indexrelid))::bigint
  from pg_catalog.pg_index i
  where i.indrelid = 'public.contacts'::regclass
$$;

-- ============================================================================================
-- No external id, no count
-- ============================================================================================
-- A statement that wrote no name block either (every block is a probe of its own).
create temporary table scans_before as select pg_temp.contact_index_scans() as n;
create temporary table answer_without_keys as
select * from private.shared_contact_keys(array[tests.get_supabase_uid('keys211_owner')], null, null);
select is(pg_temp.contact_index_scans() - (select n from scans_before), 0::bigint,
  'a statement that wrote no external id starts no scan of the owner''s contacts for one');
create temporary table answer_without_ids as
select * from private.shared_contact_keys(array[tests.get_supabase_uid('keys211_owner')], array[(select block from ada)], null);
select results_eq(
  $$ select kind, match_key from answer_without_ids $$,
  $$ values ('name'::text, (select block from ada)::text) $$,
  'and its name block is still found shared');

truncate scans_before;
insert into scans_before select pg_temp.contact_index_scans();
create temporary table answer_with_empty_keys as
select * from private.shared_contact_keys(array[tests.get_supabase_uid('keys211_owner')], '{}', '{}');
select is(pg_temp.contact_index_scans() - (select n from scans_before), 0::bigint,
  'an empty array of external ids starts no scan either');

-- ============================================================================================
-- External ids given are counted as before
-- ============================================================================================
select results_eq(
  $$ select kind, match_key from private.shared_contact_keys(array[tests.get_supabase_uid('keys211_owner')], null, array['crm-1', 'crm-2']) $$,
  $$ values ('external_id'::text, 'crm-1'::text) $$,
  'the external id two contacts hold in two spellings is found shared; one nobody holds is not');
select results_eq(
  $$ select kind, match_key from private.shared_contact_keys(array[tests.get_supabase_uid('keys211_owner')], array[(select block from ada)], array['crm-1']) $$,
  $$ values ('name'::text, (select block from ada)::text), ('external_id'::text, 'crm-1'::text) $$,
  'a statement that wrote both kinds of key gets both back');

select * from finish();
rollback;
