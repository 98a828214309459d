-- The retention run log: one row per run (start, end, status, totals, error) and one row per policy
-- a run applies, which is both the per-owner, per-class count and the run's progress (its cutoff
-- and keyset position), so a run that was killed or stopped at its batch budget can be resumed
-- exactly where it stopped. Written only by the retention functions, which run as the service
-- (pg_cron as postgres, the contacts-retention function, service_role): never exposed to the API.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on tables this migration creates: empty, and concurrently cannot run inside the migration's transaction.

create table private.retention_runs (
  id bigint generated always as identity primary key,
  source text not null,
  dry_run boolean not null,
  owner_id uuid references auth.users (id) on delete set null,
  max_batches bigint,
  batch_size bigint not null,
  status text not null default 'running',
  started_at timestamptz not null default clock_timestamp(),
  finished_at timestamptz,
  batches bigint not null default 0,
  longest_batch_ms numeric not null default 0,
  affected_rows bigint not null default 0,
  counts jsonb not null default '{}'::jsonb,
  error text,
  resumed_run_id bigint references private.retention_runs (id) on delete set null,
  constraint retention_runs_source_check check (source in ('cron', 'function', 'sql')),
  constraint retention_runs_status_check check (status in ('running', 'completed', 'stopped', 'failed', 'interrupted', 'skipped')),
  constraint retention_runs_max_batches_check check (max_batches >= 1),
  constraint retention_runs_batch_size_check check (batch_size between 1 and 100000),
  constraint retention_runs_finished_check check ((status = 'running') = (finished_at is null))
);
comment on table private.retention_runs is 'One row per retention run: when, who started it (cron, function, sql), its scope, status, batches, totals per class and action, and the error that ended it.';
comment on column private.retention_runs.status is 'running; completed (nothing left); stopped (max_batches or time budget reached, resumable); failed (error); interrupted (killed mid-way, found by the next run); skipped (another run held the lock).';
comment on column private.retention_runs.longest_batch_ms is 'Longest single batch (one transaction) of the run, in milliseconds.';
comment on column private.retention_runs.counts is 'Rows affected per data class and action, e.g. {"interactions": {"delete": 120}}.';
comment on column private.retention_runs.resumed_run_id is 'The stopped, interrupted or failed run whose positions this run took over.';
comment on index private.retention_runs_pkey is 'Primary key; also the order of runs (the latest real run is the one a new run may resume).';
create index retention_runs_owner_id_idx on private.retention_runs (owner_id);
comment on index private.retention_runs_owner_id_idx is 'Serves the owner foreign key.';
create index retention_runs_resumed_run_id_idx on private.retention_runs (resumed_run_id);
comment on index private.retention_runs_resumed_run_id_idx is 'Serves the resumed-run foreign key.';
create index retention_runs_status_idx on private.retention_runs (status, id) where status in ('running', 'stopped', 'interrupted', 'failed');
comment on index private.retention_runs_status_idx is 'Finding the run to resume (or the dead one to mark interrupted) at the start of a run.';

create table private.retention_run_items (
  run_id bigint not null references private.retention_runs (id) on delete cascade,
  policy_id uuid not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  data_class text not null,
  action text not null,
  -- squawk-ignore prefer-bigint-over-int -- a number of days, as in the policy.
  retain_days integer not null,
  suppress_identifiers boolean not null,
  cutoff timestamptz not null,
  position_at timestamptz,
  position_id text,
  affected_rows bigint not null default 0,
  batches bigint not null default 0,
  finished_at timestamptz,
  constraint retention_run_items_pkey primary key (run_id, policy_id)
);
comment on table private.retention_run_items is 'One row per policy a run applies: the per-owner, per-class count, and the run''s progress for that policy (cutoff and keyset position).';
comment on column private.retention_run_items.policy_id is 'The policy applied (no foreign key: the log outlives a deleted policy).';
comment on column private.retention_run_items.cutoff is 'Rows older than this are past retention; fixed when the run starts and kept by a run that resumes it.';
comment on column private.retention_run_items.position_at is 'Keyset position: the timestamp of the last row examined (null: from the start).';
comment on column private.retention_run_items.position_id is 'Keyset position: the id of the last row examined, as text (uuid or bigint, by class).';
comment on column private.retention_run_items.affected_rows is 'Rows deleted or anonymized (or, in a dry run, that would be): interactions, contacts, import jobs or log entries.';
comment on index private.retention_run_items_pkey is 'One item per policy in a run; a step updates its item by this key.';
create index retention_run_items_user_id_idx on private.retention_run_items (user_id);
comment on index private.retention_run_items_user_id_idx is 'Serves the owner foreign key (an owner''s account deletion removes their counts).';
create index retention_run_items_pending_idx on private.retention_run_items (run_id, user_id, data_class) where finished_at is null;
comment on index private.retention_run_items_pending_idx is 'The next policy of a run to work on, in owner and class order.';

revoke all on table private.retention_runs, private.retention_run_items from public, anon, authenticated;
grant select, insert, update on table private.retention_runs, private.retention_run_items to service_role;
revoke all on sequence private.retention_runs_id_seq from public, anon, authenticated;
