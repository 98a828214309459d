set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.undo_import_job(uuid, integer);
