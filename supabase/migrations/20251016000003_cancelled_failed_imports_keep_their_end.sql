-- A failed import that is cancelled keeps the time it failed as the time it ended. Cancelling it
-- (20251016000002) stamped completed_at anew, and retention, which counts from completed_at,
-- started its clock again. The claims trigger's comment also said a resume drops a failed run's
-- claims; the run keeps them until it completes or is cancelled.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.check_import_job_transition()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  allowed constant jsonb := '{"pending": ["processing", "failed", "cancelled"],
    "processing": ["completed", "failed", "cancelled"], "failed": ["processing", "cancelled"], "completed": [], "cancelled": []}'::jsonb;
begin
  if tg_op = 'INSERT' then
    if new.status <> 'pending' then
      raise exception 'an import job starts as pending, not %', new.status using errcode = '23514';
    end if;
    return new;
  end if;
  if new.status is distinct from old.status and not (allowed -> old.status) ? new.status then
    raise exception 'an import job cannot go from % to %', old.status, new.status
      using errcode = '23514';
  end if;
  if new.status = 'processing' and old.status <> 'processing' and old.undo_summary is not null then
    raise exception 'this import was undone (or its undo has begun): it cannot be resumed; import the file again instead'
      using errcode = '55000';
  end if;
  if new.status = 'processing' and old.status <> 'processing' then
    new.started_at := coalesce(old.started_at, now());
    new.completed_at := null;
  elsif new.status in ('completed', 'failed', 'cancelled') and new.status is distinct from old.status then
    -- A failed job given up ended when it failed; retention counts from then.
    new.completed_at := case when old.status = 'failed' then coalesce(old.completed_at, now()) else now() end;
  end if;
  return new;
end;
$$;

comment on trigger contact_import_jobs_drop_dry_run_claims on public.contact_import_jobs is 'Removes a dry run''s claims in the transaction that completes or cancels it; a failed run keeps them for its resume.';
