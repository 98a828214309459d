-- An import batch looks its rows up by key: a contact by id, a channel by type and address, the
-- job's change log by contact. Each statement names the owner, and was planned for each call with
-- the owner's id as a constant. Until the tables are analyzed after an owner's first rows (the
-- worker does so at 5,000 rows), the statistics do not know that owner, the planner counts its
-- rows as none, and an index on the owner alone looks as cheap as the key's: an update batch then
-- walked all of the owner's contacts (and change-log rows) once per row of the batch, locking its
-- contacts and merging their fields (2,000 rows: 0.9 s instead of 0.25 s, without JIT).
-- Now the functions that lock, merge and write a batch's contacts plan generic, as
-- private.shared_contact_keys does (20251014000002): the owner is a parameter, priced as an
-- average owner whatever the statistics hold of it, so a lookup by key stays one; the plans are
-- made once per session instead of for every batch. private.import_contacts_batch, which matches
-- the rows' identifiers, plans for each call instead (force_custom_plan): priced as an average
-- owner, its match of channels by type and address walked a big owner's whole share of the index
-- per row (an owner of 200,000 contacts among 2,000 small ones: 11-16 s a 2,000-row batch instead
-- of 0.3-0.4 s), and under the default it switched to that plan from a session's sixth batch on.
-- Its check of the job's change log by contact still reads an unknown owner's entries per row
-- until the worker's first analyze (5,000 rows).
-- And without JIT, as private.find_duplicate_contacts: the statements are thousands of small
-- probes whose planned cost exceeds the JIT thresholds; compiling them took 0.4 s a batch, the
-- statements themselves 0.05 s.
-- Set on each function rather than inherited from private.import_contacts_batch, as in
-- 20251012000000. Results are unchanged: only plans are.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter function private.import_contacts_batch(uuid, json, json, bigint, bigint)
  set plan_cache_mode = force_custom_plan;
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
