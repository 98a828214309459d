-- import-contacts reads Excel for Mac's "Comma Separated Values" files (Mac Roman, lines ending in a
-- lone CR), detected or given as encoding macintosh, and a file whose header is not its first line
-- (an Excel `sep=;` line, LinkedIn's "Notes:" preamble, the header_row option). The job's encoding
-- column allowed only the four encodings of 20251005000000, so a Mac Roman job could not record
-- how its file is read, and the comments on line numbers said the header is line 1. Now:
--  * contact_import_jobs_processing_check also allows encoding 'macintosh' (the constraint is
--    replaced: added NOT VALID, then validated, so the validation holds no exclusive lock);
--  * the comments say line numbers are the file's own, whatever comes before the header.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter table public.contact_import_jobs drop constraint contact_import_jobs_processing_check;
alter table public.contact_import_jobs
  add constraint contact_import_jobs_processing_check check (
    source in ('upload', 'storage')
    and encoding in ('utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'macintosh')
    and delimiter in (',', ';', E'\t', '|')
    and jsonb_typeof(header) = 'array'
    and resume_offset >= 0 and resume_line >= 1 and slice_count >= 0
    and jsonb_typeof(slice_stats) = 'object'
    and jsonb_typeof(dry_run_report) = 'object'
    and jsonb_typeof(undo_summary) = 'object'
    and (undone_at is null or undo_summary is not null)) not valid;
alter table public.contact_import_jobs validate constraint contact_import_jobs_processing_check;

comment on column public.contact_import_jobs.encoding is 'Text encoding of the file (detected or given): utf-8, utf-16le, utf-16be, windows-1252 or macintosh (Mac Roman).';
comment on column public.contact_import_jobs.resume_line is 'Line number in the file (its first line is line 1, whatever comes before the header) at resume_offset.';
comment on column public.contact_import_job_errors.row_number is 'Line number in the file (its first line is line 1, whatever comes before the header).';
