set lock_timeout = '5s';
set statement_timeout = '5min';

drop table private.contact_import_dry_run_claims;
drop policy contact_import_changes_select_policy on public.contact_import_changes;
drop table public.contact_import_changes;
alter table public.contact_import_jobs drop constraint contact_import_jobs_processing_check;
alter table public.contact_import_jobs
  drop column undo_summary,
  drop column undone_at,
  drop column dry_run_report,
  drop column slice_stats,
  drop column slice_count,
  drop column resume_line,
  drop column resume_offset,
  drop column header,
  drop column delimiter,
  drop column encoding,
  drop column source;
