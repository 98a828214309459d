-- Redefines 20251004000005's retention_run_start and retention_run_step with the sweep of
-- 20251009000000 and the watermarks of 20251009000001. What changed:
--  - start: a policy's keyset starts at the owner's watermark when there is one (and the run does
--    not resume a position). Then, a run that has at least sweep_min_rows interactions to delete
--    (counted over contact_interactions_user_occurred_idx from those positions, stopping at that
--    number) sweeps: its interactions/delete policies are marked swept, and the sweep goes from
--    their oldest candidate to their latest cutoff in windows of time, the first a thousandth of
--    that span. sweep_min_rows is a twentieth of the table (at least 10,000): below it, the keyset
--    batches touch fewer pages; the setting contacts.retention_sweep_min_rows overrides it (tests).
--    A run resuming an unfinished sweep takes over its position, as keyset positions are taken over.
--    A real sweep started by a driver (session lock) writes a pending watermark per swept owner
--    under a SHARE lock of contact_interactions (waiting at most 100 ms for running writers;
--    otherwise it records none). The one-transaction apply_retention_policies takes no such lock
--    (it would hold it for the whole run) and records none.
--  - step: sweeps first, a statement per window with a budget of 2 x batch_size rows, until the
--    sweep ends or 200 ms have passed, then goes on with the keyset batches of the other policies.
--    A window holding the whole budget is narrowed and done again; otherwise the sweep moves on
--    and sizes the next window to hold about half the budget. A sweep that reaches the end records
--    the pending watermarks no write has voided, unless it skipped locked rows.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.retention_run_start(
  dry_run boolean, owner_id uuid, max_batches bigint, source text, batch_size integer, session_lock boolean)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  locked boolean;
  resumed bigint;
  new_run bigint;
  sweep_min_rows bigint;
  candidates bigint;
  previous_lock_timeout constant text := pg_catalog.current_setting('lock_timeout');
