-- Retention watermarks: a driver's sweep that reaches the end records each swept owner's cutoff,
-- and the next run of the policy starts its keyset there; an interaction written older than the
-- watermark (inserted, or moved from another contact), a contact leaving legal hold, or such a
-- write while the sweep runs voids it, and the next run looks at every row again and deletes what
-- became due; dry runs and the one-transaction function record none.
begin;
select plan(17);

-- ============================================================================================
-- Setup (superuser): owner mark_owner, 365-day interactions/delete policy. Alpha: 10 interactions
-- 400 days old and 1 of 10 days; Bravo (legal hold): 3 of 400 days; Delta (legal hold): 2 of 400
-- days; Charlie: none yet.
-- ============================================================================================
select tests.create_supabase_user('mark_owner');
insert into public.contacts (id, user_id, display_name, legal_hold, legal_hold_reason) values
  ('c0750000-0000-4000-8000-000000000001', tests.get_supabase_uid('mark_owner'), 'Alpha', false, null),
  ('c0750000-0000-4000-8000-000000000002', tests.get_supabase_uid('mark_owner'), 'Bravo', true, 'Audit'),
  ('c0750000-0000-4000-8000-000000000003', tests.get_supabase_uid('mark_owner'), 'Charlie', false, null),
  ('c0750000-0000-4000-8000-000000000004', tests.get_supabase_uid('mark_owner'), 'Delta', true, 'Audit');
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
select c.user_id, c.id, 'email', 'inbound', c.display_name || ' ' || n, now() - v.age * interval '1 day' - n * interval '1 minute'
from public.contacts c
join (values ('Alpha', 400, 10), ('Alpha', 10, 1), ('Bravo', 400, 3), ('Delta', 400, 2)) as v (name, age, how_many)
  on v.name = c.display_name
cross join lateral generate_series(1, v.how_many) n
where c.id::text like 'c0750000-%';
insert into public.contact_retention_policies (user_id, data_class, action, retain_days)
values (tests.get_supabase_uid('mark_owner'), 'interactions', 'delete', 365);

-- One whole run as the drivers do it (session lock, step until done, finish); its id.
create function pg_temp.driven_run(sweep boolean, dry boolean default false) returns bigint
language plpgsql as $$
declare
  run bigint;
begin
  perform set_config('contacts.retention_sweep_min_rows', case when sweep then '1' else '' end, true);
  run := private.retention_run_start(dry, tests.get_supabase_uid('mark_owner'), null, 'function', 20, true);
  while private.retention_run_step(run) loop
  end loop;
  perform private.retention_run_finish(run);
  return run;
end;
$$;
create function pg_temp.mark() returns table (clean_before timestamptz, pending_before timestamptz, pending_void boolean)
language sql as $$
  select w.clean_before, w.pending_before, w.pending_void from private.retention_watermarks w
  where w.user_id = tests.get_supabase_uid('mark_owner') and w.data_class = 'interactions' and w.action = 'delete'
$$;
create function pg_temp.remaining() returns bigint language sql as $$
  select count(*) from public.contact_interactions where user_id = tests.get_supabase_uid('mark_owner')
$$;
create temporary table runs (label text primary key, id bigint);
grant all on table runs to service_role;
grant execute on all functions in schema pg_temp to service_role;

-- ============================================================================================
-- service_role
-- ============================================================================================
select tests.authenticate_as_service_role();

-- A dry sweep records nothing.
select pg_temp.driven_run(true, true);
select is_empty($$ select * from pg_temp.mark() $$, 'a dry sweep records no watermark');

-- The sweep: pending at its start, recorded at its end.
select set_config('contacts.retention_sweep_min_rows', '1', true);
insert into runs values ('first', private.retention_run_start(false, tests.get_supabase_uid('mark_owner'), null, 'function', 20, true));
select results_eq($$ select m.clean_before, m.pending_before, m.pending_void from pg_temp.mark() m $$,
  $$ select null::timestamptz, i.cutoff, false from private.retention_run_items i where i.run_id = (select id from runs where label = 'first') $$,
  'a driver''s sweep starts with a pending watermark at its cutoff');
select private.retention_run_step((select id from runs where label = 'first')) from generate_series(1, 3);
select private.retention_run_finish((select id from runs where label = 'first'));
select results_eq($$ select m.clean_before, m.pending_before from pg_temp.mark() m $$,
  $$ select i.cutoff, null::timestamptz from private.retention_run_items i where i.run_id = (select id from runs where label = 'first') $$,
  'and records it when it reaches the end');
