-- Rolls back 20251004000003_retention_batches.
set lock_timeout = '5s';

drop function private.retention_import_jobs_batch(uuid, text, timestamptz, timestamptz, uuid, integer, boolean);
drop function private.retention_contacts_batch(uuid, text, timestamptz, timestamptz, uuid, integer, boolean, boolean);
drop function private.retention_interactions_batch(uuid, text, text, timestamptz, timestamptz, uuid, integer, boolean);
