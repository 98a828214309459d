-- A failed import keeps its upload so that it can be resumed; undoing it ends that (an undo that
-- began can never be resumed). import-contacts removed the upload once the undo was done, but a
-- failed removal was only logged, and an undo stopped between its steps never got that far: the
-- file of everyone in it then stayed in Storage for as long as the job. The database now queues
-- the upload in the transaction whose undo step begins the undo, as it queues those of jobs that
-- end (20251017000000), and contacts-retention's sweep takes it: import_uploads_due no longer
-- counts a job whose undo began as one that can still read its file. Uploads of such jobs that
-- exist already are queued here.
set lock_timeout = '5s';
set statement_timeout = '5min';

create trigger contact_import_jobs_queue_undone_upload
  after update of undo_summary on public.contact_import_jobs
  for each row
  when (new.source = 'upload' and new.storage_path is not null
        and old.undo_summary is null and new.undo_summary is not null)
  execute function private.queue_upload_of_ended_import();

comment on function private.queue_upload_of_ended_import() is 'Trigger: queues the upload of an import job that completed, was cancelled or began its undo, for contacts-retention to remove. Security definer: owners cancel their jobs, and the queue is the service''s.';

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
        and j.status in ('pending', 'processing', 'failed') and j.undo_summary is null)
  order by q.queued_at, q.storage_path
  limit import_uploads_due.max_count
$$;
comment on function private.import_uploads_due(uuid, integer) is 'The queued uploads contacts-retention may remove now, oldest first: all owners'' or one owner''s, none that a pending, running or failed job whose undo has not begun still names.';

insert into private.import_uploads_to_remove (storage_path, user_id, queued_at)
select j.storage_path, j.user_id, j.updated_at
from public.contact_import_jobs j
where j.source = 'upload' and j.storage_path is not null and j.undo_summary is not null
on conflict (storage_path) do nothing;
