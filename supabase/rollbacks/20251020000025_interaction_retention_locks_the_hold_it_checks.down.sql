-- Rollback of 20251020000025_interaction_retention_locks_the_hold_it_checks: retention_interactions_batch
-- as 20251004000003 made it.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.retention_interactions_batch(
  owner_id uuid, data_class text, action text, cutoff timestamptz, after_at timestamptz, after_id uuid,
  window_size integer, dry_run boolean,
  out examined bigint, out affected bigint, out last_at timestamptz, out last_id uuid, out more boolean)
returns record
language plpgsql
set search_path = ''
-- A batch's cost must be bounded by its window: an ordered index scan that stops after window_size
-- rows, and TID or key lookups for the rows it acts on; never a bitmap of every old row of the
-- owner, nor a scan of the table (which the planner picks for small owners or tables).
set enable_bitmapscan = off
set enable_seqscan = off
as $$
declare
  full_wipe constant boolean := retention_interactions_batch.data_class = 'interactions';
  previous_lock_timeout constant text := pg_catalog.current_setting('lock_timeout');
  targets tid[];
begin
  select count(*), (array_agg(w.occurred_at order by w.occurred_at desc, w.id desc))[1],
    (array_agg(w.id order by w.occurred_at desc, w.id desc))[1],
    coalesce(array_agg(w.row_tid) filter (where not w.held
      and (retention_interactions_batch.action = 'delete' or w.has_body or (full_wipe and w.has_extra))), '{}')
  into examined, last_at, last_id, targets
  from (
    select i.ctid as row_tid, i.occurred_at, i.id,
      (i.subject is not null or i.content is not null or i.summary is not null) as has_body,
      (i.error_message is not null or i.metadata <> '{}'::jsonb) as has_extra,
      exists (select 1 from public.contacts c where c.user_id = i.user_id and c.id = i.contact_id and c.legal_hold) as held
    from public.contact_interactions i
    where i.user_id = retention_interactions_batch.owner_id
      and i.occurred_at < retention_interactions_batch.cutoff
      and i.occurred_at >= coalesce(retention_interactions_batch.after_at, '-infinity')
      and (retention_interactions_batch.after_at is null
           or (i.occurred_at, i.id) > (retention_interactions_batch.after_at, retention_interactions_batch.after_id))
    order by i.occurred_at, i.id
    limit retention_interactions_batch.window_size
  ) w;
  more := examined = retention_interactions_batch.window_size;

  if retention_interactions_batch.dry_run or cardinality(targets) = 0 then
    affected := cardinality(targets);
    return;
  end if;
  -- Rows another transaction holds are skipped (the next run takes them). Deletes first try without
  -- a separate locking pass (which would write every row twice), waiting at most 20 ms for a row
  -- lock; when one is held longer, the batch is redone locking with skip locked.
  if retention_interactions_batch.action = 'delete' then
    begin
      perform pg_catalog.set_config('lock_timeout', '20ms', true);
      delete from public.contact_interactions i
      where i.ctid = any (targets) and i.user_id = retention_interactions_batch.owner_id;
      get diagnostics affected = row_count;
      perform pg_catalog.set_config('lock_timeout', previous_lock_timeout, true);
      return;
    exception when lock_not_available then
      null;
    end;
    with locked as (
      select i.ctid as row_tid from public.contact_interactions i
      where i.ctid = any (targets) and i.user_id = retention_interactions_batch.owner_id
      for update skip locked
    )
    delete from public.contact_interactions i where i.ctid = any (array(select l.row_tid from locked l));
  else
    -- The interaction fields private.anonymize_contacts wipes (bodies only for interaction_content).
    with locked as (
      select i.ctid as row_tid from public.contact_interactions i
      where i.ctid = any (targets) and i.user_id = retention_interactions_batch.owner_id
      for update skip locked
    )
    update public.contact_interactions i
    set subject = null, content = null, summary = null,
        error_message = case when full_wipe then null else i.error_message end,
        metadata = case when full_wipe then '{}'::jsonb else i.metadata end
    where i.ctid = any (array(select l.row_tid from locked l));
  end if;
  get diagnostics affected = row_count;
end;
$$;
comment on function private.retention_interactions_batch(uuid, text, text, timestamptz, timestamptz, uuid, integer, boolean) is
  'One retention batch of an interactions or interaction_content policy: examines at most window_size of the owner''s interactions older than the cutoff after the given (occurred_at, id), deletes or wipes those not under legal hold.';
