begin;
select plan(12);

-- Storage growth for npm run db:health: private.take_table_size_snapshot() records the size and
-- row estimate of every table in public and private, drops snapshots older than 400 days, and
-- pg_cron runs it daily where pg_cron runs (the postgres database, here and on Supabase). Only the
-- service and operators may take or read snapshots.

-- ============================================================================================
-- Persona: superuser (the pg_cron job's role)
-- ============================================================================================
select ok(exists (select 1 from pg_catalog.pg_extension where extname = 'pg_cron'),
  'pg_cron is installed in the database it schedules from');
select is((select schedule from cron.job where jobname = 'contacts-table-size-snapshot'), '17 3 * * *',
  'the snapshot job runs daily at 03:17 UTC');
select is((select command from cron.job where jobname = 'contacts-table-size-snapshot'), 'select private.take_table_size_snapshot()',
  'the snapshot job calls private.take_table_size_snapshot()');
select ok(exists (select 1 from private.table_size_snapshots),
  'the migration took a baseline snapshot, so growth is reported from the day it ran');

insert into private.table_size_snapshots (taken_at, schema_name, table_name, row_estimate, table_bytes, index_bytes, total_bytes)
values (now() - interval '401 days', 'public', 'contacts', 1, 8192, 8192, 16384);
select is(private.take_table_size_snapshot(),
  (select count(*) from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where n.nspname in ('public', 'private') and c.relkind in ('r', 'p')),
  'a snapshot records one row per table of public and private');
select set_eq($$ select schema_name || '.' || table_name from private.table_size_snapshots where taken_at = now() $$,
  $$ select n.nspname || '.' || c.relname from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where n.nspname in ('public', 'private') and c.relkind in ('r', 'p') $$,
  'the snapshot covers exactly the project''s tables');
select ok((select bool_and(row_estimate >= 0 and total_bytes >= table_bytes + index_bytes and index_bytes > 0)
           from private.table_size_snapshots where taken_at = now()),
  'every snapshot row has a row estimate and consistent sizes');
select is((select count(*) from private.table_size_snapshots where taken_at < now() - interval '400 days'), 0::bigint,
  'snapshots older than 400 days are dropped by the next snapshot');

-- ============================================================================================
-- Persona: owner (authenticated)
-- ============================================================================================
select tests.create_supabase_user('snapshot_owner');
select tests.authenticate_as('snapshot_owner');
select throws_ok($$ select private.take_table_size_snapshot() $$, '42501',
  'permission denied for function take_table_size_snapshot', 'an owner cannot take snapshots');
select throws_ok($$ select * from private.table_size_snapshots $$, '42501',
  'permission denied for table table_size_snapshots', 'an owner cannot read snapshots');

-- ============================================================================================
-- Persona: service_role
-- ============================================================================================
select tests.authenticate_as_service_role();
select ok(private.take_table_size_snapshot() > 0, 'the service role may take a snapshot');
select ok((select count(*) from private.table_size_snapshots) > 0, 'the service role may read snapshots');

select * from finish();
rollback;
