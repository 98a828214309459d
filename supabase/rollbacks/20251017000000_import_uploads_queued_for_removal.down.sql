-- Rollback of 20251017000000_import_uploads_queued_for_removal: nothing queues the uploads of ended
-- or deleted import jobs; what was queued and not yet removed stays in Storage.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.import_uploads_due(uuid, integer);
drop trigger contact_import_jobs_queue_deleted_uploads on public.contact_import_jobs;
drop function private.queue_uploads_of_deleted_imports();
drop trigger contact_import_jobs_queue_ended_upload on public.contact_import_jobs;
drop function private.queue_upload_of_ended_import();
drop table private.import_uploads_to_remove;
