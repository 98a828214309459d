-- Schedules retention with pg_cron: every day at 03:30 UTC (after the 03:17 table-size snapshot),
-- job 'contacts-retention'. The command is a DO block, the driver of a batched run: each step is
-- its own transaction (COMMIT after each), the run holds the session's advisory lock until it
-- ends, and an error is recorded in the run log before the block ends. Change the schedule with
--   select cron.alter_job((select jobid from cron.job where jobname = 'contacts-retention'), schedule => '0 2 * * *');
-- pg_cron exists only in the database it runs from (20251001000000 creates it there, as Supabase
-- does); elsewhere (a scratch database of the cluster) there is nothing to schedule from.
set lock_timeout = '5s';
set statement_timeout = '5min';

do $$
begin
  if exists (select from pg_catalog.pg_extension where extname = 'pg_cron') then
    perform cron.schedule('contacts-retention', '30 3 * * *', $job$
do $run$
declare
  run bigint;
  more boolean := true;
  failure text;
begin
  perform pg_catalog.set_config('lock_timeout', '2s', false);
  run := private.retention_run_start(false, null, null, 'cron', 5000, true);
  commit;
  while more loop
    begin
      more := private.retention_run_step(run);
    exception when others then
      failure := sqlerrm;
      more := false;
    end;
    commit;
  end loop;
  perform private.retention_run_finish(run, failure);
end
$run$
$job$);
  end if;
end
$$;
