set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.import_job_is_running(uuid);
drop function private.create_import_job(uuid, text, bigint, text, text, text, jsonb, jsonb, boolean, bigint, boolean);
drop function private.import_merged_value(text, text, text);
drop function private.import_job_lock_key(uuid);
drop type private.contact_import_plan;
drop type private.contact_import_row;
