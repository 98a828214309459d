-- Rollback of 20251020000004_import_jobs_keep_the_file_version: jobs keep no file version.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter table public.contact_import_jobs drop column file_version;
