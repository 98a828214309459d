-- An erasure's idempotency key names one subject (20251019000003): a repeat with the same key and
-- subject returns the first receipt; the same key with another subject is refused (22023) and
-- erases nothing, where it used to answer with the first subject's receipt.
begin;
select plan(6);

select tests.create_supabase_user('key_reuser');
insert into public.contacts (id, user_id, first_name) values
  ('12200000-0000-4000-8000-000000000001', tests.get_supabase_uid('key_reuser'), 'One'),
  ('12200000-0000-4000-8000-000000000002', tests.get_supabase_uid('key_reuser'), 'Two'),
  ('12200000-0000-4000-8000-000000000003', tests.get_supabase_uid('key_reuser'), 'Three');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('key_reuser'), '12200000-0000-4000-8000-000000000001', 'email', 'one@example.com'),
  (tests.get_supabase_uid('key_reuser'), '12200000-0000-4000-8000-000000000002', 'email', 'two@example.com');

create temporary table receipts (name text, receipt jsonb);
grant all on receipts to authenticated;
select tests.authenticate_as('key_reuser');
insert into receipts select 'first', public.gdpr_delete_subject(identifier => 'one@example.com',
  idempotency_key => 'a1220000-0000-4000-8000-000000000001');
insert into receipts select 'repeat', public.gdpr_delete_subject(identifier => ' ONE@example.com',
  idempotency_key => 'a1220000-0000-4000-8000-000000000001');
insert into receipts select 'by id', public.gdpr_delete_subject(contact_id => '12200000-0000-4000-8000-000000000001',
  idempotency_key => 'a1220000-0000-4000-8000-000000000001');

select is((select receipt from receipts where name = 'repeat'), (select receipt from receipts where name = 'first'),
  'the same key and identifier again: the first receipt');
select is((select receipt from receipts where name = 'by id'), (select receipt from receipts where name = 'first'),
  'the same key naming the erased contact by its id: the first receipt');
select throws_ok($$ select public.gdpr_delete_subject(identifier => 'two@example.com', idempotency_key => 'a1220000-0000-4000-8000-000000000001') $$,
  '22023', 'this idempotency key belongs to another request', 'the same key with another identifier is refused');
select throws_ok($$ select public.gdpr_delete_subject(contact_id => '12200000-0000-4000-8000-000000000003', idempotency_key => 'a1220000-0000-4000-8000-000000000001') $$,
  '22023', 'this idempotency key belongs to another request', 'the same key with another contact id is refused');
select results_eq($$ select first_name from public.contacts where id in ('12200000-0000-4000-8000-000000000002', '12200000-0000-4000-8000-000000000003') order by 1 $$,
  $$ values ('Three'), ('Two') $$, 'neither other subject was erased');
select is((select count(*)::int from public.contact_subject_requests where user_id = tests.get_supabase_uid('key_reuser')), 1,
  'one request recorded');
reset role;

select * from finish();
rollback;
