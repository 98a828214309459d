-- Rolls back 20251020000043_anonymized_import_jobs_keep_no_header_and_no_upload: restores
-- retention_import_jobs_batch as 20251020000037 defined it.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.retention_import_jobs_batch(
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
  -- The owner's contacts under legal hold, and their identifiers as an import report holds them
  -- (as stored and in their matching form, lower-cased: private.contact_identifier_values).
  held_ids uuid[];
  held_identifiers text[];
  previous_lock_timeout constant text := pg_catalog.current_setting('lock_timeout');
  holds_settled boolean := true;
begin
  -- Legal holds: placing one takes the retention hold lock in share mode for its transaction
  -- (trigger contacts_hold_waits_for_retention_sweep); a real batch takes it exclusively, for its
  -- transaction, before it reads the holds: every hold committed so far is then read below, and one
  -- placed from now on waits until this transaction ends. A hold under way keeps the lock from the
  -- batch: after 20 ms it acts on no job of this window (the next run takes them).
  if not retention_import_jobs_batch.dry_run then
    begin
      perform pg_catalog.set_config('lock_timeout', '20ms', true);
      perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('contact_retention_holds', 0));
      perform pg_catalog.set_config('lock_timeout', previous_lock_timeout, true);
    exception when lock_not_available then
      holds_settled := false;
    end;
  end if;
  select coalesce(array_agg(c.id), '{}') into held_ids
  from public.contacts c
  where c.user_id = retention_import_jobs_batch.owner_id and c.legal_hold;
  select coalesce(array_agg(distinct v.value), '{}') into held_identifiers
  from unnest(held_ids) as h (id)
  cross join lateral unnest(private.contact_identifier_values(h.id, retention_import_jobs_batch.owner_id)) as v (value);
  examined := 0;
  affected := 0;
  last_at := retention_import_jobs_batch.after_at;
  last_id := retention_import_jobs_batch.after_id;
  more := false;
  for job in
    select j.id, j.created_at,
      j.status in ('completed', 'failed', 'cancelled') and j.completed_at < retention_import_jobs_batch.cutoff
      and (retention_import_jobs_batch.action = 'delete' or j.error_summary is not null or j.dry_run_report is not null
        or exists (select 1 from public.contact_import_job_errors e where e.job_id = j.id and e.user_id = j.user_id)
        or exists (select 1 from private.contact_import_dry_run_claims d where d.job_id = j.id and d.user_id = j.user_id))
      -- A job about a contact under legal hold is kept whole: its change log (the contact's previous
      -- values), the report lines and dry-run entries the export attributes to the contact, its claims.
      and not (cardinality(held_ids) > 0 and (
        exists (select 1 from public.contact_import_changes ic
                where ic.job_id = j.id and ic.user_id = j.user_id and ic.contact_id = any (held_ids))
        or exists (select 1 from public.contact_import_job_errors e
                   where e.job_id = j.id and e.user_id = j.user_id and private.is_identifier_value(e.value_excerpt, held_identifiers))
        or exists (select 1 from jsonb_each(coalesce(j.dry_run_report, '{}'::jsonb)) as s (key, value)
                   cross join lateral jsonb_array_elements(case when jsonb_typeof(s.value) = 'array' then s.value else '[]'::jsonb end) as e (entry)
                   where e.entry ->> 'contact_id' = any (held_ids::text[])
                     or private.dry_run_entry_holds_identifier(e.entry, held_identifiers))
        or exists (select 1 from private.contact_import_dry_run_claims d
                   where d.job_id = j.id and d.user_id = j.user_id
                     and (d.contact_id = any (held_ids) or (d.kind = 'contact' and d.value = any (held_ids::text[]))
                          or (d.kind <> 'contact' and lower(d.value) = any (held_identifiers)))))) as target
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
    elsif job.target and holds_settled then
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
          update public.contact_import_jobs j set error_summary = null, dry_run_report = null
          where j.id = job.id and j.user_id = retention_import_jobs_batch.owner_id
            and (j.error_summary is not null or j.dry_run_report is not null);
          delete from private.contact_import_dry_run_claims d
          where d.job_id = job.id and d.user_id = retention_import_jobs_batch.owner_id;
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
  'One retention batch of an import_jobs policy: the owner''s jobs finished before the cutoff lose their error rows (at most 10 x window_size per batch), error summary, dry-run report and claims, or are deleted; jobs about a contact under legal hold are left whole (the holds read under the retention hold lock, or no job touched while a hold is being placed).';
