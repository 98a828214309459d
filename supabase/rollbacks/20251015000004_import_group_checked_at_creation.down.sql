-- Rollback of 20251015000004_import_group_checked_at_creation: create_import_job of 20251005000001,
-- which took the target group unchecked.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.create_import_job(
  owner_id uuid,
  file_name text,
  file_size_bytes bigint,
  file_sha256 text,
  storage_path text,
  source text,
  column_mapping jsonb,
  options jsonb,
  dry_run boolean,
  total_rows bigint,
  force boolean
)
returns table (job_id uuid, existing boolean)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  earlier uuid;
begin
  if not (private.is_service_caller()
          or (create_import_job.owner_id = (select auth.uid()) and private.current_agent_id() is null)) then
    raise exception 'only the owner or the service can import contacts for this owner' using errcode = '42501';
  end if;
  if not exists (select 1 from auth.users u where u.id = create_import_job.owner_id) then
    raise exception 'owner not found' using errcode = 'P0002';
  end if;
  perform pg_advisory_xact_lock(hashtextextended(create_import_job.owner_id::text || ':' || create_import_job.file_sha256, 0));
  if not create_import_job.force and not create_import_job.dry_run then
    select j.id into earlier
    from public.contact_import_jobs j
    where j.user_id = create_import_job.owner_id and j.file_sha256 = create_import_job.file_sha256
      and not j.dry_run and j.undone_at is null and j.status <> 'cancelled'
    order by j.created_at desc
    limit 1;
    if earlier is not null then
      return query select earlier, true;
      return;
    end if;
  end if;
  return query
  insert into public.contact_import_jobs as j (user_id, file_name, file_size_bytes, file_sha256, storage_path, source,
    column_mapping, options, dry_run, total_rows)
  values (create_import_job.owner_id, create_import_job.file_name, create_import_job.file_size_bytes,
    create_import_job.file_sha256, create_import_job.storage_path, create_import_job.source,
    create_import_job.column_mapping, create_import_job.options, create_import_job.dry_run, create_import_job.total_rows)
  returning j.id, false;
end;
$$;
