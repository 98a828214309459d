-- A merge refuses in words the caller can act on (20251020000020): when both contacts' tags together
-- exceed the 100 a contact may have, the merge and its dry run answer 22023 and name fields.tags, and
-- picking either side's tags merges; a survivor that was itself merged away meanwhile is a conflict
-- (55000), as a duplicate merged away already is, for the owner and the service alike. Another owner
-- naming that id still finds nothing, and the refusals write nothing.
begin;
select plan(9);

-- ============================================================================================
-- Setup (superuser)
--   ...01 / ...02   60 tags each, 10 of them shared: 110 together
--   ...03 / ...04   the same, merged with fields.tags = duplicate
--   ...05 <- ...06  merged first; ...06 is then named as a survivor for ...07
--   ...99           another owner's contact
-- ============================================================================================
select tests.create_supabase_user('tag_limit_owner');
select tests.create_supabase_user('tag_limit_other_owner');

insert into public.contacts (id, user_id, display_name, tags) values
  ('14500000-0000-4000-8000-000000000001', tests.get_supabase_uid('tag_limit_owner'), 'Many Tags',
   array(select 'shared-' || g from generate_series(1, 10) g) || array(select 'left-' || g from generate_series(1, 50) g)),
  ('14500000-0000-4000-8000-000000000002', tests.get_supabase_uid('tag_limit_owner'), 'Many Tags (2)',
   array(select 'shared-' || g from generate_series(1, 10) g) || array(select 'right-' || g from generate_series(1, 50) g)),
  ('14500000-0000-4000-8000-000000000003', tests.get_supabase_uid('tag_limit_owner'), 'More Tags',
   array(select 'left-' || g from generate_series(1, 60) g)),
  ('14500000-0000-4000-8000-000000000004', tests.get_supabase_uid('tag_limit_owner'), 'More Tags (2)',
   array(select 'right-' || g from generate_series(1, 60) g)),
  ('14500000-0000-4000-8000-000000000005', tests.get_supabase_uid('tag_limit_owner'), 'Kept', '{}'),
  ('14500000-0000-4000-8000-000000000006', tests.get_supabase_uid('tag_limit_owner'), 'Merged away', '{}'),
  ('14500000-0000-4000-8000-000000000007', tests.get_supabase_uid('tag_limit_owner'), 'Waiting', '{}'),
  ('14500000-0000-4000-8000-000000000099', tests.get_supabase_uid('tag_limit_other_owner'), 'Outsider', '{}');

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('tag_limit_owner');

select throws_ok(
  $$ select public.merge_contacts('14500000-0000-4000-8000-000000000001', '14500000-0000-4000-8000-000000000002') $$,
  '22023',
  'the merged contact would have more than 100 tags (110 together); pick the survivor''s or the duplicate''s tags with fields.tags',
  'the owner merging two contacts with 110 tags together is told the limit and how to pick a side''s tags');
select throws_ok(
  $$ select public.merge_contacts('14500000-0000-4000-8000-000000000001', '14500000-0000-4000-8000-000000000002',
       '{"dry_run": true}') $$,
  '22023',
  'the merged contact would have more than 100 tags (110 together); pick the survivor''s or the duplicate''s tags with fields.tags',
  'the owner''s dry run of that merge gives the same refusal');
select is(
  public.merge_contacts('14500000-0000-4000-8000-000000000003', '14500000-0000-4000-8000-000000000004',
    '{"fields": {"tags": "duplicate"}}') ->> 'status',
  'merged', 'the owner picking the duplicate''s tags merges a pair whose tags together exceed 100');
select is(
  public.merge_contacts('14500000-0000-4000-8000-000000000005', '14500000-0000-4000-8000-000000000006') ->> 'status',
  'merged', 'the owner merges a contact away');
select throws_ok(
  $$ select public.merge_contacts('14500000-0000-4000-8000-000000000006', '14500000-0000-4000-8000-000000000007') $$,
  '55000', 'the survivor was already merged into another contact',
  'the owner naming a survivor merged away meanwhile gets a conflict, not not-found');
reset role;

-- ============================================================================================
-- Other owner
-- ============================================================================================
select tests.authenticate_as('tag_limit_other_owner');
select throws_ok(
  $$ select public.merge_contacts('14500000-0000-4000-8000-000000000006', '14500000-0000-4000-8000-000000000099') $$,
  'P0002', 'contact not found',
  'another owner naming the owner''s merged-away contact as survivor finds nothing: the merge does not leak');
reset role;

-- ============================================================================================
-- service_role
-- ============================================================================================
select tests.authenticate_as_service_role();
select throws_ok(
  $$ select public.merge_contacts('14500000-0000-4000-8000-000000000006', '14500000-0000-4000-8000-000000000007', '{}',
       tests.get_supabase_uid('tag_limit_owner')) $$,
  '55000', 'the survivor was already merged into another contact',
  'the service naming the owner gets the same conflict for a survivor merged away');
reset role;

-- ============================================================================================
-- Superuser: what was written
-- ============================================================================================
select set_config('request.jwt.claims', null, true);
select results_eq(
  $$ select id, cardinality(tags), tags[1] from public.contacts
     where user_id = tests.get_supabase_uid('tag_limit_owner') order by id $$,
  $$ values ('14500000-0000-4000-8000-000000000001'::uuid, 60, 'shared-1'), ('14500000-0000-4000-8000-000000000002'::uuid, 60, 'shared-1'),
            ('14500000-0000-4000-8000-000000000003'::uuid, 60, 'right-1'), ('14500000-0000-4000-8000-000000000005'::uuid, 0, null),
            ('14500000-0000-4000-8000-000000000007'::uuid, 0, null) $$,
  'the refused merges left both contacts and their tags; the survivor picked the duplicate''s 60 tags');
select results_eq(
  $$ select survivor_id, duplicate_id, filled_fields from public.contact_merges
     where user_id = tests.get_supabase_uid('tag_limit_owner') order by duplicate_id $$,
  $$ values ('14500000-0000-4000-8000-000000000003'::uuid, '14500000-0000-4000-8000-000000000004'::uuid, array['tags']),
            ('14500000-0000-4000-8000-000000000005'::uuid, '14500000-0000-4000-8000-000000000006'::uuid, array[]::text[]) $$,
  'only the owner''s two merges were recorded, the picked tags among the filled fields');

select * from finish();
rollback;
