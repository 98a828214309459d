-- Rolls back 20251009000002_retention_runs_sweep: retention_run_start and retention_run_step as
-- 20251004000005 defined them.
set lock_timeout = '5s';

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
