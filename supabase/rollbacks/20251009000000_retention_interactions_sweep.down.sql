-- Rolls back 20251009000000_retention_interactions_sweep.
set lock_timeout = '5s';

drop function private.retention_interactions_sweep(bigint, timestamptz, timestamptz, integer, boolean);
alter table private.retention_run_items drop column swept;
alter table private.retention_runs
  drop column sweep_skipped_locked,
  drop column sweep_window,
  drop column sweep_end_at,
  drop column sweep_next_at;