begin
  locked := case when retention_run_start.session_lock then pg_catalog.pg_try_advisory_lock(private.retention_lock_key())
                 else pg_catalog.pg_try_advisory_xact_lock(private.retention_lock_key()) end;
  if not locked then
    insert into private.retention_runs (source, dry_run, owner_id, max_batches, batch_size, status, finished_at, error)
    values (retention_run_start.source, retention_run_start.dry_run, retention_run_start.owner_id,
      retention_run_start.max_batches, retention_run_start.batch_size, 'skipped', clock_timestamp(), 'another retention run holds the lock')
    returning id into new_run;
    return new_run;
  end if;

  -- With the lock held, a run still marked running has lost its session.
  update private.retention_runs r
  set status = 'interrupted', finished_at = clock_timestamp(), error = 'its session ended before the run finished'
  where r.status = 'running';

  if not retention_run_start.dry_run then
    select r.id into resumed
    from private.retention_runs r
    where r.id = (select max(x.id) from private.retention_runs x where not x.dry_run and x.status <> 'skipped')
      and r.status in ('stopped', 'failed', 'interrupted');
  end if;

  insert into private.retention_runs (source, dry_run, owner_id, max_batches, batch_size, resumed_run_id,
    sweep_next_at, sweep_end_at, sweep_window, sweep_skipped_locked)
  select retention_run_start.source, retention_run_start.dry_run, retention_run_start.owner_id,
    retention_run_start.max_batches, retention_run_start.batch_size, resumed,
    -- An unfinished sweep goes on where it stopped.
    case when prev.sweep_next_at < prev.sweep_end_at then prev.sweep_next_at end,
    case when prev.sweep_next_at < prev.sweep_end_at then prev.sweep_end_at end,
    case when prev.sweep_next_at < prev.sweep_end_at then prev.sweep_window end,
    coalesce(prev.sweep_next_at < prev.sweep_end_at and prev.sweep_skipped_locked, false)
  from (select 1) one
  left join private.retention_runs prev on prev.id = resumed
  returning id into new_run;

  insert into private.retention_run_items
    (run_id, policy_id, user_id, data_class, action, retain_days, suppress_identifiers, cutoff, position_at, position_id, swept)
  select new_run, p.id, p.user_id, p.data_class, p.action, p.retain_days, p.suppress_identifiers,
    coalesce(prev.cutoff, now() - make_interval(days => p.retain_days)),
    -- From the watermark on: everything older is gone but for held rows (nil uuid: all of its instant).
    case when prev.policy_id is not null then prev.position_at else w.clean_before end,
    case when prev.policy_id is not null then prev.position_id
         when w.clean_before is not null then '00000000-0000-0000-0000-000000000000' end,
    coalesce(prev.swept, false)
  from public.contact_retention_policies p
  left join private.retention_run_items prev
    on prev.run_id = resumed and prev.policy_id = p.id and prev.finished_at is null
   and prev.data_class = p.data_class and prev.action = p.action and prev.retain_days = p.retain_days
   and prev.suppress_identifiers = p.suppress_identifiers
  left join private.retention_watermarks w
    on w.user_id = p.user_id and w.data_class = p.data_class and w.action = p.action
  where p.is_enabled and (retention_run_start.owner_id is null or p.user_id = retention_run_start.owner_id);

  if exists (select 1 from private.retention_runs r where r.id = new_run and r.sweep_end_at is not null) then
    return new_run;
  end if;
  sweep_min_rows := coalesce(nullif(pg_catalog.current_setting('contacts.retention_sweep_min_rows', true), '')::bigint,
    greatest(10000, (select c.reltuples::bigint / 20 from pg_catalog.pg_class c where c.oid = 'public.contact_interactions'::regclass)));
  select count(*) into candidates
  from (
    select 1
    from private.retention_run_items it
    cross join lateral (
      select 1 from public.contact_interactions i
      where i.user_id = it.user_id and i.occurred_at < it.cutoff and i.occurred_at >= coalesce(it.position_at, '-infinity')
      limit sweep_min_rows
    ) x
    where it.run_id = new_run and it.data_class = 'interactions' and it.action = 'delete'
    limit sweep_min_rows
  ) y;
  if candidates >= sweep_min_rows then
    update private.retention_run_items it set swept = true
    where it.run_id = new_run and it.data_class = 'interactions' and it.action = 'delete';
    if retention_run_start.session_lock and not retention_run_start.dry_run then
      begin
        -- Writers still running finish first (so the span below sees their rows); later ones wait
        -- until this transaction commits, and their triggers then see the pending watermarks.
        perform pg_catalog.set_config('lock_timeout', '100ms', true);
        lock table public.contact_interactions in share mode;
        perform pg_catalog.set_config('lock_timeout', previous_lock_timeout, true);
        insert into private.retention_watermarks as w (user_id, data_class, action, pending_before)
        select it.user_id, it.data_class, it.action, it.cutoff
        from private.retention_run_items it
        where it.run_id = new_run and it.swept
        on conflict (user_id, data_class, action) do update
          set pending_before = excluded.pending_before, pending_void = false, recorded_at = clock_timestamp();
      exception when lock_not_available then
        null;
      end;
    end if;
    update private.retention_runs r
    set sweep_next_at = coalesce(span.first_at, span.last_cutoff), sweep_end_at = span.last_cutoff,
        sweep_window = greatest(interval '1 second', (span.last_cutoff - coalesce(span.first_at, span.last_cutoff)) / 1000)
    from (
      select min(f.first_at) as first_at, max(it.cutoff) as last_cutoff
      from private.retention_run_items it
      left join lateral (
        select i.occurred_at as first_at from public.contact_interactions i
        where i.user_id = it.user_id and i.occurred_at < it.cutoff and i.occurred_at >= coalesce(it.position_at, '-infinity')
        order by i.occurred_at
        limit 1
      ) f on true
      where it.run_id = new_run and it.swept
    ) span
    where r.id = new_run;
  end if;
  return new_run;
end;
$$;
comment on function private.retention_run_start(boolean, uuid, bigint, text, integer, boolean) is
  'Starts a retention run (or logs it as skipped when another run holds the lock); decides whether its interactions deletes sweep the table; returns its id.';

create or replace function private.retention_run_step(run_id bigint)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  started constant timestamptz := clock_timestamp();
  run private.retention_runs;
  item private.retention_run_items;
  window_size integer;
  examined bigint;
  affected bigint;
  last_at timestamptz;
  last_id text;
  more boolean;
  examined_total bigint := 0;
  affected_total bigint := 0;
  next_at timestamptz;
  window_end timestamptz;
  next_window interval;
  window_rows bigint;
  swept_counts jsonb := '{}'::jsonb;
  previous_lock_timeout constant text := pg_catalog.current_setting('lock_timeout');
