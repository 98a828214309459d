-- Retention batches: one bounded step of one policy. Each function examines at most window_size
-- rows of one owner past the policy's cutoff, in keyset order over an index, starting after the
-- position the previous batch reached, and returns how far it got. Rows under legal hold (their
-- contact's), rows with nothing left to wipe and rows another transaction has locked (skip locked)
-- are examined but left alone, so a batch's cost is bounded by the window, never by what it skips.
-- Every statement is scoped to the policy's owner. Callers: private.retention_run_step (the service).
set lock_timeout = '5s';
set statement_timeout = '5min';

-- interactions (delete | anonymize: bodies, error text, metadata) and interaction_content
-- (anonymize: bodies only), over contact_interactions_user_occurred_idx by (occurred_at, id).
create function private.retention_interactions_batch(
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
revoke execute on function private.retention_interactions_batch(uuid, text, text, timestamptz, timestamptz, uuid, integer, boolean) from public;
grant execute on function private.retention_interactions_batch(uuid, text, text, timestamptz, timestamptz, uuid, integer, boolean) to service_role;

-- inactive_contacts (delete | anonymize through private.anonymize_contacts, the one place that
-- anonymizes), over contacts_user_id_created_at_idx by (created_at, id): contacts created before
-- the cutoff with no interaction since. Hold and inactivity are checked again when the contact is
-- locked, so an interaction logged meanwhile (or a hold placed) saves it.
create function private.retention_contacts_batch(
  owner_id uuid, action text, cutoff timestamptz, after_at timestamptz, after_id uuid,
  window_size integer, dry_run boolean, suppress boolean,
  out examined bigint, out affected bigint, out last_at timestamptz, out last_id uuid, out more boolean)
returns record
language plpgsql
set search_path = ''
-- Bounded by the window, as the interactions batch (above).
set enable_bitmapscan = off
set enable_seqscan = off
as $$
declare
  targets uuid[];
  doomed uuid[];
begin
  select count(*), (array_agg(w.created_at order by w.created_at desc, w.id desc))[1],
    (array_agg(w.id order by w.created_at desc, w.id desc))[1],
    coalesce(array_agg(w.id) filter (where w.target), '{}')
  into examined, last_at, last_id, targets
  from (
    select c.id, c.created_at,
      not c.legal_hold and (retention_contacts_batch.action = 'delete' or c.status <> 'anonymized')
      and not exists (
        select 1 from public.contact_interactions i
        where i.contact_id = c.id and i.user_id = c.user_id and i.occurred_at >= retention_contacts_batch.cutoff) as target
    from public.contacts c
    where c.user_id = retention_contacts_batch.owner_id
      and c.created_at < retention_contacts_batch.cutoff
      and c.created_at >= coalesce(retention_contacts_batch.after_at, '-infinity')
      and (retention_contacts_batch.after_at is null
           or (c.created_at, c.id) > (retention_contacts_batch.after_at, retention_contacts_batch.after_id))
    order by c.created_at, c.id
    limit retention_contacts_batch.window_size
  ) w;
  more := examined = retention_contacts_batch.window_size;

  if retention_contacts_batch.dry_run or cardinality(targets) = 0 then
    affected := cardinality(targets);
    return;
  end if;
  -- Lock order as in gdpr_delete_contact: the contact first, then its children (by cascade).
  select coalesce(array_agg(x.id), '{}') into doomed
  from (
    select c.id from public.contacts c
    where c.id = any (targets) and c.user_id = retention_contacts_batch.owner_id and not c.legal_hold
      and not exists (
        select 1 from public.contact_interactions i
        where i.contact_id = c.id and i.user_id = c.user_id and i.occurred_at >= retention_contacts_batch.cutoff)
    for update of c skip locked
  ) x;
  if cardinality(doomed) = 0 then
    affected := 0;
    return;
  end if;
  if retention_contacts_batch.suppress then
    perform private.suppress_identifiers(retention_contacts_batch.owner_id, array(
      select private.channel_identifier_key(ch.channel_type, ch.normalized_identifier)
      from public.contact_communication_channels ch
      where ch.contact_id = any (doomed) and ch.user_id = retention_contacts_batch.owner_id));
  end if;
  if retention_contacts_batch.action = 'delete' then
    delete from public.contacts c where c.id = any (doomed) and c.user_id = retention_contacts_batch.owner_id;
  else
    perform private.anonymize_contacts(doomed);
  end if;
  affected := cardinality(doomed);
end;
$$;
comment on function private.retention_contacts_batch(uuid, text, timestamptz, timestamptz, uuid, integer, boolean, boolean) is
  'One retention batch of an inactive_contacts policy: examines at most window_size of the owner''s contacts created before the cutoff, deletes or anonymizes those without an interaction since and not under legal hold (suppressing their identifiers first when asked).';
revoke execute on function private.retention_contacts_batch(uuid, text, timestamptz, timestamptz, uuid, integer, boolean, boolean) from public;
grant execute on function private.retention_contacts_batch(uuid, text, timestamptz, timestamptz, uuid, integer, boolean, boolean) to service_role;

-- import_jobs (delete the job | anonymize: drop its error rows and error summary), over
-- contact_import_jobs_user_created_idx by (created_at, id); finished jobs only. A job's error rows
-- go at most 10 x window_size per batch: a job with more stays at the position until it is done.
create function private.retention_import_jobs_batch(
  owner_id uuid, action text, cutoff timestamptz, after_at timestamptz, after_id uuid,
  window_size integer, dry_run boolean,
  out examined bigint, out affected bigint, out last_at timestamptz, out last_id uuid, out more boolean)
returns record
language plpgsql
set search_path = ''
as $$
declare
  job record;
  -- Error rows are light: ten per job of the window.
  budget bigint := retention_import_jobs_batch.window_size * 10;
  removed bigint;
  jobs_seen bigint := 0;
begin
  examined := 0;
  affected := 0;
  last_at := retention_import_jobs_batch.after_at;
  last_id := retention_import_jobs_batch.after_id;
  more := false;
  for job in
    select j.id, j.created_at,
      j.status in ('completed', 'failed', 'cancelled') and j.completed_at < retention_import_jobs_batch.cutoff
      and (retention_import_jobs_batch.action = 'delete' or j.error_summary is not null or exists (
        select 1 from public.contact_import_job_errors e where e.job_id = j.id and e.user_id = j.user_id)) as target
    from public.contact_import_jobs j
    where j.user_id = retention_import_jobs_batch.owner_id
      and j.created_at < retention_import_jobs_batch.cutoff
      and j.created_at >= coalesce(retention_import_jobs_batch.after_at, '-infinity')
      and (retention_import_jobs_batch.after_at is null
           or (j.created_at, j.id) > (retention_import_jobs_batch.after_at, retention_import_jobs_batch.after_id))
    order by j.created_at, j.id
    limit retention_import_jobs_batch.window_size
  loop
    if job.target and retention_import_jobs_batch.dry_run then
      affected := affected + 1;
    elsif job.target then
      -- A job someone holds (an import resuming it) is left for the next run.
      perform 1 from public.contact_import_jobs j
      where j.id = job.id and j.user_id = retention_import_jobs_batch.owner_id and j.status in ('completed', 'failed', 'cancelled')
      for update skip locked;
      if found then
        with doomed as (
          select e.ctid as row_tid from public.contact_import_job_errors e
          where e.job_id = job.id and e.user_id = retention_import_jobs_batch.owner_id
          limit budget
          for update skip locked
        )
        delete from public.contact_import_job_errors e where e.ctid = any (array(select d.row_tid from doomed d));
        get diagnostics removed = row_count;
        budget := budget - removed;
        -- Ten error rows weigh one job in the caller's budget.
        examined := examined + removed / 10;
        if budget <= 0 and exists (
          select 1 from public.contact_import_job_errors e where e.job_id = job.id and e.user_id = retention_import_jobs_batch.owner_id) then
          more := true;
          return;
        end if;
        if retention_import_jobs_batch.action = 'delete' then
          delete from public.contact_import_jobs j where j.id = job.id and j.user_id = retention_import_jobs_batch.owner_id;
        else
          update public.contact_import_jobs j set error_summary = null
          where j.id = job.id and j.user_id = retention_import_jobs_batch.owner_id and j.error_summary is not null;
        end if;
        affected := affected + 1;
      end if;
    end if;
    examined := examined + 1;
    jobs_seen := jobs_seen + 1;
    last_at := job.created_at;
    last_id := job.id;
    exit when budget <= 0;
  end loop;
  more := more or jobs_seen >= retention_import_jobs_batch.window_size or budget <= 0;
end;
$$;
comment on function private.retention_import_jobs_batch(uuid, text, timestamptz, timestamptz, uuid, integer, boolean) is
  'One retention batch of an import_jobs policy: the owner''s jobs finished before the cutoff lose their error rows (at most 10 x window_size per batch) and error summary, or are deleted.';
revoke execute on function private.retention_import_jobs_batch(uuid, text, timestamptz, timestamptz, uuid, integer, boolean) from public;
grant execute on function private.retention_import_jobs_batch(uuid, text, timestamptz, timestamptz, uuid, integer, boolean) to service_role;
