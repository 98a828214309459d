-- Rollback of 20251020000094: the processing check and the comments as 20251005000000 left them. It
-- fails while a job records encoding macintosh.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter table public.contact_import_jobs drop constraint contact_import_jobs_processing_check;
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

comment on column public.contact_import_jobs.encoding is 'Text encoding of the file (detected or given): utf-8, utf-16le, utf-16be or windows-1252.';
comment on column public.contact_import_jobs.resume_line is 'Line number (the header is line 1) at resume_offset.';
comment on column public.contact_import_job_errors.row_number is 'Line number in the file (the header is line 1).';
