-- Import jobs: one row per CSV import with its file, options, status machine and exact row
-- accounting, and one row per rejected line so that no row disappears without a reason.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on tables this migration creates: empty, and concurrently cannot run inside the migration's transaction.

create table public.contact_import_jobs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  status text not null default 'pending',
  file_name text not null,
  file_size_bytes bigint,
  file_sha256 text,
  storage_path text,
  column_mapping jsonb not null default '{}'::jsonb,
  options jsonb not null default '{}'::jsonb,
  dry_run boolean not null default false,
  total_rows bigint,
  processed_rows bigint not null default 0,
  created_count bigint not null default 0,
  updated_count bigint not null default 0,
  skipped_count bigint not null default 0,
  failed_count bigint not null default 0,
  error_summary text,
  started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint contact_import_jobs_id_user_id_key unique (id, user_id),
  constraint contact_import_jobs_status_check check (status in ('pending', 'processing', 'completed', 'failed', 'cancelled')),
  constraint contact_import_jobs_file_name_check check (char_length(file_name) between 1 and 255),
  constraint contact_import_jobs_file_size_check check (file_size_bytes >= 0),
  constraint contact_import_jobs_sha256_check check (file_sha256 ~ '^[0-9a-f]{64}$'),
  constraint contact_import_jobs_storage_path_check check (char_length(storage_path) between 1 and 1024),
  constraint contact_import_jobs_json_check check (jsonb_typeof(column_mapping) = 'object' and jsonb_typeof(options) = 'object'),
  constraint contact_import_jobs_counts_check check (
    least(processed_rows, created_count, updated_count, skipped_count, failed_count) >= 0
    and created_count + updated_count + skipped_count + failed_count = processed_rows
    and processed_rows <= coalesce(total_rows, processed_rows)),
  constraint contact_import_jobs_completed_check check (
    status <> 'completed' or (total_rows is not null and processed_rows = total_rows and completed_at is not null))
);
comment on table public.contact_import_jobs is 'CSV imports: file, options, status and exact counts (created + updated + skipped + failed = processed).';
comment on column public.contact_import_jobs.status is 'pending -> processing -> completed | failed | cancelled; failed -> processing resumes.';
comment on column public.contact_import_jobs.file_sha256 is 'SHA-256 of the file (hex): the same file imported twice by one owner is recognised.';
comment on column public.contact_import_jobs.storage_path is 'Where the file lives in Storage (bucket/path), when it was uploaded there.';
comment on column public.contact_import_jobs.column_mapping is 'CSV header -> contact field, channel type or metadata key.';
comment on column public.contact_import_jobs.processed_rows is 'Data rows handled so far; each is counted in exactly one of created, updated, skipped, failed.';
create index contact_import_jobs_user_created_idx on public.contact_import_jobs (user_id, created_at desc);
comment on index public.contact_import_jobs_user_created_idx is 'An owner''s imports, newest first; serves the user_id foreign key.';
create index contact_import_jobs_user_sha256_idx on public.contact_import_jobs (user_id, file_sha256);
comment on index public.contact_import_jobs_user_sha256_idx is 'Finding an earlier import of the same file (idempotency).';

create function private.check_import_job_transition()
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
comment on function private.check_import_job_transition() is 'Trigger: jobs start pending; enforces the status machine and stamps started_at / completed_at.';
revoke execute on function private.check_import_job_transition() from public;
grant execute on function private.check_import_job_transition() to authenticated, service_role;

create trigger contact_import_jobs_check_transition
  before insert or update of status on public.contact_import_jobs
  for each row execute function private.check_import_job_transition();
create trigger contact_import_jobs_set_updated_at
  before update on public.contact_import_jobs
  for each row execute function private.set_updated_at();

create table public.contact_import_job_errors (
  id bigint generated always as identity primary key,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  job_id uuid not null,
  row_number bigint not null,
  column_name text,
  value_excerpt text,
  reason text not null,
  created_at timestamptz not null default now(),
  constraint contact_import_job_errors_job_fkey foreign key (job_id, user_id)
    references public.contact_import_jobs (id, user_id) on delete cascade,
  constraint contact_import_job_errors_row_number_check check (row_number >= 1),
  constraint contact_import_job_errors_text_check check (
    char_length(column_name) <= 255 and char_length(value_excerpt) <= 200 and char_length(reason) between 1 and 1000)
);
comment on table public.contact_import_job_errors is 'The error report of an import: one row per failed or skipped line, with its reason.';
comment on column public.contact_import_job_errors.row_number is 'Line number in the file (the header is line 1).';
comment on column public.contact_import_job_errors.value_excerpt is 'At most 200 characters of the offending value.';
create index contact_import_job_errors_job_idx on public.contact_import_job_errors (job_id, user_id, row_number);
comment on index public.contact_import_job_errors_job_idx is 'A job''s error report in file order; serves the job foreign key.';
create index contact_import_job_errors_user_id_idx on public.contact_import_job_errors (user_id);
comment on index public.contact_import_job_errors_user_id_idx is 'Serves the user_id foreign key.';

alter table public.contact_import_jobs enable row level security;
alter table public.contact_import_job_errors enable row level security;

revoke all on table public.contact_import_jobs, public.contact_import_job_errors from anon, authenticated;
grant select, delete on table public.contact_import_jobs to authenticated;
grant insert (status, file_name, file_size_bytes, file_sha256, storage_path, column_mapping, options, dry_run, total_rows)
  on table public.contact_import_jobs to authenticated;
grant update (status, total_rows, processed_rows, created_count, updated_count, skipped_count, failed_count, error_summary)
  on table public.contact_import_jobs to authenticated;
grant select on table public.contact_import_job_errors to authenticated;
grant insert (job_id, row_number, column_name, value_excerpt, reason) on table public.contact_import_job_errors to authenticated;
grant all on table public.contact_import_jobs, public.contact_import_job_errors to service_role;
-- Supabase grants the API roles every new sequence in public; identity columns need none, and
-- setval would break them.
revoke all on sequence public.contact_import_job_errors_id_seq from anon, authenticated;
