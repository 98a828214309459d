-- Rollback of 20251018000000_unused_import_uploads_queued_for_removal: an upload without a job whose
-- removal fails stays in Storage; what was queued already is still swept.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.queue_unused_import_upload(uuid, text);
