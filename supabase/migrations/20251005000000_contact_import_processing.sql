-- Import processing: what a chunked, resumable and undoable CSV import needs beyond the import jobs
-- table. On the job: where its file is read from and how (source, encoding, delimiter, header), the
-- position just after the last committed batch (resume), the statistics of the bounded slices that
-- processed it, the dry-run report and the undo record. Beside it: the per-contact change log that
-- undo reads (and that GDPR export and erasure cover, being a table with contact_id), and the
-- claims a dry run keeps so that its would-be counts stay exact across batches.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on the two tables this migration creates: empty, and concurrently cannot run inside the migration's transaction.

-- New columns with constant defaults: a catalog-only change, no table rewrite. The check constraint
-- is added NOT VALID and validated separately, so the validation does not hold the exclusive lock.
alter table public.contact_import_jobs
  add column source text not null default 'upload',
  add column encoding text,
  add column delimiter text,
  add column header jsonb,
  add column resume_offset bigint not null default 0,
  add column resume_line bigint not null default 1,
  add column slice_count bigint not null default 0,
  add column slice_stats jsonb not null default '{}'::jsonb,
  add column dry_run_report jsonb,
  add column undone_at timestamptz,
  add column undo_summary jsonb;
alter table public.contact_import_jobs
  add constraint contact_import_jobs_processing_check check (
    source in ('upload', 'storage')
    and encoding in ('utf-8', 'utf-16le', 'utf-16be', 'windows-1252')
    and delimiter in (',', ';', E'\t', '|')
    and jsonb_typeof(header) = 'array'
    and resume_offset >= 0 and resume_line >= 1 and slice_count >= 0
    and jsonb_typeof(slice_stats) = 'object'
    and jsonb_typeof(dry_run_report) = 'object'
    and jsonb_typeof(undo_summary) = 'object'
    and (undone_at is null or undo_summary is not null)) not valid;
alter table public.contact_import_jobs validate constraint contact_import_jobs_processing_check;
comment on column public.contact_import_jobs.source is 'upload (the file came in the request and is stored, then removed when the job ends) or storage (the caller''s own file in Storage, left in place).';
comment on column public.contact_import_jobs.encoding is 'Text encoding of the file (detected or given): utf-8, utf-16le, utf-16be or windows-1252.';
comment on column public.contact_import_jobs.delimiter is 'Field delimiter of the file (detected or given).';
comment on column public.contact_import_jobs.header is 'The header row as read from the file (column names, in order).';
comment on column public.contact_import_jobs.resume_offset is 'Byte offset in the file just after the last committed batch: where a resumed job reads on.';
comment on column public.contact_import_jobs.resume_line is 'Line number (the header is line 1) at resume_offset.';
comment on column public.contact_import_jobs.slice_count is 'How many bounded invocations (slices) have processed this job.';
comment on column public.contact_import_jobs.slice_stats is 'Statistics of the slices: longest wall-clock time, most CPU time, peak memory, rows per slice.';
comment on column public.contact_import_jobs.dry_run_report is 'Dry runs: a sample of the would-be changes (new, changed and failing rows).';
comment on column public.contact_import_jobs.undone_at is 'When the job was undone (its created contacts removed, its updates restored).';
comment on column public.contact_import_jobs.undo_summary is 'What the undo did: contacts removed, contacts restored, contacts kept because they changed since.';

