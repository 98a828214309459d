-- Rollback of 20251018000001_imports_bucket_owner_folders: owners can no longer upload to, read or
-- remove from their folder of the imports bucket through Storage's API. The bucket stays, with its
-- files: Storage refuses deleting its rows in SQL, and config.toml makes it for `supabase start`.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop policy objects_delete_policy_imports on storage.objects;
drop policy objects_update_policy_imports on storage.objects;
drop policy objects_insert_policy_imports on storage.objects;
drop policy objects_select_policy_imports on storage.objects;
