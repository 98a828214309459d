-- Import jobs, their counts and their error reports are written by the import only: the function
-- (private.create_import_job, private.import_contacts_batch, the worker on the service's connection),
-- never directly by an owner. Owners could insert a job row and update its counts through the API
-- (the grants of 20250916000007 date from before the import ran as the service): a job inserted
-- with another owner's Storage path and then resumed had the worker, with the service's rights,
-- read that owner's file into the caller's contacts (and remove it afterwards, as an upload); counts
-- could be rewritten to any total that balances. Owners keep reading their jobs and error reports,
-- cancelling and resuming (status, error_summary) and deleting jobs. create_import_job also refuses
-- a file outside the owner's folder, whoever calls it.
set lock_timeout = '5s';
set statement_timeout = '5min';

revoke insert on table public.contact_import_jobs, public.contact_import_job_errors from authenticated;
revoke update (total_rows, processed_rows, created_count, updated_count, skipped_count, failed_count)
  on table public.contact_import_jobs from authenticated;
drop policy contact_import_jobs_insert_policy on public.contact_import_jobs;
drop policy contact_import_job_errors_insert_policy on public.contact_import_job_errors;
comment on policy contact_import_jobs_update_policy on public.contact_import_jobs is 'Owners cancel and resume their imports (status, error summary); the counts are the import''s own; agent-scoped tokens cannot.';

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
  target_group uuid := (create_import_job.options ->> 'group_id')::uuid;
  target_group_type text;
begin
  if not (private.is_service_caller()
          or (create_import_job.owner_id = (select auth.uid()) and private.current_agent_id() is null)) then
    raise exception 'only the owner or the service can import contacts for this owner' using errcode = '42501';
  end if;
  if not exists (select 1 from auth.users u where u.id = create_import_job.owner_id) then
    raise exception 'owner not found' using errcode = 'P0002';
  end if;
  -- The worker reads (and, for uploads, later removes) the file with the service's rights.
  if split_part(create_import_job.storage_path, '/', 2) is distinct from create_import_job.owner_id::text then
    raise exception 'the file of an import must be in its owner''s folder of Storage (<bucket>/<owner id>/...)' using errcode = '42501';
  end if;
  if target_group is not null then
    select g.group_type into target_group_type
    from public.contact_groups g
    where g.id = target_group and g.user_id = create_import_job.owner_id;
    if not found then
      raise exception 'group not found: group_id must name one of the owner''s groups' using errcode = 'P0002';
    end if;
    if target_group_type <> 'static' then
      raise exception 'group_id names a smart group, whose members come from its criteria: name a static group'
        using errcode = '22023';
    end if;
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