begin
  select * into run from private.retention_runs r where r.id = retention_run_step.run_id for update;
  if not found or run.status <> 'running' or run.batches >= coalesce(run.max_batches, run.batches + 1) then
    return false;
  end if;

  if run.sweep_next_at < run.sweep_end_at then
    next_at := run.sweep_next_at;
    next_window := run.sweep_window;
    loop
      window_end := least(next_at + next_window, run.sweep_end_at);
      -- Counts per owner, summed over the step's statements, written to the items once; the row
      -- without owner says how many rows the window held.
      select swept_counts || coalesce(jsonb_object_agg(s.user_id,
               s.affected + coalesce((swept_counts ->> s.user_id::text)::bigint, 0)) filter (where s.user_id is not null), '{}'::jsonb),
             coalesce(sum(s.affected) filter (where s.user_id is not null), 0),
             coalesce(sum(s.affected) filter (where s.user_id is null), 0)
      into swept_counts, affected, window_rows
      from private.retention_interactions_sweep(run.id, next_at, window_end, (run.batch_size * 2)::integer, run.dry_run) s;
      affected_total := affected_total + affected;
      if run.dry_run or window_rows < run.batch_size * 2 then
        next_at := window_end;
        next_window := next_window * case when window_rows = 0 then 4
          else least(4, greatest(0.25, run.batch_size::numeric / window_rows)) end;
      else
        next_window := greatest(next_window / 4, interval '1 microsecond');
      end if;
      exit when next_at >= run.sweep_end_at or clock_timestamp() - started > interval '200 milliseconds';
    end loop;
    update private.retention_runs r set sweep_next_at = next_at, sweep_window = next_window where r.id = run.id;
    update private.retention_run_items i
    set affected_rows = i.affected_rows + coalesce((swept_counts ->> i.user_id::text)::bigint, 0), batches = i.batches + 1,
        finished_at = case when next_at >= run.sweep_end_at then clock_timestamp() end
    where i.run_id = run.id and i.swept and i.finished_at is null;
    if next_at >= run.sweep_end_at and not run.dry_run then
      begin
        -- A writer still holding a watermark row has voided it: no waiting on it.
        perform pg_catalog.set_config('lock_timeout', '100ms', true);
        update private.retention_watermarks w
        set clean_before = case when w.pending_void or r.sweep_skipped_locked then w.clean_before else w.pending_before end,
            pending_before = null, pending_void = false, recorded_at = clock_timestamp()
        from private.retention_run_items i, private.retention_runs r
        where i.run_id = run.id and i.swept and r.id = run.id
          and w.user_id = i.user_id and w.data_class = i.data_class and w.action = i.action and w.pending_before = i.cutoff;
        perform pg_catalog.set_config('lock_timeout', previous_lock_timeout, true);
      exception when lock_not_available then
        null;
      end;
    end if;
  end if;

  while clock_timestamp() - started <= interval '200 milliseconds' and examined_total < run.batch_size loop
    select * into item from private.retention_run_items i
    where i.run_id = run.id and i.finished_at is null and not i.swept
    order by i.user_id, i.data_class
    limit 1;
    exit when not found;
    -- Contacts and jobs drag children along (cascades, error rows): smaller windows.
    window_size := case when item.data_class in ('inactive_contacts', 'import_jobs') then greatest(1, run.batch_size / 10)
                        else run.batch_size end;
    case
      when item.data_class in ('interactions', 'interaction_content') then
        select b.examined, b.affected, b.last_at, b.last_id::text, b.more into examined, affected, last_at, last_id, more
        from private.retention_interactions_batch(item.user_id, item.data_class, item.action, item.cutoff,
          item.position_at, item.position_id::uuid, window_size, run.dry_run) b;
      when item.data_class = 'inactive_contacts' then
        select b.examined, b.affected, b.last_at, b.last_id::text, b.more into examined, affected, last_at, last_id, more
        from private.retention_contacts_batch(item.user_id, item.action, item.cutoff,
          item.position_at, item.position_id::uuid, window_size, run.dry_run, item.suppress_identifiers) b;
      when item.data_class = 'import_jobs' then
        select b.examined, b.affected, b.last_at, b.last_id::text, b.more into examined, affected, last_at, last_id, more
        from private.retention_import_jobs_batch(item.user_id, item.action, item.cutoff,
          item.position_at, item.position_id::uuid, window_size, run.dry_run) b;
      else
        select b.examined, b.affected, b.last_at, b.last_id::text, b.more into examined, affected, last_at, last_id, more
        from private.retention_logs_batch(item.user_id, item.data_class, item.cutoff,
          item.position_at, item.position_id::bigint, window_size, run.dry_run) b;
    end case;
    update private.retention_run_items i
    set position_at = coalesce(last_at, i.position_at), position_id = coalesce(last_id, i.position_id),
        affected_rows = i.affected_rows + affected, batches = i.batches + 1,
        finished_at = case when more then null else clock_timestamp() end
    where i.run_id = run.id and i.policy_id = item.policy_id;
    -- A contact or a job weighs ten rows (its children), as its window is a tenth.
    examined_total := examined_total + examined * case when item.data_class in ('inactive_contacts', 'import_jobs') then 10 else 1 end;
    affected_total := affected_total + affected;
  end loop;

  update private.retention_runs r
  set batches = r.batches + 1, affected_rows = r.affected_rows + affected_total,
      longest_batch_ms = greatest(r.longest_batch_ms, round(extract(epoch from clock_timestamp() - started) * 1000, 1))
  where r.id = run.id;
  return exists (select 1 from private.retention_run_items i where i.run_id = run.id and i.finished_at is null)
    and run.batches + 1 < coalesce(run.max_batches, run.batches + 2);
end;
$$;
comment on function private.retention_run_step(bigint) is
  'One bounded step (one transaction) of a retention run: the sweep, then keyset batches, for about 200 ms at most; returns whether the run has work left and may go on.';
