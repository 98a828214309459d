-- The imports bucket, and what owners may do in it through Storage's API. README's way to import a
-- large file is to upload it with supabase-js to imports/<user id>/... and name it to
-- import-contacts. Storage checks that upload against row-level security on storage.objects, and
-- no policy allowed it, so Storage refused it wherever it runs. config.toml makes the bucket for
-- `supabase start` only; a hosted project needs it too. Each owner gets their own folder, as the
-- function's uploads already use (imports/<owner id>/<uuid>.csv). Agent-scoped tokens get none:
-- an agent cannot import.
set lock_timeout = '5s';
set statement_timeout = '5min';

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('imports', 'imports', false, 536870912,
  array['text/csv', 'text/plain', 'text/tab-separated-values', 'application/octet-stream'])
on conflict (id) do nothing;

create policy objects_select_policy_imports on storage.objects
  as permissive for select to authenticated
  using (bucket_id = 'imports' and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.current_agent_id()) is null);
comment on policy objects_select_policy_imports on storage.objects is 'Owners read (and download) the files of their own folder of the imports bucket; agent-scoped tokens cannot.';

create policy objects_insert_policy_imports on storage.objects
  as permissive for insert to authenticated
  with check (bucket_id = 'imports' and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.current_agent_id()) is null);
comment on policy objects_insert_policy_imports on storage.objects is 'Owners upload files to import into their own folder of the imports bucket (imports/<user id>/...); agent-scoped tokens cannot.';

-- An upload with upsert replaces the file: it needs update beside insert and select.
create policy objects_update_policy_imports on storage.objects
  as permissive for update to authenticated
  using (bucket_id = 'imports' and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.current_agent_id()) is null)
  with check (bucket_id = 'imports' and (storage.foldername(name))[1] = (select auth.uid())::text);
comment on policy objects_update_policy_imports on storage.objects is 'Owners replace the files of their own folder of the imports bucket, and cannot move one out of it; agent-scoped tokens cannot.';

create policy objects_delete_policy_imports on storage.objects
  as permissive for delete to authenticated
  using (bucket_id = 'imports' and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.current_agent_id()) is null);
comment on policy objects_delete_policy_imports on storage.objects is 'Owners remove the files of their own folder of the imports bucket; agent-scoped tokens cannot.';
