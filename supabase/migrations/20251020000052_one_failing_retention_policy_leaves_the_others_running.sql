-- One owner's failing policy failed the whole retention run: retention_run_step ran every policy's
-- batch in the step's one transaction, so an error in any (a policy row held by a change left
-- open past the driver's 2 s lock_timeout, a trigger refusing a delete, a statement timeout) rolled
-- the step back and ended the run as failed; the next run resumed the same policy first and failed
-- the same way, and every other owner's retention waited behind it.
-- Now each policy's batch runs in a block of its own (a savepoint):
--  - an error undoes that batch only; the item keeps its keyset position and records the error
--    (retention_run_items.error), and the run goes on with the other policies;
--  - retention_run_finish ends such a run as failed, naming how many policies failed and the first
--    one, and the next run resumes those policies from their positions (as it resumes any failed run);
--  - apply_retention_policies, one transaction by design, still applies all or nothing: it stops
--    at the first failed policy and raises its error with its SQLSTATE, which rolls its work back;
--  - a step works on at most 30 policies (a subtransaction each; see retention_run_step).
--  - a swept policy held past lock_timeout leaves the sweep with the error, the others sweep on;
--    an error of the sweep's statement itself, which deletes for every swept owner at once, still
--    fails the step.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter table private.retention_run_items add column error text;
comment on column private.retention_run_items.error is
  'The error that stopped this policy in this run (its batch rolled back, its position kept); the run went on with the others and ended failed, and the next run resumes the policy.';

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
  live_policies uuid[];
  held_policies uuid[];
  -- The policies of the run's swept items that stand as the run copied them; %s: how to lock them.
  standing_policies constant text := 'select array(select p.id'
    || ' from private.retention_run_items it join public.contact_retention_policies p on p.id = it.policy_id'
    || ' where it.run_id = $1 and it.swept and it.finished_at is null and p.user_id = it.user_id and p.is_enabled'
    || ' and (p.data_class, p.action, p.retain_days, p.suppress_identifiers)'
    || ' = (it.data_class, it.action, it.retain_days, it.suppress_identifiers) %s)';
  attempts integer := 0;
  failure text;
  timed_out boolean := false;
begin
  select * into run from private.retention_runs r where r.id = retention_run_step.run_id for update;
  if not found or run.status <> 'running' or run.batches >= coalesce(run.max_batches, run.batches + 1) then
    return false;
  end if;

  -- The swept items' policies as they are now, locked for share until this transaction ends (a
  -- change or a delete waits for it); an item whose policy is gone, disabled or changed leaves the
  -- sweep, finished. A policy held past lock_timeout by a change left open fails alone: its item
  -- leaves the sweep with the error, and the next run resumes it. With none left, the sweep ends.
  if run.sweep_next_at < run.sweep_end_at then
    begin
      execute pg_catalog.format(standing_policies, 'for share of p') using run.id into live_policies;
    exception when lock_not_available then
      execute pg_catalog.format(standing_policies, 'for share of p skip locked') using run.id into live_policies;
      execute pg_catalog.format(standing_policies, '') using run.id into held_policies;
      update private.retention_run_items i
      set swept = false, error = pg_catalog.format('%s (SQLSTATE %s)', sqlerrm, sqlstate)
      where i.run_id = run.id and i.policy_id = any (held_policies) and not (i.policy_id = any (live_policies));
    end;
    update private.retention_run_items i
    set swept = false, finished_at = clock_timestamp()
    where i.run_id = run.id and i.swept and i.finished_at is null and not (i.policy_id = any (live_policies));
    if cardinality(live_policies) = 0 then
      update private.retention_runs r set sweep_next_at = r.sweep_end_at where r.id = run.id
      returning r.sweep_next_at into run.sweep_next_at;
    end if;
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

  -- At most 30 policies a step: each is a subtransaction, or two with a batch's own lock try, and
  -- past 64 in one transaction every snapshot taken meanwhile, in any session, must look them up
  -- in pg_subtrans.
  while clock_timestamp() - started <= interval '200 milliseconds' and examined_total < run.batch_size and attempts < 30 loop
    select * into item from private.retention_run_items i
    where i.run_id = run.id and i.finished_at is null and not i.swept and i.error is null
    order by i.user_id, i.data_class
    limit 1;
    exit when not found;
    attempts := attempts + 1;
    -- One policy's error undoes its own batch only (the block's savepoint): the item keeps its
    -- position and the error, this run works on the other policies, and the next run resumes it.
    begin
      -- The item's policy as it is now, locked for share until this transaction ends (a change or a
      -- delete waits for it). Gone, disabled or changed: the item is finished, nothing more done.
      perform 1 from public.contact_retention_policies p
      where p.id = item.policy_id and p.user_id = item.user_id and p.is_enabled
        and (p.data_class, p.action, p.retain_days, p.suppress_identifiers)
          = (item.data_class, item.action, item.retain_days, item.suppress_identifiers)
      for share of p;
      if not found then
        update private.retention_run_items i set finished_at = clock_timestamp()
        where i.run_id = run.id and i.policy_id = item.policy_id;
        continue;
      end if;
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
    exception
      when query_canceled then
        -- A statement timeout is this policy's failure, and the step's time is up: it ends here. A
        -- cancel request is not: it ends the run.
        if pg_catalog.current_setting('statement_timeout') = '0'
           or clock_timestamp() - statement_timestamp() < pg_catalog.current_setting('statement_timeout')::interval then
          raise;
        end if;
        failure := pg_catalog.format('%s (SQLSTATE %s)', sqlerrm, sqlstate);
        timed_out := true;
      when others then
        failure := pg_catalog.format('%s (SQLSTATE %s)', sqlerrm, sqlstate);
    end;
    if failure is not null then
      update private.retention_run_items i set error = failure where i.run_id = run.id and i.policy_id = item.policy_id;
      failure := null;
      exit when timed_out;
    end if;
  end loop;

  update private.retention_runs r
  set batches = r.batches + 1, affected_rows = r.affected_rows + affected_total,
      longest_batch_ms = greatest(r.longest_batch_ms, round(extract(epoch from clock_timestamp() - started) * 1000, 1))
  where r.id = run.id;
  return exists (select 1 from private.retention_run_items i where i.run_id = run.id and i.finished_at is null and i.error is null)
    and run.batches + 1 < coalesce(run.max_batches, run.batches + 2);
