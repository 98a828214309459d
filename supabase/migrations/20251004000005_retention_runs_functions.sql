-- Retention runs: start, step, finish, over the batches of 20251004000003/4. A SQL function is one
-- transaction, so a run of many transactions needs a driver that commits between steps:
--  - the pg_cron job (20251004000006): a DO block that calls retention_run_step and commits after
--    each one (a procedure could do the same, but a procedure that commits cannot pin its
--    search_path, which every function here does and the advisor requires);
--  - the contacts-retention Edge Function: a loop of retention_run_step calls on one connection.
-- Both hold a session-level advisory lock for the run (a second run is logged as skipped and
-- returns at once; a killed run's lock dies with its session), record every step's progress, and
-- resume the positions of a stopped, failed or killed run. public.apply_retention_policies keeps
-- its signature and runs every step inside its own single transaction (tests, small data, ad hoc).
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.retention_lock_key()
returns bigint
language sql
immutable
set search_path = ''
as $$
  select 7004202510040000::bigint
$$;
comment on function private.retention_lock_key() is 'The advisory lock key every retention run holds while it runs.';
revoke execute on function private.retention_lock_key() from public;
grant execute on function private.retention_lock_key() to service_role;

-- Starts a run: takes the lock (session-level for the drivers, transaction-level for the one-shot
-- function), marks runs left 'running' by a dead session as interrupted, and lists the enabled
-- policies in scope with their cutoffs, taking over the positions of the last real run when it
-- stopped, failed or was interrupted (same policy, class, action and days). Returns the run id;
-- its status is 'skipped' when another run holds the lock.
create function private.retention_run_start(
  dry_run boolean, owner_id uuid, max_batches bigint, source text, batch_size integer, session_lock boolean)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  locked boolean;
  resumed bigint;
  new_run bigint;
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

  insert into private.retention_runs (source, dry_run, owner_id, max_batches, batch_size, resumed_run_id)
  values (retention_run_start.source, retention_run_start.dry_run, retention_run_start.owner_id,
    retention_run_start.max_batches, retention_run_start.batch_size, resumed)
  returning id into new_run;

  insert into private.retention_run_items
    (run_id, policy_id, user_id, data_class, action, retain_days, suppress_identifiers, cutoff, position_at, position_id)
  select new_run, p.id, p.user_id, p.data_class, p.action, p.retain_days, p.suppress_identifiers,
    coalesce(prev.cutoff, now() - make_interval(days => p.retain_days)), prev.position_at, prev.position_id
  from public.contact_retention_policies p
  left join private.retention_run_items prev
    on prev.run_id = resumed and prev.policy_id = p.id and prev.finished_at is null
   and prev.data_class = p.data_class and prev.action = p.action and prev.retain_days = p.retain_days
   and prev.suppress_identifiers = p.suppress_identifiers
  where p.is_enabled and (retention_run_start.owner_id is null or p.user_id = retention_run_start.owner_id);
  return new_run;
end;
$$;
comment on function private.retention_run_start(boolean, uuid, bigint, text, integer, boolean) is
  'Starts a retention run (or logs it as skipped when another run holds the lock); returns its id.';
revoke execute on function private.retention_run_start(boolean, uuid, bigint, text, integer, boolean) from public;
grant execute on function private.retention_run_start(boolean, uuid, bigint, text, integer, boolean) to service_role;

-- One step of a run, in the caller's transaction: batches of the run's unfinished policies, in
-- owner and class order, until batch_size rows have been examined or 200 ms have passed. Returns
-- whether the run has work left and may take another step (max_batches).
create function private.retention_run_step(run_id bigint)
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
begin
  select * into run from private.retention_runs r where r.id = retention_run_step.run_id for update;
  if not found or run.status <> 'running' or run.batches >= coalesce(run.max_batches, run.batches + 1) then
    return false;
  end if;
  loop
    select * into item from private.retention_run_items i
    where i.run_id = run.id and i.finished_at is null
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
    exit when examined_total >= run.batch_size or clock_timestamp() - started > interval '200 milliseconds';
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
  'One bounded step (one transaction) of a retention run; returns whether the run has work left and may go on.';
revoke execute on function private.retention_run_step(bigint) from public;
grant execute on function private.retention_run_step(bigint) to service_role;

-- Ends a run: completed (nothing left), stopped (max_batches or a time budget reached first:
-- the next run resumes it) or failed (with the error); totals per class and action; releases the
-- session lock of a driver's run.
create function private.retention_run_finish(run_id bigint, error text default null)
returns private.retention_runs
language plpgsql
set search_path = ''
as $$
declare
  run private.retention_runs;
  was_running boolean;
begin
  select r.status = 'running' into was_running from private.retention_runs r where r.id = retention_run_finish.run_id;
  update private.retention_runs r
  set status = case
        when r.status <> 'running' then r.status
        when retention_run_finish.error is not null then 'failed'
        when exists (select 1 from private.retention_run_items i where i.run_id = r.id and i.finished_at is null) then 'stopped'
        else 'completed' end,
      finished_at = coalesce(r.finished_at, clock_timestamp()),
      error = coalesce(r.error, retention_run_finish.error),
      counts = coalesce((
        select jsonb_object_agg(c.data_class, c.by_action)
        from (
          select a.data_class, jsonb_object_agg(a.action, a.total) as by_action
          from (select i.data_class, i.action, sum(i.affected_rows) as total
                from private.retention_run_items i where i.run_id = r.id group by i.data_class, i.action) a
          group by a.data_class
        ) c), '{}'::jsonb)
  where r.id = retention_run_finish.run_id
  returning * into run;
  if was_running and run.source <> 'sql' then
    perform pg_catalog.pg_advisory_unlock(private.retention_lock_key());
  end if;
  return run;
end;
$$;
comment on function private.retention_run_finish(bigint, text) is
  'Ends a retention run (completed, stopped or failed), records its totals and releases the driver''s lock; returns the run.';
revoke execute on function private.retention_run_finish(bigint, text) from public;
grant execute on function private.retention_run_finish(bigint, text) to service_role;

-- Redefines 20250916000011's apply_retention_policies over the batches: same signature, results
-- and single transaction (it takes the lock for that transaction only); logged as source 'sql'.
create or replace function public.apply_retention_policies(dry_run boolean default false, owner_id uuid default null)
returns table (user_id uuid, data_class text, action text, affected_rows bigint)
language plpgsql
set search_path = ''
as $$
declare
  this_run constant bigint := private.retention_run_start(
    apply_retention_policies.dry_run, apply_retention_policies.owner_id, null, 'sql', 5000, false);
begin
  while private.retention_run_step(this_run) loop
  end loop;
  perform private.retention_run_finish(this_run);
  return query
  select i.user_id, i.data_class, i.action, i.affected_rows
  from private.retention_run_items i
  where i.run_id = this_run
  order by i.user_id, i.data_class;
end;
$$;
comment on function public.apply_retention_policies(boolean, uuid) is 'Applies every enabled retention policy (or one owner''s) in one transaction, in bounded keyset batches, skipping contacts under legal hold; returns what it did (or, with dry_run, would do) per owner and class. Returns no rows when another run holds the lock. Scheduled runs commit batch by batch instead (pg_cron job, contacts-retention).';
