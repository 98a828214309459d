-- An upload that no job keeps is removed by import-contacts at once: the same file sent again (the
-- earlier job answers), a job that could not be created, a file refused after it was stored. When
-- Storage fails that removal, the file stayed for good: no job names it, so the queue of
-- 20251017000000 never took it, and a repeated file answered 500 instead of its job. The function
-- now queues such an upload for contacts-retention's sweep. It runs on the owner's connection, so
-- queueing is security definer and takes only one of the function's own uploads
-- (imports/<owner id>/<uuid>.csv) of the caller.
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.queue_unused_import_upload(owner_id uuid, storage_path text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if not (private.is_service_caller()
          or (queue_unused_import_upload.owner_id = (select auth.uid()) and private.current_agent_id() is null)) then
    raise exception 'only the owner or the service can queue an owner''s upload for removal' using errcode = '42501';
  end if;
  -- The sweep removes with the service's rights: never a file the owner put in Storage themselves.
  if queue_unused_import_upload.storage_path !~ ('^imports/' || queue_unused_import_upload.owner_id::text || '/[0-9a-f-]{36}\.csv$') then
    raise exception 'only an upload of the import (imports/<owner id>/<uuid>.csv) can be queued for removal' using errcode = '42501';
  end if;
  insert into private.import_uploads_to_remove (storage_path, user_id)
  values (queue_unused_import_upload.storage_path, queue_unused_import_upload.owner_id)
  on conflict on constraint import_uploads_to_remove_pkey do nothing;
end;
$$;
comment on function private.queue_unused_import_upload(uuid, text) is 'Queues an upload no import job keeps, whose removal from Storage failed, for contacts-retention to remove; the owner''s or the service''s, and only the import''s own upload paths.';
revoke execute on function private.queue_unused_import_upload(uuid, text) from public;
grant execute on function private.queue_unused_import_upload(uuid, text) to authenticated, service_role;
