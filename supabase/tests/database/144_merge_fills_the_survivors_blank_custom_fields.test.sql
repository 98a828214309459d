-- A merge fills the survivor's blank custom fields from the duplicate (20251020000020): a key that is
-- missing, null, "" or only spaces on the survivor takes the duplicate's value, as under the import's
-- merge_fill_empty; a key holding anything else (0 and false included) keeps the survivor's value.
-- metadata is then among the fields the report, its dry run and the merge record name; a merge that
-- fills nothing names no metadata, and a pick of the survivor's custom fields keeps the blanks.
begin;
select plan(10);

-- ============================================================================================
-- Setup (superuser)
--   ...01 <- ...02   survivor with blank, null, zero and filled keys; duplicate with values for each
--   ...03 <- ...04   survivor whose every key holds a value: nothing to fill
--   ...05 <- ...06   the same blanks as ...01, merged with fields.metadata = survivor
-- ============================================================================================
select tests.create_supabase_user('blank_fields_owner');

insert into public.contacts (id, user_id, display_name, first_name, metadata) values
  ('14400000-0000-4000-8000-000000000001', tests.get_supabase_uid('blank_fields_owner'), 'Ada L', '  ',
   '{"size": "", "plan": null, "region": "   ", "seats": 0, "trial": false, "k": "mine"}'),
  ('14400000-0000-4000-8000-000000000002', tests.get_supabase_uid('blank_fields_owner'), 'Ada Lovelace', 'Ada',
   '{"size": "50", "plan": "gold", "region": "EU", "seats": 12, "trial": true, "k": "theirs", "since": "2019"}'),
  ('14400000-0000-4000-8000-000000000003', tests.get_supabase_uid('blank_fields_owner'), 'Bea B', 'Bea',
   '{"size": "10", "plan": "silver"}'),
  ('14400000-0000-4000-8000-000000000004', tests.get_supabase_uid('blank_fields_owner'), 'Bea Bee', 'Bea',
   '{"size": "20", "plan": "gold"}'),
  ('14400000-0000-4000-8000-000000000005', tests.get_supabase_uid('blank_fields_owner'), 'Cy C', 'Cy',
   '{"size": "", "plan": null}'),
  ('14400000-0000-4000-8000-000000000006', tests.get_supabase_uid('blank_fields_owner'), 'Cy Cee', 'Cy',
   '{"size": "70", "plan": "gold"}');
create temporary table reports (label text primary key, report jsonb);
grant all on table reports to public;

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('blank_fields_owner');

insert into reports values
  ('dry run', public.merge_contacts('14400000-0000-4000-8000-000000000001', '14400000-0000-4000-8000-000000000002',
     '{"dry_run": true}')),
  ('merge', public.merge_contacts('14400000-0000-4000-8000-000000000001', '14400000-0000-4000-8000-000000000002')),
  ('nothing blank', public.merge_contacts('14400000-0000-4000-8000-000000000003', '14400000-0000-4000-8000-000000000004')),
  ('survivor picked', public.merge_contacts('14400000-0000-4000-8000-000000000005', '14400000-0000-4000-8000-000000000006',
     '{"fields": {"metadata": "survivor"}}'));

select is(
  (select metadata from public.contacts where id = '14400000-0000-4000-8000-000000000001'),
  '{"size": "50", "plan": "gold", "region": "EU", "seats": 0, "trial": false, "k": "mine", "since": "2019"}'::jsonb,
  'the owner''s merge fills the survivor''s empty, null and blank custom fields and adds missing ones, keeping 0, false and its own values');
select is(
  (select first_name from public.contacts where id = '14400000-0000-4000-8000-000000000001'),
  'Ada', 'the same merge still fills the blank first name');
select is(
  (select report -> 'fields' -> 'metadata' from reports where label = 'merge'),
  jsonb_build_object('from', 'both', 'value',
    '{"size": "50", "plan": "gold", "region": "EU", "seats": 0, "trial": false, "k": "mine", "since": "2019"}'::jsonb),
  'the owner''s merge report names metadata as filled from both contacts, with the merged value');
select is(
  (select report -> 'fields' from reports where label = 'dry run'),
  (select report -> 'fields' from reports where label = 'merge'),
  'the owner''s dry run reported exactly the custom fields the merge then filled');
select is(
  public.merge_contacts('14400000-0000-4000-8000-000000000001', '14400000-0000-4000-8000-000000000002') -> 'filled_fields',
  '["first_name", "metadata"]'::jsonb,
  'the owner asking again is answered already_merged, naming metadata among the filled fields');
select is(
  (select metadata from public.contacts where id = '14400000-0000-4000-8000-000000000003'),
  '{"size": "10", "plan": "silver"}'::jsonb,
  'the owner''s merge keeps every custom field the survivor holds a value for');
select ok(
  (select not (report -> 'fields' ? 'metadata') from reports where label = 'nothing blank'),
  'the owner''s merge that fills no custom field does not name metadata in its report');
select is(
  (select metadata from public.contacts where id = '14400000-0000-4000-8000-000000000005'),
  '{"size": "", "plan": null}'::jsonb,
  'the owner picking the survivor''s custom fields keeps them, blanks included');

-- ============================================================================================
-- Superuser: the merge records
-- ============================================================================================
reset role;
select set_config('request.jwt.claims', null, true);
select results_eq(
  $$ select duplicate_id, filled_fields from public.contact_merges
     where user_id = tests.get_supabase_uid('blank_fields_owner') order by duplicate_id $$,
  $$ values ('14400000-0000-4000-8000-000000000002'::uuid, array['first_name', 'metadata']),
            ('14400000-0000-4000-8000-000000000004'::uuid, array[]::text[]),
            ('14400000-0000-4000-8000-000000000006'::uuid, array[]::text[]) $$,
  'the owner''s merge records name metadata as filled only where a custom field was filled');
select is(
  (select count(*)::integer from public.contacts where user_id = tests.get_supabase_uid('blank_fields_owner')),
  3, 'the owner is left with the three survivors');

select * from finish();
rollback;
