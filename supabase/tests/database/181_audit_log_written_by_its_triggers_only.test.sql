-- Only the audit triggers write the audit trail (20251020000062): the service role, which reads
-- every owner's trail and deletes old entries for retention, can neither insert an entry naming an
-- actor of its choosing nor rewrite or truncate the trail; its own changes are still audited.
begin;
select plan(7);

select tests.create_supabase_user('trail_owner');
insert into public.contacts (id, user_id, display_name) values
  ('18100000-0000-4000-8000-000000000001', tests.get_supabase_uid('trail_owner'), 'Ada Lovelace');

-- Service
select tests.authenticate_as_service_role();
select throws_ok(
  $$ insert into public.contact_audit_log (user_id, table_name, row_id, action, changed_columns, actor_role)
     values (tests.get_supabase_uid('trail_owner'), 'contacts', '18100000-0000-4000-8000-000000000001', 'update', '{first_name}', 'authenticated') $$,
  '42501', null, 'the service role cannot insert an audit entry naming an actor of its choosing');
select throws_ok(
  $$ update public.contact_audit_log set actor_role = 'authenticated' where row_id = '18100000-0000-4000-8000-000000000001' $$,
  '42501', null, 'nor rewrite an entry');
select throws_ok($$ truncate public.contact_audit_log $$, '42501', null, 'nor truncate the trail');
select lives_ok(
  $$ update public.contacts set job_title = 'Analyst' where id = '18100000-0000-4000-8000-000000000001' $$,
  'the service role changes a contact');
select is(
  (select array_agg(actor_role order by id) from public.contact_audit_log
   where row_id = '18100000-0000-4000-8000-000000000001' and action = 'update'),
  array['service_role'], 'and its change is audited by the trigger, as the service role''s');
select lives_ok(
  $$ select 1 from public.contact_audit_log where row_id = '18100000-0000-4000-8000-000000000001' for update skip locked $$,
  'the service role still locks entries, as retention does before it deletes them');
select lives_ok(
  $$ delete from public.contact_audit_log where row_id = '18100000-0000-4000-8000-000000000001' $$,
  'and deletes them');
reset role;

select * from finish();
rollback;
