-- Rollback of 20251020000029_interaction_sweep_waits_for_holds_being_placed:
-- private.retention_interactions_sweep as 20251009000000 made it, and no hold trigger.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.retention_interactions_sweep(
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
drop trigger contacts_hold_waits_for_retention_sweep on public.contacts;
drop function private.hold_waits_for_retention_sweep();
