-- Rolls back 20251004000004_retention_log_batches.
set lock_timeout = '5s';

drop function private.retention_logs_batch(uuid, text, timestamptz, timestamptz, bigint, integer, boolean);
