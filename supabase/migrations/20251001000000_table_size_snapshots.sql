-- Storage growth: a daily snapshot of every project table's size and row estimate, taken by
-- pg_cron, so that `npm run db:health` can report growth since the last snapshot. This migration
-- also creates pg_cron itself, for every later migration that schedules work (retention, say).
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the index here is on the table this migration creates: empty, and concurrently cannot run inside the migration's transaction.

-- pg_cron runs its jobs from one database only (cron.database_name, 'postgres' on Supabase and on
-- the local stack) and refuses to be created anywhere else. Supabase installs it into pg_catalog
-- (the dashboard runs exactly this statement); the same statement works on the local stack, where
-- it is preloaded. In another database of the cluster (the reversibility checks' scratch
-- database, a benchmark's) there is nothing to schedule from, so the extension and the job are
-- left out there and db:health reports snapshots as not scheduled.
do $$
begin
  if current_database() = current_setting('cron.database_name', true) then
    create extension if not exists pg_cron with schema pg_catalog;
  end if;
end
$$;

create table private.table_size_snapshots (
  id bigint generated always as identity primary key,
  taken_at timestamptz not null default now(),
  schema_name text not null,
  table_name text not null,
  row_estimate bigint not null,
  table_bytes bigint not null,
  index_bytes bigint not null,
  total_bytes bigint not null,
  constraint table_size_snapshots_table_taken_at_key unique (schema_name, table_name, taken_at),
  constraint table_size_snapshots_sizes_check check (
    least(row_estimate, table_bytes, index_bytes, total_bytes) >= 0 and total_bytes >= table_bytes + index_bytes)
);
comment on table private.table_size_snapshots is 'Daily sizes and row estimates of the project''s tables (public and private), for storage growth in npm run db:health. Kept 400 days.';
comment on column private.table_size_snapshots.taken_at is 'When the snapshot was taken; every table of one snapshot shares it.';
comment on column private.table_size_snapshots.row_estimate is 'Rows as the planner estimates them (pg_class.reltuples; the statistics collector''s live tuples before the first analyze): no count(*) on big tables.';
comment on column private.table_size_snapshots.table_bytes is 'Heap, TOAST and free-space map (pg_table_size).';
comment on column private.table_size_snapshots.index_bytes is 'All indexes of the table (pg_indexes_size).';
comment on column private.table_size_snapshots.total_bytes is 'Table and indexes together (pg_total_relation_size).';
comment on index private.table_size_snapshots_pkey is 'Primary key of a snapshot row.';
comment on index private.table_size_snapshots_table_taken_at_key is 'One row per table and snapshot; the latest snapshot of a table (backward scan) for growth since then.';

-- Like private.owner_keys, no RLS: the private schema is not exposed, and only the service and
-- operators (postgres) take and read snapshots.
revoke all on table private.table_size_snapshots from anon, authenticated;
grant select, insert, update, delete on table private.table_size_snapshots to service_role;

-- Runs as the caller: the pg_cron job (as postgres), an operator, or the service. Reads only the
-- catalog and the statistics collector, so it costs the same on 1M contacts as on ten.
create function private.take_table_size_snapshot()
returns bigint
language sql
volatile
set search_path = ''
as $$
  with pruned as (
    delete from private.table_size_snapshots s where s.taken_at < now() - interval '400 days'
  ),
  taken as (
    insert into private.table_size_snapshots (schema_name, table_name, row_estimate, table_bytes, index_bytes, total_bytes)
    select n.nspname, c.relname,
      case when c.reltuples >= 0 then c.reltuples::bigint else coalesce(s.n_live_tup, 0) end,
      pg_catalog.pg_table_size(c.oid), pg_catalog.pg_indexes_size(c.oid), pg_catalog.pg_total_relation_size(c.oid)
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    left join pg_catalog.pg_stat_all_tables s on s.relid = c.oid
    where n.nspname in ('public', 'private') and c.relkind in ('r', 'p')
    -- A second snapshot in one transaction replaces the first.
    on conflict on constraint table_size_snapshots_table_taken_at_key do update
      set row_estimate = excluded.row_estimate, table_bytes = excluded.table_bytes,
          index_bytes = excluded.index_bytes, total_bytes = excluded.total_bytes
    returning 1
  )
  select count(*) from taken
$$;
comment on function private.take_table_size_snapshot() is 'Records the size and row estimate of every table in public and private (one snapshot), drops snapshots older than 400 days; returns the tables recorded. Run daily by pg_cron.';
revoke execute on function private.take_table_size_snapshot() from public;
grant execute on function private.take_table_size_snapshot() to service_role;

-- The baseline: growth is reported from the day the migration ran.
select private.take_table_size_snapshot();

-- Daily at 03:17 UTC, where pg_cron runs (see above).
do $$
begin
  if exists (select from pg_catalog.pg_extension where extname = 'pg_cron') then
    perform cron.schedule('contacts-table-size-snapshot', '17 3 * * *', 'select private.take_table_size_snapshot()');
  end if;
end
$$;
