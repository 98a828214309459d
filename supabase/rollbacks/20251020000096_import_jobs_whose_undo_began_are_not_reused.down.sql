-- Rollback of 20251020000096_import_jobs_whose_undo_began_are_not_reused: create_import_job as
-- 20251020000008 made it.
set lock_timeout = '5s';

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
  force boolean,
  file_version text default null
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
    column_mapping, options, dry_run, total_rows, file_version)
  values (create_import_job.owner_id, create_import_job.file_name, create_import_job.file_size_bytes,
    create_import_job.file_sha256, create_import_job.storage_path, create_import_job.source,
    create_import_job.column_mapping, create_import_job.options, create_import_job.dry_run, create_import_job.total_rows,
    create_import_job.file_version)
  returning j.id, false;
end;
$$;
comment on function private.create_import_job(uuid, text, bigint, text, text, text, jsonb, jsonb, boolean, bigint, boolean, text) is 'Creates a pending import job for the owner, with the version of the file its intake read or wrote, or returns the owner''s earlier job for the same file (SHA-256) unless force; only the owner or the service.';
