-- Hosted Supabase: the same daily job calls the contacts-retention Edge Function through pg_net,
-- with the function's URL and the project's secret key (sb_secret_...) read from Vault at run time:
--   select vault.create_secret('https://<project-ref>.supabase.co/functions/v1/contacts-retention', 'contacts_retention_url');
--   select vault.create_secret('<sb_secret_... key>', 'contacts_retention_secret_key');
-- Applied only where pg_cron, pg_net and Vault all exist (a hosted project); elsewhere, as on the
-- local stack, this migration changes nothing and the job keeps the SQL driver of 20251004000006.
-- Until both secrets exist the job also keeps running the SQL driver, so retention never stops for
-- want of configuration. The function answers the run's counts to pg_net (net._http_response).
set lock_timeout = '5s';
set statement_timeout = '5min';

do $$
begin
  if exists (select from pg_catalog.pg_extension where extname = 'pg_cron')
     and exists (select from pg_catalog.pg_extension where extname = 'pg_net')
     and to_regclass('vault.decrypted_secrets') is not null then
    perform cron.schedule('contacts-retention', '30 3 * * *', $job$
do $run$
declare
  function_url text;
  secret_key text;
  run bigint;
  more boolean := true;
  failure text;
begin
  select s.decrypted_secret into function_url from vault.decrypted_secrets s where s.name = 'contacts_retention_url';
  select s.decrypted_secret into secret_key from vault.decrypted_secrets s where s.name = 'contacts_retention_secret_key';
  if function_url is not null and secret_key is not null then
    perform net.http_post(
      url := function_url,
      body := '{}'::jsonb,
      headers := jsonb_build_object('Content-Type', 'application/json', 'apikey', secret_key),
      timeout_milliseconds := 150000);
    return;
  end if;
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
