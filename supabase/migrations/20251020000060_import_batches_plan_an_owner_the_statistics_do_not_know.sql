-- An import batch looks its rows up by key: a contact by id, a channel by type and address, the
-- job's change log by contact. Each statement names the owner, and was planned for each call with
-- the owner's id as a constant. Until the tables are analyzed after an owner's first rows (the
-- worker does so at 5,000 rows), the statistics do not know that owner, the planner counts its
-- rows as none, and an index on the owner alone looks as cheap as the key's: an update batch then
-- walked all of the owner's contacts (and change-log rows) once per row of the batch, locking its
-- contacts and merging their fields (2,000 rows: 0.9 s instead of 0.25 s, without JIT).
-- Now the import's functions plan generic, as private.shared_contact_keys does (20251014000002):
-- the owner is a parameter, priced as an average owner whatever the statistics hold of it, so a
-- lookup by key stays one; the plans are made once per session instead of for every batch.
-- And without JIT, as private.find_duplicate_contacts: the statements are thousands of small
-- probes whose planned cost exceeds the JIT thresholds; compiling them took 0.4 s a batch, the
-- statements themselves 0.05 s.
-- Set on each function rather than inherited from private.import_contacts_batch, as in
-- 20251012000000. Results are unchanged: only plans are.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter function private.import_contacts_batch(uuid, json, json, bigint, bigint)
  set plan_cache_mode = force_generic_plan;
alter function private.import_contacts_batch(uuid, json, json, bigint, bigint) set jit = off;
alter function private.import_settle_batch(public.contact_import_jobs, private.contact_import_plan[], text, text)
  set plan_cache_mode = force_generic_plan;
alter function private.import_settle_batch(public.contact_import_jobs, private.contact_import_plan[], text, text) set jit = off;
alter function private.import_apply_batch(public.contact_import_jobs, private.contact_import_plan[], text, uuid)
  set plan_cache_mode = force_generic_plan;
alter function private.import_apply_batch(public.contact_import_jobs, private.contact_import_plan[], text, uuid) set jit = off;
alter function private.import_dry_run_batch(public.contact_import_jobs, private.contact_import_plan[], text, json)
  set plan_cache_mode = force_generic_plan;
alter function private.import_dry_run_batch(public.contact_import_jobs, private.contact_import_plan[], text, json) set jit = off;
