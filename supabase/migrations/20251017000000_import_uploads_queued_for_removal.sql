-- An uploaded CSV holds every person of its file. The import removes it when its job completes, is
-- cancelled or undone, through the function. Every other way a job ends or goes left the file in
-- Storage for good, with nothing pointing at it any more:
-- * the job deleted by its owner, by an import_jobs retention policy, or with the owner's account;
-- * the status set directly by the owner where PostgREST runs;
-- * a removal that failed (the function logs it and answers all the same).
-- The database cannot remove a Storage object itself (hosted Storage refuses SQL deletes and the
-- local stack's is a folder), so it queues the upload in the transaction that ends or deletes its
-- job, and contacts-retention removes what is queued through the Storage API. Only uploads are
-- queued: a file the owner put in Storage and referenced is theirs and stays.
-- squawk-ignore-file require-concurrent-index-creation -- the index is on the table this migration creates: empty, and concurrently cannot run inside the migration's transaction.
set lock_timeout = '5s';
set statement_timeout = '5min';

create table private.import_uploads_to_remove (
  storage_path text not null,
  -- No foreign key: the queue outlives the job and its owner, whose file it still is.
  user_id uuid not null,
  queued_at timestamptz not null default now(),
  constraint import_uploads_to_remove_pkey primary key (storage_path)
);
comment on table private.import_uploads_to_remove is 'Uploads of import jobs that ended or were deleted, waiting for contacts-retention to remove them from Storage.';
comment on index private.import_uploads_to_remove_pkey is 'One entry per upload: queueing it again (a job that ended, then deleted) adds nothing; the sweep forgets removed paths by it.';
comment on column private.import_uploads_to_remove.storage_path is '"<bucket>/<object path>", as the job named it.';
create index import_uploads_to_remove_user_queued_idx on private.import_uploads_to_remove (user_id, queued_at);
comment on index private.import_uploads_to_remove_user_queued_idx is 'A run scoped to one owner takes that owner''s uploads, oldest first.';
-- Not exposed (schema private) and granted to no API role: the triggers write it, the service reads it.
revoke all on table private.import_uploads_to_remove from public, anon, authenticated;
grant all on table private.import_uploads_to_remove to service_role;

create function private.queue_upload_of_ended_import()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.import_uploads_to_remove (storage_path, user_id)
  values (new.storage_path, new.user_id)
  on conflict (storage_path) do nothing;
  return null;
end;
$$;
comment on function private.queue_upload_of_ended_import() is 'Trigger: queues the upload of an import job that completed or was cancelled, for contacts-retention to remove. Security definer: owners cancel their jobs, and the queue is the service''s.';
revoke execute on function private.queue_upload_of_ended_import() from public;
grant execute on function private.queue_upload_of_ended_import() to authenticated, service_role;

create trigger contact_import_jobs_queue_ended_upload
  after update of status on public.contact_import_jobs
  for each row
  when (new.source = 'upload' and new.storage_path is not null
        and new.status in ('completed', 'cancelled') and old.status is distinct from new.status)
  execute function private.queue_upload_of_ended_import();

create function private.queue_uploads_of_deleted_imports()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.import_uploads_to_remove (storage_path, user_id)
  select g.storage_path, g.user_id from deleted_jobs g
  where g.source = 'upload' and g.storage_path is not null
  on conflict (storage_path) do nothing;
  return null;
end;
$$;
comment on function private.queue_uploads_of_deleted_imports() is 'Trigger: queues the uploads of deleted import jobs (by their owner, a retention policy or the owner''s account going), for contacts-retention to remove. Security definer: owners delete their jobs, and the queue is the service''s.';
revoke execute on function private.queue_uploads_of_deleted_imports() from public;
grant execute on function private.queue_uploads_of_deleted_imports() to authenticated, service_role;

-- Per statement: deleting an owner deletes all their jobs in one cascade.
create trigger contact_import_jobs_queue_deleted_uploads
  after delete on public.contact_import_jobs
  referencing old table as deleted_jobs
  for each statement
  execute function private.queue_uploads_of_deleted_imports();

create function private.import_uploads_due(owner_id uuid, max_count integer)
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
revoke execute on function private.import_uploads_due(uuid, integer) from public;
grant execute on function private.import_uploads_due(uuid, integer) to service_role;

-- Uploads of jobs that ended before the queue existed and may still be in Storage (set ended
-- directly, or a failed removal). Removing one already gone is a no-op.
insert into private.import_uploads_to_remove (storage_path, user_id, queued_at)
select j.storage_path, j.user_id, coalesce(j.completed_at, j.updated_at)
from public.contact_import_jobs j
where j.source = 'upload' and j.storage_path is not null and j.status in ('completed', 'cancelled')
on conflict (storage_path) do nothing;
