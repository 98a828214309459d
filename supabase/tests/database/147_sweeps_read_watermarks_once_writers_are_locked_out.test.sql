-- A sweep reads its owners' watermarks once running writers are locked out (20251020000023): a
-- watermark voided after the run first read it (a back-dated write committing while the run waited
-- for the lock, simulated here by a write fired from the insert of the run's items) makes that
-- owner's swept item start at its oldest row, and the sweep deletes the back-dated row; an owner
-- whose watermark still holds keeps it as its start. (The race itself needs two sessions; this file
-- checks what the run does once the write is visible.)
begin;
select plan(7);

-- ============================================================================================
-- Setup (superuser): owners relock_owner and steady_owner, 365-day interactions/delete policies,
-- each a watermark at 400 days ago as a completed sweep leaves it; Ann (relock_owner) and Bea
-- (steady_owner) have 5 interactions of 380 days ago and one of 10 days each.
-- ============================================================================================
select tests.create_supabase_user('relock_owner');
select tests.create_supabase_user('steady_owner');
insert into public.contacts (id, user_id, display_name) values
  ('14700000-0000-4000-8000-000000000001', tests.get_supabase_uid('relock_owner'), 'Ann'),
  ('14700000-0000-4000-8000-000000000002', tests.get_supabase_uid('steady_owner'), 'Bea');
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
select c.user_id, c.id, 'email', 'inbound', 'due ' || n, now() - interval '380 days' - n * interval '1 minute'
from public.contacts c cross join generate_series(1, 5) n
where c.id::text like '14700000-%';
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
select c.user_id, c.id, 'email', 'inbound', 'recent', now() - interval '10 days'
from public.contacts c where c.id::text like '14700000-%';
insert into public.contact_retention_policies (user_id, data_class, action, retain_days)
select u.id, 'interactions', 'delete', 365 from auth.users u where u.id in (tests.get_supabase_uid('relock_owner'), tests.get_supabase_uid('steady_owner'));
insert into private.retention_watermarks (user_id, data_class, action, clean_before)
select u.id, 'interactions', 'delete', now() - interval '400 days'
from auth.users u where u.id in (tests.get_supabase_uid('relock_owner'), tests.get_supabase_uid('steady_owner'));

-- The write that commits while the run waits for its lock: relock_owner's row of three years ago,
-- logged by the statement that inserts the run's items (after they read the watermarks), once.
create function pg_temp.back_dated_write() returns trigger
language plpgsql as $$
begin
  if exists (select 1 from new_items n where n.user_id = tests.get_supabase_uid('relock_owner'))
     and not exists (select 1 from public.contact_interactions i
                     where i.user_id = tests.get_supabase_uid('relock_owner') and i.content = 'three years old') then
    insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
    values (tests.get_supabase_uid('relock_owner'), '14700000-0000-4000-8000-000000000001', 'email', 'inbound', 'three years old',
      now() - interval '3 years');
  end if;
  return null;
end;
$$;
create trigger back_dated_write after insert on private.retention_run_items
  referencing new table as new_items for each statement execute function pg_temp.back_dated_write();

create function pg_temp.item(owner text) returns private.retention_run_items
language sql as $$
  select i.* from private.retention_run_items i
  where i.run_id = (select max(r.id) from private.retention_runs r where r.status <> 'skipped') and i.user_id = tests.get_supabase_uid(owner)
$$;
grant execute on all functions in schema pg_temp to service_role;

-- ============================================================================================
-- service_role
-- ============================================================================================
select tests.authenticate_as_service_role();
select set_config('contacts.retention_sweep_min_rows', '1', true);
select private.retention_run_start(false, null, null, 'function', 20, true);

select is((pg_temp.item('relock_owner')).position_at, null::timestamptz,
  'the service''s sweep starts at the oldest row of an owner whose watermark was voided after it was read');
select is((pg_temp.item('steady_owner')).position_at,
  (select clean_before from private.retention_watermarks where user_id = tests.get_supabase_uid('steady_owner')),
  'and at the watermark of an owner whose watermark still holds');
select is((select r.sweep_next_at from private.retention_runs r where r.id = (pg_temp.item('relock_owner')).run_id),
  (select occurred_at from public.contact_interactions where content = 'three years old' and user_id = tests.get_supabase_uid('relock_owner')),
  'its span starts at the back-dated row');
select private.retention_run_step((pg_temp.item('relock_owner')).run_id) from generate_series(1, 3);
select private.retention_run_finish((pg_temp.item('relock_owner')).run_id);

select results_eq(
  $$ select content from public.contact_interactions where user_id = tests.get_supabase_uid('relock_owner') $$,
  $$ values ('recent'::text) $$,
  'the sweep deletes the back-dated row with the others past retention');
select results_eq(
  $$ select content from public.contact_interactions where user_id = tests.get_supabase_uid('steady_owner') $$,
  $$ values ('recent'::text) $$,
  'and the other owner''s rows past retention');
select is((select clean_before from private.retention_watermarks where user_id = tests.get_supabase_uid('relock_owner')),
  (pg_temp.item('relock_owner')).cutoff,
  'it records its cutoff as the voided owner''s new watermark, having seen every row');
select is((select clean_before from private.retention_watermarks where user_id = tests.get_supabase_uid('steady_owner')),
  (pg_temp.item('steady_owner')).cutoff,
  'and the other owner''s');
reset role;

select * from finish();
rollback;
