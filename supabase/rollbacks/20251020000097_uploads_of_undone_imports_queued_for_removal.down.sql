-- Rollback of 20251020000097_uploads_of_undone_imports_queued_for_removal: no trigger on an undo's
-- beginning, and import_uploads_due and the trigger function's comment as 20251017000000 made them.
-- Uploads already queued stay queued: removing a file no job can resume loses nothing.
set lock_timeout = '5s';

create or replace function private.import_uploads_due(owner_id uuid, max_count integer)
returns table (storage_path text)
language sql
stable
set search_path = ''
as $$
  select q.storage_path
  from private.import_uploads_to_remove q
  where (import_uploads_due.owner_id is null or q.user_id = import_uploads_due.owner_id)
    -- The owner may have referenced the same object for a new import since: it stays while one
    -- that can still read it does.
    and not exists (
      select 1 from public.contact_import_jobs j
      where j.user_id = q.user_id and j.storage_path = q.storage_path
        and j.status in ('pending', 'processing', 'failed'))
  order by q.queued_at, q.storage_path
  limit import_uploads_due.max_count
$$;
comment on function private.import_uploads_due(uuid, integer) is 'The queued uploads contacts-retention may remove now, oldest first: all owners'' or one owner''s, none that a pending, running or failed job still names.';

comment on function private.queue_upload_of_ended_import() is 'Trigger: queues the upload of an import job that completed or was cancelled, for contacts-retention to remove. Security definer: owners cancel their jobs, and the queue is the service''s.';

drop trigger contact_import_jobs_queue_undone_upload on public.contact_import_jobs;
