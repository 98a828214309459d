-- Rolls back 20251001000000_table_size_snapshots. pg_cron stays, as the foundation's extensions
-- do: a Supabase project ships it, and other jobs (retention) may be scheduled with it.
set lock_timeout = '5s';

do $$
begin
  if exists (select from pg_catalog.pg_extension where extname = 'pg_cron') then
    perform cron.unschedule('contacts-table-size-snapshot');
  end if;
end
$$;
drop function private.take_table_size_snapshot();
drop table private.table_size_snapshots;
