-- The import's functions plan for each call again (with the owner's id as a constant), and with the
-- server's JIT setting.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter function private.import_dry_run_batch(public.contact_import_jobs, private.contact_import_plan[], text, json) reset jit;
alter function private.import_dry_run_batch(public.contact_import_jobs, private.contact_import_plan[], text, json)
  reset plan_cache_mode;
alter function private.import_apply_batch(public.contact_import_jobs, private.contact_import_plan[], text, uuid) reset jit;
alter function private.import_apply_batch(public.contact_import_jobs, private.contact_import_plan[], text, uuid)
  reset plan_cache_mode;
alter function private.import_settle_batch(public.contact_import_jobs, private.contact_import_plan[], text, text) reset jit;
alter function private.import_settle_batch(public.contact_import_jobs, private.contact_import_plan[], text, text)
  reset plan_cache_mode;
alter function private.import_contacts_batch(uuid, json, json, bigint, bigint) reset jit;
alter function private.import_contacts_batch(uuid, json, json, bigint, bigint)
  reset plan_cache_mode;
