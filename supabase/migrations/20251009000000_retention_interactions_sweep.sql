-- Retention of interactions across owners at once. The keyset batches (20251004000003) walk one
-- owner's interactions in time order. Owners' interactions are interleaved on the heap (everyone's
-- timeline grows at once), so one owner's rows sit a few to a page, and a purge owner by owner
-- reads and dirties every old page once per owner: measured at 1M contacts and 10M interactions, a
-- quarter of the throughput of one DELETE ... WHERE (docs/benchmarks.md, retention). When a run has
-- many interactions to delete, it sweeps them instead: each statement takes a window of time and
-- deletes the rows in it of every owner the run applies an interactions/delete policy for, past
-- that owner's cutoff and not under legal hold, through one bitmap scan of
-- contact_interactions_user_occurred_idx: the pages holding those rows are read in block order,
-- once for all owners. Windows follow each other in time; each statement deletes at most max_rows
-- (a window holding more is narrowed and done again), so its cost is bounded. The run decides at
-- its start (20251009000002); this migration adds its state.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter table private.retention_runs
  add column sweep_next_at timestamptz,
  add column sweep_end_at timestamptz,
  add column sweep_window interval,
  add column sweep_skipped_locked boolean not null default false;
comment on column private.retention_runs.sweep_next_at is
  'Sweep position: the start of the next window of occurred_at the run''s sweep deletes in (null: the run does not sweep).';
comment on column private.retention_runs.sweep_end_at is 'Where the sweep ends: the latest cutoff of its policies.';
comment on column private.retention_runs.sweep_window is
  'The width of the sweep''s next window, adapted after each statement to hold about half of its row budget.';
comment on column private.retention_runs.sweep_skipped_locked is
  'The sweep left rows another transaction held (skip locked): the run records no watermark.';

alter table private.retention_run_items add column swept boolean not null default false;
comment on column private.retention_run_items.swept is
  'The policy is applied by the run''s sweep across owners, not by keyset batches; it finishes when the sweep ends.';

-- Deletes (or, in a dry run, counts) at most max_rows interactions with occurred_at in
-- [from_at, to_at) past retention for the run's swept policies (from each policy's keyset
-- position on: older rows are known to be held), and returns how many per owner, and in a row
-- without owner how many rows the window held (up to max_rows: at max_rows, the window may hold
-- more and is done again; rows deleted meanwhile by others do not make it look done). Rows another
-- transaction holds: as the keyset batch, a 20 ms lock wait, then the window is redone with skip
-- locked. A dry run counts the whole window (it deletes nothing, so a window cannot be redone).
create function private.retention_interactions_sweep(
  run_id bigint, from_at timestamptz, to_at timestamptz, max_rows integer, dry_run boolean)
returns table (user_id uuid, affected bigint)
language plpgsql
set search_path = ''
-- One bitmap of the window over every swept owner, its pages read in block order; hashes of the
-- policies and of the (few) held contacts, as the plain DELETE's anti join.
set enable_indexscan = off
set enable_seqscan = off
set enable_nestloop = off
as $$
declare
  previous_lock_timeout constant text := pg_catalog.current_setting('lock_timeout');
  owners constant uuid[] := array(
    select it.user_id from private.retention_run_items it where it.run_id = retention_interactions_sweep.run_id and it.swept);
  targets tid[];
  window_rows bigint;
  counted_owners uuid[];
  counts bigint[];
