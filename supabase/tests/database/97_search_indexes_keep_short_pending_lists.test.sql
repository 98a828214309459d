begin;
select plan(3);

-- Every search through a GIN index reads the index's whole pending list; the search indexes keep
-- it at 256 kB (20251011000001) so that bulk writes by one owner do not slow every owner's search.

select is((select reloptions from pg_class where oid = 'public.contacts_user_id_display_name_trgm_idx'::regclass),
  array['gin_pending_list_limit=256'], 'the display-name trigram index keeps a 256 kB pending list');
select is((select reloptions from pg_class where oid = 'public.contacts_user_id_organization_trgm_idx'::regclass),
  array['gin_pending_list_limit=256'], 'the organization trigram index keeps a 256 kB pending list');
select is((select reloptions from pg_class where oid = 'public.contacts_search_vector_idx'::regclass),
  array['gin_pending_list_limit=256'], 'the full-text index keeps a 256 kB pending list');

select * from finish();
rollback;
