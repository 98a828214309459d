set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.import_dry_run_batch(public.contact_import_jobs, private.contact_import_plan[], text, json);
drop function private.import_apply_batch(public.contact_import_jobs, private.contact_import_plan[], text, uuid);