begin
  if retention_interactions_sweep.dry_run then
    return query
    select i.user_id, count(*)
    from public.contact_interactions i
    join private.retention_run_items it
      on it.run_id = retention_interactions_sweep.run_id and it.swept and it.user_id = i.user_id
    where i.user_id = any (owners) and i.occurred_at >= retention_interactions_sweep.from_at
      and i.occurred_at < retention_interactions_sweep.to_at
      and i.occurred_at < it.cutoff and i.occurred_at >= coalesce(it.position_at, '-infinity')
      and not exists (select 1 from public.contacts c where c.user_id = i.user_id and c.id = i.contact_id and c.legal_hold)
    group by i.user_id;
    return query select null::uuid, 0::bigint;
    return;
  end if;
  -- A window holding less than the budget is deleted in one pass (a bitmap heap scan feeding the
  -- delete, as the plain DELETE's scan does). A fuller one is handed back to be narrowed, deleting
  -- nothing, unless it is a millisecond or less (rows written at one instant): then its first
  -- max_rows rows are picked and deleted by ctid, and it is done again.
  -- Counted from the index alone (an index-only scan; the function's settings are for the delete).
  perform pg_catalog.set_config('enable_indexscan', 'on', true);
  select count(*) into window_rows
  from (
    select 1 from public.contact_interactions i
    where i.user_id = any (owners) and i.occurred_at >= retention_interactions_sweep.from_at
      and i.occurred_at < retention_interactions_sweep.to_at
    limit retention_interactions_sweep.max_rows
  ) x;
  perform pg_catalog.set_config('enable_indexscan', 'off', true);
  if window_rows >= retention_interactions_sweep.max_rows then
    if retention_interactions_sweep.to_at - retention_interactions_sweep.from_at > interval '1 millisecond' then
      return query select null::uuid, window_rows;
      return;
    end if;
    targets := array(
      select i.ctid
      from public.contact_interactions i
      join private.retention_run_items it
        on it.run_id = retention_interactions_sweep.run_id and it.swept and it.user_id = i.user_id
      where i.user_id = any (owners) and i.occurred_at >= retention_interactions_sweep.from_at
        and i.occurred_at < retention_interactions_sweep.to_at
        and i.occurred_at < it.cutoff and i.occurred_at >= coalesce(it.position_at, '-infinity')
        and not exists (select 1 from public.contacts c where c.user_id = i.user_id and c.id = i.contact_id and c.legal_hold)
      limit retention_interactions_sweep.max_rows);
    window_rows := cardinality(targets);
  end if;
  -- Counts are kept in variables, not returned from inside the block: a lock error undoes the
  -- delete, and must not leave rows in the result. Picked rows are checked again (a slot may hold
  -- another row by now).
  begin
    perform pg_catalog.set_config('lock_timeout', '20ms', true);
    if targets is null then
      with removed as (
        delete from public.contact_interactions i
        using private.retention_run_items it
        where it.run_id = retention_interactions_sweep.run_id and it.swept and it.user_id = i.user_id
          and i.user_id = any (owners) and i.occurred_at >= retention_interactions_sweep.from_at
          and i.occurred_at < retention_interactions_sweep.to_at
          and i.occurred_at < it.cutoff and i.occurred_at >= coalesce(it.position_at, '-infinity')
          and not exists (select 1 from public.contacts c where c.user_id = i.user_id and c.id = i.contact_id and c.legal_hold)
        returning i.user_id
      )
      select array_agg(r.user_id), array_agg(r.n) into counted_owners, counts
      from (select d.user_id, count(*) as n from removed d group by d.user_id) r;
    else
      with removed as (
        delete from public.contact_interactions i
        using private.retention_run_items it
        where i.ctid = any (targets) and it.run_id = retention_interactions_sweep.run_id and it.swept
          and it.user_id = i.user_id and i.occurred_at < it.cutoff
          and not exists (select 1 from public.contacts c where c.user_id = i.user_id and c.id = i.contact_id and c.legal_hold)
        returning i.user_id
      )
      select array_agg(r.user_id), array_agg(r.n) into counted_owners, counts
      from (select d.user_id, count(*) as n from removed d group by d.user_id) r;
    end if;
    perform pg_catalog.set_config('lock_timeout', previous_lock_timeout, true);
  exception when lock_not_available then
    update private.retention_runs r set sweep_skipped_locked = true where r.id = retention_interactions_sweep.run_id;
    with locked as (
      select i.ctid as row_tid
      from public.contact_interactions i
      join private.retention_run_items it
        on it.run_id = retention_interactions_sweep.run_id and it.swept and it.user_id = i.user_id
      where i.user_id = any (owners) and i.occurred_at >= retention_interactions_sweep.from_at
        and i.occurred_at < retention_interactions_sweep.to_at
        and i.occurred_at < it.cutoff and i.occurred_at >= coalesce(it.position_at, '-infinity')
        and not exists (select 1 from public.contacts c where c.user_id = i.user_id and c.id = i.contact_id and c.legal_hold)
      limit retention_interactions_sweep.max_rows
      for update of i skip locked
    ),
    removed as (
      delete from public.contact_interactions i where i.ctid = any (array(select l.row_tid from locked l))
      returning i.user_id
    )
    select array_agg(r.user_id), array_agg(r.n) into counted_owners, counts
    from (select d.user_id, count(*) as n from removed d group by d.user_id) r;
  end;
  return query select o.owner_id, o.n from unnest(counted_owners, counts) as o (owner_id, n)
    union all select null, window_rows;
end;
$$;
comment on function private.retention_interactions_sweep(bigint, timestamptz, timestamptz, integer, boolean) is
  'One statement of a retention sweep: deletes (or counts) at most max_rows interactions of a window of time past the cutoff of the run''s swept interactions/delete policies, not under legal hold; returns the count per owner, and without owner how many the window held.';
revoke execute on function private.retention_interactions_sweep(bigint, timestamptz, timestamptz, integer, boolean) from public;
grant execute on function private.retention_interactions_sweep(bigint, timestamptz, timestamptz, integer, boolean) to service_role;
