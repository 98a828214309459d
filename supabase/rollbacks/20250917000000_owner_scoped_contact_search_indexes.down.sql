-- Rolls back 20250917000000_owner_scoped_contact_search_indexes. The btree_gin extension stays:
-- it may have been there before (Supabase projects often have it), and dropping it is not needed.
set lock_timeout = '5s';
set statement_timeout = '15min';

-- squawk-ignore require-concurrent-index-creation -- a rollback runs in one transaction, like the migration.
create index contacts_search_vector_idx on public.contacts using gin (search_vector);
comment on index public.contacts_search_vector_idx is 'Full-text search over names, organization and title.';
-- squawk-ignore require-concurrent-index-creation -- as above.
create index contacts_display_name_trgm_idx on public.contacts using gin (display_name extensions.gin_trgm_ops);
comment on index public.contacts_display_name_trgm_idx is 'Typo-tolerant and substring name search (trigram).';
-- squawk-ignore require-concurrent-index-creation -- as above.
create index contacts_organization_trgm_idx on public.contacts using gin (organization extensions.gin_trgm_ops);
comment on index public.contacts_organization_trgm_idx is 'Typo-tolerant organization search (trigram).';

-- squawk-ignore require-concurrent-index-deletion -- as above.
drop index public.contacts_user_id_organization_trgm_idx;
-- squawk-ignore require-concurrent-index-deletion -- as above.
drop index public.contacts_user_id_display_name_trgm_idx;
-- squawk-ignore require-concurrent-index-deletion -- as above.
drop index public.contacts_user_id_search_vector_idx;
-- squawk-ignore require-concurrent-index-deletion -- as above.
drop index public.contacts_user_id_display_name_prefix_idx;