select is(pg_temp.remaining(), 6::bigint, 'the sweep deleted Alpha''s 10 old interactions and kept the recent one and the 5 held');

-- The next run starts at the watermark.
insert into runs values ('next', pg_temp.driven_run(false));
select results_eq(
  $$ select i.affected_rows, i.swept from private.retention_run_items i where i.run_id = (select id from runs where label = 'next') $$,
  $$ values (0::bigint, false) $$, 'the next run, with nothing to delete, does not sweep');
select is((select position_at from private.retention_run_items where run_id = (select id from runs where label = 'next')),
  (select cutoff from private.retention_run_items where run_id = (select id from runs where label = 'first')),
  'and its keyset started at the watermark, not at the oldest interaction');

-- An old interaction inserted below the watermark voids it; the next run finds it.
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
values (tests.get_supabase_uid('mark_owner'), 'c0750000-0000-4000-8000-000000000003', 'email', 'inbound', 'imported', now() - interval '500 days');
select is((select clean_before from pg_temp.mark()), null::timestamptz, 'an interaction inserted older than the watermark voids it');
insert into runs values ('after insert', pg_temp.driven_run(false));
select is((select affected_rows from private.retention_runs where id = (select id from runs where label = 'after insert')), 1::bigint,
  'the next run looks at every row again and deletes the imported one');

-- A sweep records a new watermark; a released hold voids it; the next run deletes Bravo's three.
select pg_temp.driven_run(true);
select isnt((select clean_before from pg_temp.mark()), null::timestamptz, 'a new sweep records a new watermark');
reset role;
update public.contacts set legal_hold = false, legal_hold_reason = null where id = 'c0750000-0000-4000-8000-000000000002';
select tests.authenticate_as_service_role();
select is((select clean_before from pg_temp.mark()), null::timestamptz, 'a contact leaving legal hold voids its owner''s watermark');
insert into runs values ('after release', pg_temp.driven_run(false));
select is((select affected_rows from private.retention_runs where id = (select id from runs where label = 'after release')), 3::bigint,
  'the next run deletes the released contact''s three old interactions');

-- Moving held interactions to a contact without hold (as a merge does) voids the watermark.
select pg_temp.driven_run(true);
reset role;
update public.contact_interactions set contact_id = 'c0750000-0000-4000-8000-000000000001'
where contact_id = 'c0750000-0000-4000-8000-000000000004';
select tests.authenticate_as_service_role();
select is((select clean_before from pg_temp.mark()), null::timestamptz, 'interactions moved below the watermark void it');
insert into runs values ('after move', pg_temp.driven_run(false));
select is((select affected_rows from private.retention_runs where id = (select id from runs where label = 'after move')), 2::bigint,
  'the next run deletes the two moved interactions');

-- A write below the cutoff while a sweep runs: the sweep records nothing. (An old import first,
-- so that the run has something to sweep.)
select pg_temp.driven_run(true);
reset role;
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
values (tests.get_supabase_uid('mark_owner'), 'c0750000-0000-4000-8000-000000000003', 'email', 'inbound', 'early', now() - interval '450 days');
select tests.authenticate_as_service_role();
insert into runs values ('voided', private.retention_run_start(false, tests.get_supabase_uid('mark_owner'), null, 'function', 20, true));
reset role;
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
values (tests.get_supabase_uid('mark_owner'), 'c0750000-0000-4000-8000-000000000003', 'email', 'inbound', 'late', now() - interval '600 days');
select tests.authenticate_as_service_role();
select is((select pending_void from pg_temp.mark()), true, 'a write older than the pending watermark while the sweep runs voids it');
select private.retention_run_step((select id from runs where label = 'voided')) from generate_series(1, 3);
select private.retention_run_finish((select id from runs where label = 'voided'));
select results_eq($$ select m.clean_before, m.pending_before from pg_temp.mark() m $$,
  $$ values (null::timestamptz, null::timestamptz) $$, 'and the sweep ends without recording a watermark');

-- The one-transaction function records none.
select set_config('contacts.retention_sweep_min_rows', '1', true);
select count(*) from public.apply_retention_policies(false, tests.get_supabase_uid('mark_owner'));
select is((select clean_before from pg_temp.mark()), null::timestamptz,
  'apply_retention_policies (one transaction, no lock of the table) records no watermark');

select is(pg_temp.remaining(), 1::bigint, 'in the end only Alpha''s recent interaction is left');

select * from finish();
rollback;
