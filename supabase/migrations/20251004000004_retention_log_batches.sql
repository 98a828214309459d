-- Retention batches of the log classes: access_log and audit_log, delete only. Same contract as
-- the data-class batches (20251004000003): a bounded window in keyset order, skip locked, one owner.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- access_log (agent_contact_access_log by searched_at) and audit_log (contact_audit_log by
-- occurred_at): delete only, over their (user_id, time) indexes by (time, id). Audit entries of a
-- contact under legal hold are kept.
create function private.retention_logs_batch(
  owner_id uuid, data_class text, cutoff timestamptz, after_at timestamptz, after_id bigint,
  window_size integer, dry_run boolean,
  out examined bigint, out affected bigint, out last_at timestamptz, out last_id bigint, out more boolean)
returns record
language plpgsql
set search_path = ''
-- Bounded by the window, as the interactions batch (20251004000003).
set enable_bitmapscan = off
set enable_seqscan = off
as $$
declare
  targets tid[];
begin
  if retention_logs_batch.data_class = 'access_log' then
    select count(*), (array_agg(w.searched_at order by w.searched_at desc, w.id desc))[1],
      (array_agg(w.id order by w.searched_at desc, w.id desc))[1], coalesce(array_agg(w.row_tid), '{}')
    into examined, last_at, last_id, targets
    from (
      select l.ctid as row_tid, l.searched_at, l.id
      from public.agent_contact_access_log l
      where l.user_id = retention_logs_batch.owner_id
        and l.searched_at < retention_logs_batch.cutoff
        and l.searched_at >= coalesce(retention_logs_batch.after_at, '-infinity')
        and (retention_logs_batch.after_at is null
             or (l.searched_at, l.id) > (retention_logs_batch.after_at, retention_logs_batch.after_id))
      order by l.searched_at, l.id
      limit retention_logs_batch.window_size
    ) w;
  else
    select count(*), (array_agg(w.occurred_at order by w.occurred_at desc, w.id desc))[1],
      (array_agg(w.id order by w.occurred_at desc, w.id desc))[1],
      coalesce(array_agg(w.row_tid) filter (where not w.held), '{}')
    into examined, last_at, last_id, targets
    from (
      select a.ctid as row_tid, a.occurred_at, a.id,
        a.contact_id is not null and exists (
          select 1 from public.contacts c where c.id = a.contact_id and c.user_id = a.user_id and c.legal_hold) as held
      from public.contact_audit_log a
      where a.user_id = retention_logs_batch.owner_id
        and a.occurred_at < retention_logs_batch.cutoff
        and a.occurred_at >= coalesce(retention_logs_batch.after_at, '-infinity')
        and (retention_logs_batch.after_at is null
             or (a.occurred_at, a.id) > (retention_logs_batch.after_at, retention_logs_batch.after_id))
      order by a.occurred_at, a.id
      limit retention_logs_batch.window_size
    ) w;
  end if;
  more := examined = retention_logs_batch.window_size;

  if retention_logs_batch.dry_run or cardinality(targets) = 0 then
    affected := cardinality(targets);
    return;
  end if;
  if retention_logs_batch.data_class = 'access_log' then
    with locked as (
      select l.ctid as row_tid from public.agent_contact_access_log l
      where l.ctid = any (targets) and l.user_id = retention_logs_batch.owner_id
      for update skip locked
    )
    delete from public.agent_contact_access_log l where l.ctid = any (array(select k.row_tid from locked k));
  else
    with locked as (
      select a.ctid as row_tid from public.contact_audit_log a
      where a.ctid = any (targets) and a.user_id = retention_logs_batch.owner_id
      for update skip locked
    )
    delete from public.contact_audit_log a where a.ctid = any (array(select k.row_tid from locked k));
  end if;
  get diagnostics affected = row_count;
end;
$$;
comment on function private.retention_logs_batch(uuid, text, timestamptz, timestamptz, bigint, integer, boolean) is
  'One retention batch of an access_log or audit_log policy: deletes at most window_size of the owner''s entries older than the cutoff (audit entries of contacts under legal hold stay).';
revoke execute on function private.retention_logs_batch(uuid, text, timestamptz, timestamptz, bigint, integer, boolean) from public;
grant execute on function private.retention_logs_batch(uuid, text, timestamptz, timestamptz, bigint, integer, boolean) to service_role;
