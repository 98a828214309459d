-- Rolls back 20251006000000_search_top_k_indexes.
set lock_timeout = '5s';
set statement_timeout = '15min';

-- squawk-ignore require-concurrent-index-creation -- a rollback runs in one transaction, like the migration.
create index contacts_user_id_display_name_prefix_idx on public.contacts (user_id, lower(display_name) text_pattern_ops);
comment on index public.contacts_user_id_display_name_prefix_idx is 'Agent search: display names starting with the query, within one owner.';
-- squawk-ignore require-concurrent-index-creation -- as above.
create index contacts_user_id_search_vector_idx on public.contacts using gin (user_id, search_vector);
comment on index public.contacts_user_id_search_vector_idx is 'Full-text search over names, organization and title, within one owner (btree_gin leads with user_id).';

-- squawk-ignore require-concurrent-index-deletion -- as above.
drop index public.contacts_search_vector_idx;
-- squawk-ignore require-concurrent-index-deletion -- as above.
drop index public.contacts_user_id_last_name_sort_idx;
-- squawk-ignore require-concurrent-index-deletion -- as above.
drop index public.contacts_user_id_organization_sort_idx;
-- squawk-ignore require-concurrent-index-deletion -- as above.
drop index public.contacts_user_id_name_sort_idx;
