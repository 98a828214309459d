-- An undone import stays finished. A failed job can be resumed (failed -> processing), and a finished
-- one undone; a failed job that was undone, wholly or partly, could then be resumed: its new contacts
-- were written after the undo, and the job, marked undone, refused a second undo, so they could never
-- be undone. Resuming a job whose undo has begun is now refused (55000, which the functions answer
-- with 409).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.check_import_job_transition()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  allowed constant jsonb := '{"pending": ["processing", "failed", "cancelled"],
    "processing": ["completed", "failed", "cancelled"], "failed": ["processing"], "completed": [], "cancelled": []}'::jsonb;
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
    new.completed_at := now();
  end if;
  return new;
end;
$$;
