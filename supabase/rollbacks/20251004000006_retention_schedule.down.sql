-- Rolls back 20251004000006_retention_schedule.
set lock_timeout = '5s';

do $$
begin
  if exists (select from pg_catalog.pg_extension where extname = 'pg_cron') then
    if exists (select from cron.job where jobname = 'contacts-retention') then
      perform cron.unschedule('contacts-retention');
    end if;
  end if;
end
$$;
