-- RLS matrix for public.contacts, owners and service_role: an owner sees, creates, edits and
-- deletes their own contacts only; another owner matches none of them; service_role bypasses RLS.
-- Agent tokens on contacts: 13. Anon: 10. Malformed agent claims: 22. Reassigning user_id: 23.
begin;
select plan(14);

select tests.create_supabase_user('rls_owner');
select tests.create_supabase_user('rls_other_owner');

insert into public.contacts (id, user_id, display_name, job_title) values
  ('c0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Ada Lovelace', 'Analyst'),
  ('c0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'Alan Turing', 'Cryptanalyst'),
  ('c0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'Bob Rival', null);

-- Owner
select tests.authenticate_as('rls_owner');
select results_eq(
  $$ select display_name from public.contacts order by display_name $$,
  $$ values ('Ada Lovelace'), ('Alan Turing') $$,
  'the owner sees exactly their own contacts');
select results_eq(
  $$ insert into public.contacts (first_name, last_name) values ('Grace', 'Hopper') returning user_id $$,
  $$ select tests.get_supabase_uid('rls_owner') $$,
  'the owner can create a contact, and it belongs to the owner');
select results_eq(
  $$ update public.contacts set job_title = 'Mathematician' where id = 'c0000000-0000-4000-8000-000000000001' returning id $$,
  $$ values ('c0000000-0000-4000-8000-000000000001'::uuid) $$,
  'the owner can update their own contact');
select results_eq(
  $$ delete from public.contacts where id = 'c0000000-0000-4000-8000-000000000002' returning id $$,
  $$ values ('c0000000-0000-4000-8000-000000000002'::uuid) $$,
  'the owner can delete their own contact');

-- Other owner
select tests.authenticate_as('rls_other_owner');
select results_eq(
  $$ select id from public.contacts $$,
  $$ values ('c0000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'the other owner sees only their own contact, none of the owner''s');
select is_empty(
  $$ select id from public.contacts where id = 'c0000000-0000-4000-8000-000000000001' $$,
  'the other owner cannot read the owner''s contact even by its id');
select throws_ok(
  $$ insert into public.contacts (user_id, display_name) values (tests.get_supabase_uid('rls_owner'), 'Planted') $$,
  '42501', 'permission denied for table contacts',
  'the other owner cannot create a contact in the owner''s name');
select is_empty(
  $$ update public.contacts set display_name = 'Hijacked', legal_hold = true
     where id = 'c0000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot update the owner''s contact (no row matches)');
select is_empty(
  $$ delete from public.contacts where id = 'c0000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot delete the owner''s contact (no row matches)');

-- Superuser: the other owner's attempts changed nothing
reset role;
select set_config('request.jwt.claims', null, true);
select results_eq(
  $$ select display_name, job_title, legal_hold from public.contacts where user_id = tests.get_supabase_uid('rls_owner') order by display_name $$,
  $$ values ('Ada Lovelace', 'Mathematician', false), ('Grace Hopper', null, false) $$,
  'after the other owner''s attempts the owner''s contacts are exactly as the owner left them');

-- Service role
select tests.authenticate_as_service_role();
select results_eq(
  $$ select display_name from public.contacts
     where user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner'))
     order by display_name $$,
  $$ values ('Ada Lovelace'), ('Bob Rival'), ('Grace Hopper') $$,
  'service_role sees the contacts of every owner');
select results_eq(
  $$ insert into public.contacts (user_id, display_name) values (tests.get_supabase_uid('rls_other_owner'), 'Imported')
     returning user_id $$,
  $$ select tests.get_supabase_uid('rls_other_owner') $$,
  'service_role can create a contact for any owner by naming the owner');
select results_eq(
  $$ update public.contacts set organization = 'Rival Ltd' where id = 'c0000000-0000-4000-8000-0000000000b1' returning organization $$,
  $$ values ('Rival Ltd') $$,
  'service_role can update any owner''s contact');
select results_eq(
  $$ delete from public.contacts where id = 'c0000000-0000-4000-8000-000000000001' returning id $$,
  $$ values ('c0000000-0000-4000-8000-000000000001'::uuid) $$,
  'service_role can delete any owner''s contact');

select * from finish();
rollback;
