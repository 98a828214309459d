-- Retention of interactions in physical order. The keyset batches (20251004000003) walk one owner's
-- interactions in time order. Owners' interactions are interleaved on the heap (everyone's
-- timeline grows at once), so one owner's rows sit a few to a page, and a purge owner by owner
-- reads and dirties most old pages once per owner: measured at 1M contacts and 10M interactions,
-- a quarter of the throughput of one DELETE ... WHERE (docs/benchmarks.md, retention). When a run
-- has many interactions to delete, it sweeps the table instead: each statement takes a range of
-- heap blocks (a TID range scan, in block order) and deletes the rows there of every owner the run
-- applies an interactions/delete policy for, past that owner's cutoff and not under legal hold.
-- Every page is read and dirtied once, as by the plain DELETE, and a statement's cost is bounded by
-- its block range. The run decides at its start (20251009000002); this migration adds its state.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter table private.retention_runs
  add column sweep_next_block bigint,
  add column sweep_end_block bigint,
  add column sweep_skipped_locked boolean not null default false;
comment on column private.retention_runs.sweep_next_block is
  'Sweep position: the next heap block of contact_interactions the run''s sweep examines (null: the run does not sweep).';
comment on column private.retention_runs.sweep_end_block is
  'Where the sweep ends: the table''s size in blocks when the sweep began (rows written later are newer than any cutoff, or left for the next run).';
comment on column private.retention_runs.sweep_skipped_locked is
  'The sweep left rows another transaction held (skip locked): the next run looks at every row again.';

alter table private.retention_run_items add column swept boolean not null default false;
comment on column private.retention_run_items.swept is
  'The policy is applied by the run''s sweep of contact_interactions in block order, not by keyset batches; it finishes when the sweep ends.';

-- Deletes (or, in a dry run, counts) the rows of blocks [from_block, to_block) past retention for
-- the run's swept policies, and returns how many per owner. Rows another transaction holds: as
-- the keyset batch, a 20 ms lock wait, then the range is redone with skip locked.
create function private.retention_interactions_sweep(run_id bigint, from_block bigint, to_block bigint, dry_run boolean)
returns table (user_id uuid, affected bigint)
language plpgsql
set search_path = ''
-- The held contacts are few: one hash of them per statement, as the plain DELETE's anti join,
-- not an index probe per row (the planner's pick from the block range's generic estimate).
set enable_nestloop = off
as $$
declare
  previous_lock_timeout constant text := pg_catalog.current_setting('lock_timeout');
  first_row constant tid := pg_catalog.format('(%s,0)', retention_interactions_sweep.from_block)::tid;
  end_row constant tid := pg_catalog.format('(%s,0)', retention_interactions_sweep.to_block)::tid;
  owners uuid[];
  counts bigint[];
begin
  if retention_interactions_sweep.dry_run then
    return query
    select i.user_id, count(*)
    from public.contact_interactions i
    join private.retention_run_items it
      on it.run_id = retention_interactions_sweep.run_id and it.swept and it.user_id = i.user_id
    where i.ctid >= first_row and i.ctid < end_row and i.occurred_at < it.cutoff
      and not exists (select 1 from public.contacts c where c.user_id = i.user_id and c.id = i.contact_id and c.legal_hold)
    group by i.user_id;
    return;
  end if;
  -- Counts are kept in variables, not returned from inside the block: a lock error undoes the
  -- delete, and must not leave rows in the result.
  begin
    perform pg_catalog.set_config('lock_timeout', '20ms', true);
    with removed as (
      delete from public.contact_interactions i
      using private.retention_run_items it
      where it.run_id = retention_interactions_sweep.run_id and it.swept and it.user_id = i.user_id
        and i.ctid >= first_row and i.ctid < end_row and i.occurred_at < it.cutoff
        and not exists (select 1 from public.contacts c where c.user_id = i.user_id and c.id = i.contact_id and c.legal_hold)
      returning i.user_id
    )
    select array_agg(r.user_id), array_agg(r.n) into owners, counts
    from (select d.user_id, count(*) as n from removed d group by d.user_id) r;
    perform pg_catalog.set_config('lock_timeout', previous_lock_timeout, true);
  exception when lock_not_available then
    update private.retention_runs r set sweep_skipped_locked = true where r.id = retention_interactions_sweep.run_id;
    with locked as (
      select i.ctid as row_tid
      from public.contact_interactions i
      join private.retention_run_items it
        on it.run_id = retention_interactions_sweep.run_id and it.swept and it.user_id = i.user_id
      where i.ctid >= first_row and i.ctid < end_row and i.occurred_at < it.cutoff
        and not exists (select 1 from public.contacts c where c.user_id = i.user_id and c.id = i.contact_id and c.legal_hold)
      for update of i skip locked
    ),
    removed as (
      delete from public.contact_interactions i where i.ctid = any (array(select l.row_tid from locked l))
      returning i.user_id
    )
    select array_agg(r.user_id), array_agg(r.n) into owners, counts
    from (select d.user_id, count(*) as n from removed d group by d.user_id) r;
  end;
  return query select o.owner_id, o.n from unnest(owners, counts) as o (owner_id, n);
end;
$$;
comment on function private.retention_interactions_sweep(bigint, bigint, bigint, boolean) is
  'One statement of a retention sweep: deletes (or counts) the interactions in a range of heap blocks past the cutoff of the run''s swept interactions/delete policies, not under legal hold; returns the count per owner.';
revoke execute on function private.retention_interactions_sweep(bigint, bigint, bigint, boolean) from public;
grant execute on function private.retention_interactions_sweep(bigint, bigint, bigint, boolean) to service_role;
