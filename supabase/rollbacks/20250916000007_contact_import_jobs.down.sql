-- Rolls back 20250916000007_contact_import_jobs.
set lock_timeout = '5s';

drop table public.contact_import_job_errors;
drop table public.contact_import_jobs;
drop function private.check_import_job_transition();
