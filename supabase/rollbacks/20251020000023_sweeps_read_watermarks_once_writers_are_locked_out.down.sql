-- Rollback of 20251020000023_sweeps_read_watermarks_once_writers_are_locked_out: retention_run_start
-- as 20251020000022 left it.
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
    -- An owner with interactions dated -infinity in its range (stored before such dates were
    -- refused) keeps to the keyset batches, which reach them: the sweep's windows are finite.
    update private.retention_run_items it set swept = true
    where it.run_id = new_run and it.data_class = 'interactions' and it.action = 'delete'
      and not exists (
        select 1 from public.contact_interactions i
        where i.user_id = it.user_id and i.occurred_at = '-infinity' and i.occurred_at >= coalesce(it.position_at, '-infinity'));
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
          and i.occurred_at > '-infinity'
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
  'Starts a retention run (or logs it as skipped when another run holds the lock); decides whether its interactions deletes sweep the table (owners with interactions dated -infinity keep to keyset batches); returns its id.';
