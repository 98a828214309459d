-- Rolls back 20251004000007_retention_schedule_hosted: where it rescheduled the job (pg_cron,
-- pg_net and Vault exist), the job runs the SQL driver of 20251004000006 again.
set lock_timeout = '5s';

do $$
begin
  if exists (select from pg_catalog.pg_extension where extname = 'pg_cron')
     and exists (select from pg_catalog.pg_extension where extname = 'pg_net')
     and to_regclass('vault.decrypted_secrets') is not null then
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
