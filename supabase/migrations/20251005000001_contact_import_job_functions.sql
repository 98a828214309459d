-- Import job functions: the row types a batch travels in, job creation with idempotency by the
-- file's SHA-256, the processing lock key, and the rule for merging a duplicate's fields.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- One CSV row after the Edge Function parsed, validated and normalized it (names trimmed, e-mails
-- lower-cased, phones in E.164): the contact fields, the dedupe key's value, and its channels as a
-- JSON array of {t: channel type, v: identifier as given, nv: normalized, c: consent, col: header}.
create type private.contact_import_row as (
  n bigint,
  k text,
  first_name text,
  last_name text,
  display_name text,
  organization text,
  job_title text,
  external_id text,
  xcol text,
  tags text[],
  metadata jsonb,
  channels jsonb
);
comment on type private.contact_import_row is 'A normalized CSV row of an import batch: n is its line number, k its dedupe key value, xcol the header of its external id.';

-- What a batch decided for one row: created, updated, skipped or failed, with the contact and why.
create type private.contact_import_plan as (
  item private.contact_import_row,
  outcome text,
  reason text,
  column_name text,
  value_excerpt text,
  contact_id uuid,
  claim_row bigint
);
comment on type private.contact_import_plan is 'The decision for one row of an import batch: outcome create, update, skip or fail; the contact it creates or matches (or, in a dry run, the earlier row that claimed it); the reason and offending column for skips and failures.';

-- The session advisory lock a processor holds while it works on a job: one processor per job,
-- released by the database when the processor's connection ends (a killed process included).
create function private.import_job_lock_key(job_id uuid)
returns bigint
language sql
immutable
strict
set search_path = ''
as $$
  select ('x' || substr(md5('contact_import_job:' || import_job_lock_key.job_id::text), 1, 16))::bit(64)::bigint
$$;
comment on function private.import_job_lock_key(uuid) is 'The advisory lock key of an import job (pg_try_advisory_lock): held by whoever processes or undoes it.';
revoke execute on function private.import_job_lock_key(uuid) from public;
grant execute on function private.import_job_lock_key(uuid) to authenticated, service_role;

-- A duplicate's field after the on-duplicate policy: update overwrites with every non-empty value;
-- merge_fill_empty only fills fields that are empty; skip never gets here.
create function private.import_merged_value(policy text, current_value text, incoming text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when nullif(btrim(import_merged_value.incoming), '') is null then import_merged_value.current_value
    when import_merged_value.policy = 'update' then import_merged_value.incoming
    when nullif(btrim(import_merged_value.current_value), '') is null then import_merged_value.incoming
    else import_merged_value.current_value
  end
$$;
comment on function private.import_merged_value(text, text, text) is 'The value of a field of a duplicate contact after an import row under the on-duplicate policy (update or merge_fill_empty).';
revoke execute on function private.import_merged_value(text, text, text) from public;
grant execute on function private.import_merged_value(text, text, text) to authenticated, service_role;

-- Security definer: service callers name the owner, which RLS cannot express, and the idempotency
-- check must see the owner's earlier jobs whoever calls. Authorizes the caller first (the owner's
-- own token, not an agent's, or the service). The same file (SHA-256) imported again by the same
-- owner returns the earlier job unless force is set; dry runs and undone or cancelled jobs do not
-- count. A transaction-level lock on (owner, file) makes two simultaneous uploads agree.
create function private.create_import_job(
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
comment on function private.create_import_job(uuid, text, bigint, text, text, text, jsonb, jsonb, boolean, bigint, boolean) is 'Creates a pending import job for the owner, or returns the owner''s earlier job for the same file (SHA-256) unless force; only the owner or the service.';
revoke execute on function private.create_import_job(uuid, text, bigint, text, text, text, jsonb, jsonb, boolean, bigint, boolean) from public;
grant execute on function private.create_import_job(uuid, text, bigint, text, text, text, jsonb, jsonb, boolean, bigint, boolean) to authenticated, service_role;

-- Whether a processor (or an undo) holds the job's lock now. Reads pg_locks, which every role can
-- read; used to tell a job that is being worked on from one whose processor died.
create function private.import_job_is_running(job_id uuid)
returns boolean
language sql
stable
strict
set search_path = ''
as $$
  select exists (
    select 1 from pg_catalog.pg_locks l
    where l.locktype = 'advisory' and l.granted and l.objsubid = 1
      and l.classid::bigint = (private.import_job_lock_key(import_job_is_running.job_id) >> 32) & 4294967295
      and l.objid::bigint = private.import_job_lock_key(import_job_is_running.job_id) & 4294967295)
$$;
comment on function private.import_job_is_running(uuid) is 'True while a processor or an undo holds the import job''s advisory lock.';
revoke execute on function private.import_job_is_running(uuid) from public;
grant execute on function private.import_job_is_running(uuid) to authenticated, service_role;
