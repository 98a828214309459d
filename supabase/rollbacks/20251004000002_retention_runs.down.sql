-- Rolls back 20251004000002_retention_runs.
set lock_timeout = '5s';

drop table private.retention_run_items;
drop table private.retention_runs;
