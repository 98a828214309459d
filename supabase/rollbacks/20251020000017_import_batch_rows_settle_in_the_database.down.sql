-- Rollback of 20251020000017_import_batch_rows_settle_in_the_database.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.import_settle_batch(public.contact_import_jobs, private.contact_import_plan[], text, text);
