-- Rollback of 20251015000003_undone_imports_cannot_resume: the status machine of 20250916000007.
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
  if new.status = 'processing' and old.status <> 'processing' then
    new.started_at := coalesce(old.started_at, now());
    new.completed_at := null;
  elsif new.status in ('completed', 'failed', 'cancelled') and new.status is distinct from old.status then
    new.completed_at := now();
  end if;
  return new;
end;
$$;