end;
$$;
comment on function private.retention_run_step(bigint) is
  'One bounded step (one transaction) of a retention run: the sweep, then keyset batches, for about 200 ms and 30 policies at most, each policy read again and locked for share first (one deleted, disabled or changed since the run started is applied no further) and run in a block of its own (an error, a statement timeout too, stops that policy only and is recorded on its item); returns whether the run has work left and may go on.';

create or replace function private.retention_run_finish(run_id bigint, error text default null)
returns private.retention_runs
language plpgsql
set search_path = ''
as $$
declare
  run private.retention_runs;
  was_running boolean;
  failed_policies text;
begin
  select r.status = 'running' into was_running from private.retention_runs r where r.id = retention_run_finish.run_id;
  select pg_catalog.format('%s of %s policies failed; the first, %s (owner %s, %s): %s',
           count(*) filter (where i.error is not null), count(*),
           (array_agg(i.policy_id order by i.user_id, i.data_class) filter (where i.error is not null))[1],
           (array_agg(i.user_id order by i.user_id, i.data_class) filter (where i.error is not null))[1],
           (array_agg(i.data_class order by i.user_id, i.data_class) filter (where i.error is not null))[1],
           (array_agg(i.error order by i.user_id, i.data_class) filter (where i.error is not null))[1])
  into failed_policies
  from private.retention_run_items i
  where i.run_id = retention_run_finish.run_id
  having count(*) filter (where i.error is not null) > 0;
  update private.retention_runs r
  set status = case
        when r.status <> 'running' then r.status
        when coalesce(retention_run_finish.error, failed_policies) is not null then 'failed'
        when exists (select 1 from private.retention_run_items i where i.run_id = r.id and i.finished_at is null) then 'stopped'
        else 'completed' end,
      finished_at = coalesce(r.finished_at, clock_timestamp()),
      error = coalesce(r.error, retention_run_finish.error, failed_policies),
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
  'Ends a retention run (completed, stopped, or failed: by the driver''s error or by policies that failed, counted in its error), records its totals and releases the driver''s lock; returns the run.';

-- All or nothing, as before: the run stops at the first policy that fails, and its error is
-- raised with its own SQLSTATE, which rolls this one transaction back.
create or replace function public.apply_retention_policies(dry_run boolean default false, owner_id uuid default null)
returns table (user_id uuid, data_class text, action text, affected_rows bigint)
language plpgsql
set search_path = ''
as $$
declare
  this_run constant bigint := private.retention_run_start(
    apply_retention_policies.dry_run, apply_retention_policies.owner_id, null, 'sql', 5000, false);
  more boolean;
  failed private.retention_run_items;
begin
  loop
    more := private.retention_run_step(this_run);
    select * into failed from private.retention_run_items i where i.run_id = this_run and i.error is not null limit 1;
    exit when found or not more;
  end loop;
  perform private.retention_run_finish(this_run);
  if failed.error is not null then
    raise exception 'retention policy % of owner % (%) failed: %', failed.policy_id, failed.user_id, failed.data_class, failed.error
      using errcode = substring(failed.error from '\(SQLSTATE (\w{5})\)$');
  end if;
  return query
  select i.user_id, i.data_class, i.action, i.affected_rows
  from private.retention_run_items i
  where i.run_id = this_run
  order by i.user_id, i.data_class;
end;
$$;
