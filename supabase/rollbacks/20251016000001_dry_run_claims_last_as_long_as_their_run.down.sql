-- Rollback of 20251016000001_dry_run_claims_last_as_long_as_their_run: no trigger removes a finished
-- run's claims (the worker of before this migration removed a completed run's; today's leaves them
-- to its job's deletion), and the table is unlogged scratch again.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop trigger contact_import_jobs_drop_dry_run_claims on public.contact_import_jobs;
drop function private.drop_dry_run_claims();

alter table private.contact_import_dry_run_claims set unlogged;
comment on table private.contact_import_dry_run_claims is 'Scratch of a running dry run: identifiers (by channel type) and external ids its earlier rows would have claimed.';
