-- Search indexes that return a page without collecting every match. Each kind of match of the agent
-- search is read in the order results are ranked in (an owner's active contacts by lower-cased
-- name, in byte order, then id), so a page stops after about a page of index entries however many
-- contacts match. The full-text GIN index led by user_id is replaced by one without the owner: for
-- an owner of 300,000 contacts its user_id entry alone lists 300,000 rows, which every full-text
-- search walked. The search filters the owner on the few rows a rare word returns, and reads a
-- common word in the name order instead (the planner decides per query, from the word's
-- statistics). The trigram indexes led by user_id stay: typos are looked up by one word, and
-- there the owner's entry narrows the rows to check.
set lock_timeout = '5s';
set statement_timeout = '15min';

-- On an existing table: create index concurrently cannot run inside the migration's transaction.
-- The builds hold a SHARE lock on contacts (reads go on, writes wait): measured at 5-15 s per
-- index per million contacts; on a much larger hosted table, apply this migration in a quiet moment.
-- squawk-ignore require-concurrent-index-creation -- see above: inside the migration's transaction.
create index contacts_user_id_name_sort_idx
  on public.contacts (user_id, (lower(display_name) collate "C"), id) where status = 'active';
comment on index public.contacts_user_id_name_sort_idx is
  'Agent search: an owner''s active contacts by lower-cased name in byte order, then id. Name prefixes are ranges of it, and every kind of match is ranked in its order.';
-- squawk-ignore require-concurrent-index-creation -- as above.
create index contacts_user_id_organization_sort_idx
  on public.contacts (user_id, (lower(organization) collate "C"), (lower(display_name) collate "C"), id)
  include (last_name) where status = 'active' and organization is not null;
comment on index public.contacts_user_id_organization_sort_idx is
  'Agent search: an owner''s active contacts by organization, then name and id (the query names an organization).';
-- squawk-ignore require-concurrent-index-creation -- as above.
create index contacts_user_id_last_name_sort_idx
  on public.contacts (user_id, (lower(last_name) collate "C"), (lower(display_name) collate "C"), id)
  where status = 'active' and last_name is not null;
comment on index public.contacts_user_id_last_name_sort_idx is
  'Agent search: an owner''s active contacts by last name, then name and id (the query is a surname: the most common search, and the most common words).';
-- squawk-ignore require-concurrent-index-creation -- as above.
create index contacts_search_vector_idx on public.contacts using gin (search_vector) where status = 'active';
comment on index public.contacts_search_vector_idx is
  'Agent search: full-text words of the names, organization and title of active contacts (rare words; common ones read the name order).';
-- squawk-ignore require-concurrent-index-deletion -- replaced above, inside the migration's transaction.
drop index public.contacts_user_id_display_name_prefix_idx;
-- squawk-ignore require-concurrent-index-deletion -- as above.
drop index public.contacts_user_id_search_vector_idx;
