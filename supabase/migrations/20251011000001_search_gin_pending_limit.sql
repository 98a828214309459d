-- The trigram and full-text indexes the agent search reads keep new entries in a pending list
-- (fastupdate) until it reaches gin_pending_list_limit, 4 MB by default, and every search through
-- such an index reads the whole list: while an import or any bulk write fills it, searches of every
-- owner slow down (p95 14 -> 23 ms in a 20,000-contact owner's searches after 30,000 contacts were
-- written elsewhere). A 256 kB list is merged sixteen times as often, costing inserts about a tenth
-- more, and bounds what a search reads; turning fastupdate off instead doubled the insert time.
-- The lock is share update exclusive: reads and writes go on.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter index public.contacts_user_id_display_name_trgm_idx set (gin_pending_list_limit = 256);
alter index public.contacts_user_id_organization_trgm_idx set (gin_pending_list_limit = 256);
alter index public.contacts_search_vector_idx set (gin_pending_list_limit = 256);