-- What an import did to each contact it touched, for undo: created it, or updated it (with the
-- previous values of the fields it overwrote and the channels it added). Personal data: it goes
-- with the contact (cascade), is exported for the subject and wiped by anonymization.
create table public.contact_import_changes (
  id bigint generated always as identity primary key,
  job_id uuid not null,
  contact_id uuid not null,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  action text not null,
  previous jsonb not null default '{}'::jsonb,
  added_channel_ids uuid[] not null default '{}',
  added_to_group boolean not null default false,
  contact_updated_at timestamptz not null,
  created_at timestamptz not null default now(),
  constraint contact_import_changes_job_fkey foreign key (job_id, user_id)
    references public.contact_import_jobs (id, user_id) on delete cascade,
  constraint contact_import_changes_contact_fkey foreign key (contact_id, user_id)
    references public.contacts (id, user_id) on delete cascade,
  constraint contact_import_changes_action_check check (action in ('created', 'updated')),
  constraint contact_import_changes_previous_check check (
    jsonb_typeof(previous) = 'object' and (action = 'updated' or previous = '{}'::jsonb))
);
comment on table public.contact_import_changes is 'One row per contact an import created or updated: what undo needs to remove or restore it. Personal data (previous values): removed with the contact, exported for its subject, wiped by anonymization.';
comment on column public.contact_import_changes.action is 'created (the import created the contact) or updated (it changed an existing one).';
comment on column public.contact_import_changes.previous is 'Updates: the previous values of the fields the import overwrote (contact columns by name), for undo.';
comment on column public.contact_import_changes.added_channel_ids is 'Updates: the channels the import added to the contact, which undo removes.';
comment on column public.contact_import_changes.added_to_group is 'Whether the import added the contact to the job''s target group.';
comment on column public.contact_import_changes.contact_updated_at is 'The contact''s updated_at right after the import wrote it: undo leaves a contact that changed since.';
comment on index public.contact_import_changes_pkey is 'Primary key; also the order undo walks a job''s changes in.';
create index contact_import_changes_job_contact_idx on public.contact_import_changes (job_id, user_id, contact_id);
comment on index public.contact_import_changes_job_contact_idx is 'A job''s changes (undo, duplicates within a file); serves the (job_id, user_id) foreign key and its cascade.';
create index contact_import_changes_contact_idx on public.contact_import_changes (contact_id, user_id);
comment on index public.contact_import_changes_contact_idx is 'A contact''s import history (GDPR export, merges); serves the contact foreign key and its cascade.';
create index contact_import_changes_user_id_idx on public.contact_import_changes (user_id);
comment on index public.contact_import_changes_user_id_idx is 'Serves the user_id foreign key (an owner''s account deletion).';

alter table public.contact_import_changes enable row level security;
revoke all on table public.contact_import_changes from anon, authenticated;
grant select on table public.contact_import_changes to authenticated;
grant all on table public.contact_import_changes to service_role;
revoke all on sequence public.contact_import_changes_id_seq from anon, authenticated;

create policy contact_import_changes_select_policy on public.contact_import_changes
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
comment on policy contact_import_changes_select_policy on public.contact_import_changes is 'Owners read what their imports changed; agent tokens read nothing. Rows are written by the import functions only.';

-- A dry run writes no contacts, so what its earlier batches would have created is kept here: the
-- identifiers and external ids they claimed (and the existing contacts they would have updated),
-- so that a later duplicate or conflicting row is counted as the real import would count it.
-- Unlogged: scratch data of one run, removed when the run ends (or with its job).
create unlogged table private.contact_import_dry_run_claims (
  job_id uuid not null,
  user_id uuid not null,
  kind text not null,
  value text not null,
  row_number bigint not null,
  contact_id uuid,
  constraint contact_import_dry_run_claims_pkey primary key (job_id, user_id, kind, value),
  constraint contact_import_dry_run_claims_job_fkey foreign key (job_id, user_id)
    references public.contact_import_jobs (id, user_id) on delete cascade
);
comment on table private.contact_import_dry_run_claims is 'Scratch of a running dry run: identifiers (by channel type) and external ids its earlier rows would have claimed.';
comment on index private.contact_import_dry_run_claims_pkey is 'One claim per identifier and run: the lookup of every later row of the dry run.';
comment on column private.contact_import_dry_run_claims.kind is 'A channel type, or external_id.';
comment on column private.contact_import_dry_run_claims.contact_id is 'The existing contact the claiming row would have updated; null when it would have created one.';
-- Not exposed (schema private) and granted to no API role: only the import functions reach it.
revoke all on table private.contact_import_dry_run_claims from public, anon, authenticated;
grant all on table private.contact_import_dry_run_claims to service_role;
