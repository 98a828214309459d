-- Back to the server's gin_pending_list_limit for the search indexes.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter index public.contacts_user_id_display_name_trgm_idx reset (gin_pending_list_limit);
alter index public.contacts_user_id_organization_trgm_idx reset (gin_pending_list_limit);
alter index public.contacts_search_vector_idx reset (gin_pending_list_limit);
