-- Rollback of 20251020000024_import_job_retention_keeps_jobs_about_held_contacts:
-- retention_import_jobs_batch as 20251018000005 left it.
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
begin
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
        or exists (select 1 from private.contact_import_dry_run_claims d where d.job_id = j.id and d.user_id = j.user_id)) as target
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
  'One retention batch of an import_jobs policy: the owner''s jobs finished before the cutoff lose their error rows (at most 10 x window_size per batch), error summary, dry-run report and claims, or are deleted.';
