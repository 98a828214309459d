-- The cross-owner interactions sweep (private.retention_interactions_sweep, 20251009000000) read
-- legal holds with each statement's snapshot and locked no contact: a hold committed while a sweep
-- statement ran, or before its transaction committed, did not stop it, and retention deleted the
-- interactions of a contact already held (20251020000025 fixed the same race in the keyset batch).
-- Locking every contact a window touches, as the keyset batch does, would undo the sweep's design
-- (one bitmap scan per window feeding the delete, pages read once, docs/benchmarks.md): the rows
-- would be found first, a share lock written on each of their contacts (at the benchmark's scale a
-- window of 5,000 interactions belongs to about as many contacts: 5,000 tuple writes, their pages
-- dirtied and logged), then visited again by ctid: the shape of the keyset batches, measured at
-- 0.25x of the raw delete before they even locked contacts, where the target is 0.5x and the sweep
-- makes 0.52x. What changed instead:
--  - a statement that sets legal_hold (placing or lifting a hold) takes a transaction advisory
--    lock, in share mode, before it locks any row (trigger contacts_hold_waits_for_retention_sweep,
--    for each statement: a row trigger would run with the contact already locked, and keep every
--    other writer of the contact waiting with it); holds do not wait for each other;
--  - the sweep (a real one) takes that lock exclusively for its transaction, waiting at most 20 ms:
--    every hold committed is then seen by its statements, and a hold placed later waits for its
--    transaction (a driver's step, about 200 ms; the one-transaction apply_retention_policies,
--    until it commits). When a hold is being placed right then, the statement instead picks the
--    window's rows, locks their contacts for share (skip locked) and reads their hold again, as the
--    keyset batch does; rows left so mean no watermark (sweep_skipped_locked).
-- The sweep's pages, plans and budget are as they were. Read committed, as the drivers run: a
-- repeatable read transaction would keep the snapshot it took before the lock.
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.hold_waits_for_retention_sweep()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.hashtextextended('contact_retention_holds', 0));
  return null;
end;
$$;
comment on function private.hold_waits_for_retention_sweep() is
  'Statement trigger: a statement setting legal_hold takes the retention hold lock in share mode for its transaction, before it locks any contact, so a hold placed waits for a running retention sweep''s transaction and a sweep sees it once committed.';
revoke execute on function private.hold_waits_for_retention_sweep() from public;
grant execute on function private.hold_waits_for_retention_sweep() to authenticated, service_role;

create trigger contacts_hold_waits_for_retention_sweep
  before update of legal_hold on public.contacts
  for each statement
  execute function private.hold_waits_for_retention_sweep();
comment on trigger contacts_hold_waits_for_retention_sweep on public.contacts is
  'A legal hold placed while a retention sweep''s transaction runs waits for it; the sweep then sees every hold committed before it (private.retention_interactions_sweep).';

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
  holds_settled boolean;
  picked_contacts uuid[];
  locked_contacts uuid[];
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
  -- Legal holds: placing one takes the hold lock in share mode for its transaction (trigger
  -- contacts_hold_waits_for_retention_sweep); the sweep takes it exclusively, for its transaction.
  -- Held, it makes the statements below see every hold committed so far, and a hold placed from
  -- now on waits until this transaction ends. A hold under way keeps it from the sweep: after 20 ms
  -- this statement locks the window's contacts instead, as the keyset batch does (20251020000025).
  begin
    perform pg_catalog.set_config('lock_timeout', '20ms', true);
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('contact_retention_holds', 0));
    perform pg_catalog.set_config('lock_timeout', previous_lock_timeout, true);
    holds_settled := true;
  exception when lock_not_available then
    holds_settled := false;
  end;
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
  -- Without the hold lock: the window's rows (fewer than max_rows here) are picked, their contacts
  -- locked for share, skipping those another transaction holds (a hold being placed), and their
  -- hold read again; only rows of the contacts locked are deleted. Rows left so: no watermark.
  if not holds_settled then
    if targets is null then
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
    end if;
    picked_contacts := array(
      select distinct t.contact_id from public.contact_interactions t where t.ctid = any (targets) and t.user_id = any (owners));
    locked_contacts := array(
      select c.id from public.contacts c
      where c.id = any (picked_contacts) and c.user_id = any (owners) and not c.legal_hold
      for share of c skip locked);
    if cardinality(locked_contacts) < cardinality(picked_contacts) then
      update private.retention_runs r set sweep_skipped_locked = true where r.id = retention_interactions_sweep.run_id;
    end if;
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
          and (holds_settled or i.contact_id = any (locked_contacts))
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
          and (holds_settled or i.contact_id = any (locked_contacts))
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
        and (holds_settled or i.contact_id = any (locked_contacts))
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
  'One statement of a retention sweep: deletes (or counts) at most max_rows interactions of a window of time past the cutoff of the run''s swept interactions/delete policies, not under legal hold (holds placed meanwhile wait for its transaction, or keep their contacts'' rows); returns the count per owner, and without owner how many the window held.';
