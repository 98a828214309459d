begin;
select plan(17);

-- merge_contacts refuses, with clear errors and without writing anything: another owner's contacts
-- (not found, existence never leaks), a pair across owners, contacts under legal hold or
-- anonymized, agent tokens, the same contact twice, unknown options; a duplicate already merged
-- into another contact is a conflict. The service merges for the owner it names.

-- ============================================================================================
-- Setup (superuser)
--   c...01 / c...02   the owner's pair
--   c...03            the owner's contact under legal hold
--   c...04            the owner's anonymized contact
--   c...05            merged earlier into c...01 (recorded in contact_merges, row gone)
--   c...99            another owner's contact
-- ============================================================================================
select tests.create_supabase_user('refuse_owner');
select tests.create_supabase_user('refuse_other_owner');

insert into public.contacts (id, user_id, display_name, legal_hold, legal_hold_reason, status) values
  ('c0940000-0000-4000-8000-000000000001', tests.get_supabase_uid('refuse_owner'), 'Ada Lovelace', false, null, 'active'),
  ('c0940000-0000-4000-8000-000000000002', tests.get_supabase_uid('refuse_owner'), 'Ada Lovelace (2)', false, null, 'active'),
  ('c0940000-0000-4000-8000-000000000003', tests.get_supabase_uid('refuse_owner'), 'Held Person', true, 'Litigation', 'active'),
  ('c0940000-0000-4000-8000-000000000004', tests.get_supabase_uid('refuse_owner'), 'Anonymized contact', false, null, 'anonymized'),
  ('c0940000-0000-4000-8000-000000000099', tests.get_supabase_uid('refuse_other_owner'), 'Olga Outsider', false, null, 'active');
insert into public.contact_merges (user_id, survivor_id, duplicate_id, row_counts, actor_role) values
  (tests.get_supabase_uid('refuse_owner'), 'c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000005', '{}', 'owner');
insert into public.agents (id, user_id, name) values
  ('a0940000-0000-4000-8000-000000000001', tests.get_supabase_uid('refuse_owner'), 'Writer');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('refuse_owner'), 'a0940000-0000-4000-8000-000000000001', 'all_contacts', 'write');

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('refuse_owner');

select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000099') $$,
  'P0002', 'contact not found', 'merging another owner''s contact into one''s own answers not found');
select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000099', 'c0940000-0000-4000-8000-000000000001') $$,
  'P0002', 'contact not found', 'merging one''s own contact into another owner''s answers not found');
select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000003') $$,
  '55000', 'a contact under legal hold cannot be merged', 'a duplicate under legal hold is refused');
select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000003', 'c0940000-0000-4000-8000-000000000002') $$,
  '55000', 'a contact under legal hold cannot be merged', 'a survivor under legal hold is refused');
select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000004') $$,
  '55000', 'an anonymized contact cannot be merged', 'an anonymized contact is refused');
select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000001') $$,
  '22023', 'survivor and duplicate must be two different contacts', 'a contact cannot be merged into itself');
select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000002', '{"dry": true}') $$,
  '22023', 'options take dry_run (boolean) and fields (an object)', 'an unknown option is refused');
select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000002',
       '{"fields": {"legal_hold": "duplicate"}}') $$,
  '22023', null, 'a field that cannot be picked is refused');
select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000002', 'c0940000-0000-4000-8000-000000000005') $$,
  '55000', 'the duplicate was already merged into another contact',
  'a duplicate already merged into another survivor is a conflict, not a second merge');
select is(
  public.merge_contacts('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000005') ->> 'status',
  'already_merged', 'the recorded pair itself answers already_merged');
select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000002', '{}',
       tests.get_supabase_uid('refuse_other_owner')) $$,
  '42501', 'only the service names an owner', 'an owner cannot name another owner');

-- ============================================================================================
-- Agent token of the owner, and anon
-- ============================================================================================
select tests.authenticate_as_agent('refuse_owner', 'a0940000-0000-4000-8000-000000000001');
select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000002') $$,
  '42501', 'agent tokens cannot merge contacts', 'even a write agent cannot merge contacts');
select tests.clear_authentication();
select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000002') $$,
  '42501', 'permission denied for function merge_contacts', 'anon cannot merge contacts');

-- ============================================================================================
-- service_role
-- ============================================================================================
select tests.authenticate_as_service_role();
select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000002') $$,
  '22023', 'owner_id is required for service callers', 'the service must name the owner');
select throws_ok(
  $$ select public.merge_contacts('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000002', '{}',
       tests.get_supabase_uid('refuse_other_owner')) $$,
  'P0002', 'contact not found', 'the service naming the wrong owner finds nothing to merge');
select is(
  (public.merge_contacts('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000002', '{}',
     tests.get_supabase_uid('refuse_owner')) ->> 'status'),
  'merged', 'the service naming the owner merges the pair');

-- ============================================================================================
-- Superuser: the refusals wrote nothing
-- ============================================================================================
reset role;
select set_config('request.jwt.claims', null, true);
select results_eq(
  $$ select survivor_id, duplicate_id, actor_role from public.contact_merges
     where user_id = tests.get_supabase_uid('refuse_owner') order by duplicate_id $$,
  $$ values ('c0940000-0000-4000-8000-000000000001'::uuid, 'c0940000-0000-4000-8000-000000000002'::uuid, 'service'::text),
            ('c0940000-0000-4000-8000-000000000001', 'c0940000-0000-4000-8000-000000000005', 'owner') $$,
  'only the service''s merge was recorded; every refused call left no trace');

select * from finish();
rollback;
