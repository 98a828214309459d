-- Contact search indexes scoped to one owner. The search reads one owner's rows; indexes over every
-- owner's contacts made each search walk entries of all owners (an owner of 300,000 contacts and a
-- hundred others meant a full-text or trigram entry listing every tenant's rows). btree_gin lets a
-- GIN index lead with user_id; display-name prefixes get a btree range in byte order.
set lock_timeout = '5s';
set statement_timeout = '15min';

create extension if not exists btree_gin with schema extensions;

-- On an existing table: create index concurrently cannot run inside the migration's transaction.
-- The builds hold a SHARE lock on contacts (reads go on, writes wait) for seconds per million rows.
-- squawk-ignore require-concurrent-index-creation -- see above: inside the migration's transaction.
create index contacts_user_id_display_name_prefix_idx on public.contacts (user_id, lower(display_name) text_pattern_ops);
comment on index public.contacts_user_id_display_name_prefix_idx is 'Agent search: display names starting with the query, within one owner.';
-- squawk-ignore require-concurrent-index-creation -- as above.
create index contacts_user_id_search_vector_idx on public.contacts using gin (user_id, search_vector);
comment on index public.contacts_user_id_search_vector_idx is 'Full-text search over names, organization and title, within one owner (btree_gin leads with user_id).';
-- squawk-ignore require-concurrent-index-creation -- as above.
create index contacts_user_id_display_name_trgm_idx on public.contacts using gin (user_id, display_name extensions.gin_trgm_ops);
comment on index public.contacts_user_id_display_name_trgm_idx is 'Typo-tolerant and substring name search (trigram), within one owner.';
-- squawk-ignore require-concurrent-index-creation -- as above.
create index contacts_user_id_organization_trgm_idx on public.contacts using gin (user_id, organization extensions.gin_trgm_ops);
comment on index public.contacts_user_id_organization_trgm_idx is 'Typo-tolerant organization search (trigram), within one owner.';

-- squawk-ignore require-concurrent-index-deletion -- replaced above, inside the migration's transaction.
drop index public.contacts_search_vector_idx;
-- squawk-ignore require-concurrent-index-deletion -- as above.
drop index public.contacts_display_name_trgm_idx;
-- squawk-ignore require-concurrent-index-deletion -- as above.
drop index public.contacts_organization_trgm_idx;
