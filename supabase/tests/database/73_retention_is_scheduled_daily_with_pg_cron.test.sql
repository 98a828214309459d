-- Scheduling: pg_cron runs retention every day at 03:30 UTC (job 'contacts-retention'), in the
-- database it runs from, as the SQL driver: a DO block that starts a run under the session's lock,
-- commits after every step and records an error in the run log. Where pg_net and Vault exist
-- (hosted Supabase) the same job may call the Edge Function instead; not here.
begin;
select plan(6);

select has_extension('pg_cron', 'pg_cron is installed in the database retention is scheduled from');

select ok(
  (select schedule = '30 3 * * *' and active and database = current_database() from cron.job where jobname = 'contacts-retention'),
  'the contacts-retention job runs daily at 03:30 UTC, active, in this database');

select ok(
  (select command like '%private.retention_run_start(false, null, null, ''cron'', 5000, true)%'
   from cron.job where jobname = 'contacts-retention'),
  'the job starts a real run for every owner under the session''s advisory lock, logged as cron');

select ok(
  (select command ~ 'more := private\.retention_run_step\(run\);.*commit;' from cron.job where jobname = 'contacts-retention'),
  'the job commits after every step: each batch is its own transaction');

select ok(
  (select command like '%private.retention_run_finish(run, failure)%' from cron.job where jobname = 'contacts-retention'),
  'the job ends the run and records the error that stopped it, if any');

-- The docker-free stack has no pg_net; the Supabase image (supabase start, hosted) has it and Vault,
-- and there 20251004000007 gives the job the Edge Function's call, before the same SQL driver.
select ok(
  (select case when exists (select from pg_catalog.pg_extension where extname = 'pg_net')
                    and to_regclass('vault.decrypted_secrets') is not null
               then command like '%net.http_post%'
               else command not like '%net.http_post%' end
   from cron.job where jobname = 'contacts-retention'),
  'with pg_net and Vault the job calls the function once its secrets exist; without them it keeps the SQL driver alone');

select * from finish();
rollback;
