-- Rolls back 20251009000001_retention_watermarks.
set lock_timeout = '5s';

drop trigger contacts_void_retention_watermarks on public.contacts;
drop function private.void_retention_watermarks_of_released_holds();
drop trigger contact_interactions_void_retention_watermarks_on_update on public.contact_interactions;
drop trigger contact_interactions_void_retention_watermarks_on_insert on public.contact_interactions;
drop function private.void_retention_watermarks_of_old_rows();
drop table private.retention_watermarks;
