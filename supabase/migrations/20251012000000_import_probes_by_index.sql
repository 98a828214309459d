-- The import's lookups and the shared-key triggers' probes are by key: a few rows each, once per
-- row of a batch. The planner prices them from statistics, and to it a table that an import fills
-- from nearly empty, or whose indexes still hold the entries of a deleted owner's contacts, looks
-- cheaper to scan whole than to probe: a 1,000-row batch then scanned contact_communication_channels
-- once per row, and batches took 2-7 s instead of 0.2 s until autoanalyze caught up (a 100,000-row
-- import ran 54-65 s instead of 24 s). No statement of these functions needs a sequential scan, so
-- they plan without one; a table with no index for a lookup is still scanned.
-- Set on each function rather than inherited from private.import_contacts_batch: a trigger's plan is
-- cached with the settings of its first call, whoever the writer was.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter function private.import_contacts_batch(uuid, json, json, bigint, bigint) set enable_seqscan = off;
alter function private.import_apply_batch(public.contact_import_jobs, private.contact_import_plan[], text, uuid) set enable_seqscan = off;
alter function private.import_dry_run_batch(public.contact_import_jobs, private.contact_import_plan[], text, json) set enable_seqscan = off;
alter function private.track_shared_channel_keys() set enable_seqscan = off;
alter function private.track_shared_contact_keys() set enable_seqscan = off;
