-- A merge refuses in words the caller can act on when the custom fields (metadata) of both contacts
-- together would exceed the 64 KB a contact holds (20251020000020): the merge and its dry run answer
-- 22023 before writing anything and name fields.metadata, for the owner and the service alike;
-- picking either side's custom fields merges. The limit is measured as contacts_metadata_check
-- measures it (pg_column_size): custom fields of exactly 65536 bytes merge, 65537 are refused.
begin;
select plan(8);

-- ============================================================================================
-- Setup (superuser): owner metadata_limit_owner. Survivors hold {"a": 40000 x} (40017 bytes);
-- duplicates {"b": N y}; merged, {"a", "b"} takes 40026 + N bytes.
--   ...01 <- ...02   N = 25511: 65537 bytes merged
--   ...03 <- ...04   N = 25510: 65536 bytes merged, exactly the limit
--   ...05 <- ...06   N = 25511, merged with fields.metadata = duplicate
--   ...07 <- ...08   N = 25511, for the service
-- ============================================================================================
select tests.create_supabase_user('metadata_limit_owner');
insert into public.contacts (id, user_id, display_name, metadata)
select ('15200000-0000-4000-8000-00000000000' || v.n)::uuid, tests.get_supabase_uid('metadata_limit_owner'), 'Wide ' || v.n,
  case when v.n % 2 = 1 then jsonb_build_object('a', repeat('x', 40000))
       else jsonb_build_object('b', repeat('y', case when v.n = 4 then 25510 else 25511 end)) end
from generate_series(1, 8) as v (n);

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('metadata_limit_owner');
select throws_ok(
  $$ select public.merge_contacts('15200000-0000-4000-8000-000000000001', '15200000-0000-4000-8000-000000000002') $$,
  '22023',
  'the merged contact''s custom fields would exceed the 64 KB a contact holds (65537 bytes); pick the survivor''s or the duplicate''s custom fields with fields.metadata',
  'the owner merging two contacts whose custom fields together take 65537 bytes is told the limit and how to pick a side''s');
select throws_ok(
  $$ select public.merge_contacts('15200000-0000-4000-8000-000000000001', '15200000-0000-4000-8000-000000000002',
       '{"dry_run": true}') $$,
  '22023',
  'the merged contact''s custom fields would exceed the 64 KB a contact holds (65537 bytes); pick the survivor''s or the duplicate''s custom fields with fields.metadata',
  'the owner''s dry run of that merge gives the same refusal');
select results_eq(
  $$ select (select count(*) from public.contacts where id in ('15200000-0000-4000-8000-000000000001', '15200000-0000-4000-8000-000000000002')),
            (select metadata ? 'b' from public.contacts where id = '15200000-0000-4000-8000-000000000001'),
            (select count(*) from public.contact_merges where user_id = tests.get_supabase_uid('metadata_limit_owner')) $$,
  $$ values (2::bigint, false, 0::bigint) $$,
  'the owner''s refused merge left both contacts, the survivor''s custom fields and the merge log as they were');
select is(
  public.merge_contacts('15200000-0000-4000-8000-000000000003', '15200000-0000-4000-8000-000000000004') ->> 'status',
  'merged', 'the owner merges a pair whose custom fields together take exactly 65536 bytes');
select results_eq(
  $$ select array(select jsonb_object_keys(metadata) order by 1), pg_column_size(metadata || '{}') -- || '{}': uncompressed, as written
     from public.contacts where id = '15200000-0000-4000-8000-000000000003' $$,
  $$ values (array['a', 'b'], 65536) $$,
  'and the survivor holds both sides'' custom fields, 65536 bytes as contacts_metadata_check measured them');
select is(
  public.merge_contacts('15200000-0000-4000-8000-000000000005', '15200000-0000-4000-8000-000000000006',
    '{"fields": {"metadata": "duplicate"}}') #>> '{fields,metadata,from}',
  'duplicate', 'the owner picking the duplicate''s custom fields merges a pair whose custom fields together exceed 64 KB');
reset role;

-- ============================================================================================
-- service_role
-- ============================================================================================
select tests.authenticate_as_service_role();
select throws_ok(
  $$ select public.merge_contacts('15200000-0000-4000-8000-000000000007', '15200000-0000-4000-8000-000000000008', '{}',
       tests.get_supabase_uid('metadata_limit_owner')) $$,
  '22023',
  'the merged contact''s custom fields would exceed the 64 KB a contact holds (65537 bytes); pick the survivor''s or the duplicate''s custom fields with fields.metadata',
  'the service naming the owner gets the same refusal');
select is(
  public.merge_contacts('15200000-0000-4000-8000-000000000007', '15200000-0000-4000-8000-000000000008',
    '{"fields": {"metadata": "survivor"}}', tests.get_supabase_uid('metadata_limit_owner')) ->> 'status',
  'merged', 'the service picking the survivor''s custom fields merges that pair');
reset role;

select * from finish();
rollback;
