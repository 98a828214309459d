-- Rollback of 20251020000091: private.search_match_kinds as 20251013000001 defined it, and without
-- the folded spellings' helpers and index.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.search_match_kinds()
returns table (kind integer, step integer, score numeric, names_only boolean, statement text, keyset text)
language sql
immutable
set search_path = ''
as $$
  with stronger (sql) as (
    -- Leaves out what a stronger kind lists: name prefixes, organizations and surnames that are the
    -- query, identifiers.
    select ' and not (lower(c.display_name) collate "C" >= $6 and lower(c.display_name) collate "C" < $9)'
    || ' and not coalesce(lower(c.organization) collate "C" = $6 or (lower(c.organization) collate "C" >= $7'
    || ' and lower(c.organization) collate "C" < $8), false)'
    || ' and lower(c.last_name) collate "C" is distinct from $6 and c.id <> all ($12)'::text
  )
  select k.kind, k.step, k.score, k.names_only, replace(k.statement, '#not_stronger#', s.sql), k.keyset
  from stronger s, (values
    -- Identifiers (a handful, found beforehand), in memory; their keyset is their own.
    (1, 1, null, false,
     $k$(select c.id, x.score, x.reason, lower(c.display_name) collate "C" as k1, ''::text collate "C" as k2
      from unnest($12, $18, $19) as x (contact_id, score, reason)
      join public.contacts c on c.id = x.contact_id and c.user_id = $2 and c.status = 'active'
      where ($14 is null or x.score < $14 or (x.score = $14 and (lower(c.display_name) collate "C", c.id) > ($15, $17)))
        #filters#
      order by x.score desc, k1, c.id limit $13)$k$,
     ''),
    -- Names that are the query or start with it and a space.
    (2, 1, 0.92, true,
     $k$(select c.id, 0.92::numeric, 'name_prefix', lower(c.display_name) collate "C", ''::text collate "C"
        from public.contacts c
        where c.user_id = $2 and c.status = 'active'
          and lower(c.display_name) collate "C" >= $6 and lower(c.display_name) collate "C" < $8
          and (lower(c.display_name) collate "C" = $6 or lower(c.display_name) collate "C" >= $7)
          and c.id <> all ($12) #filters# #after#
        order by lower(c.display_name) collate "C", c.id limit $13)$k$,
     ' and (lower(c.display_name) collate "C", c.id) > ($15, $17)'),
    -- Other names starting with the query: before and after the block above, in order.
    (3, 1, 0.9, true,
     $k$(select * from ((select c.id, 0.9::numeric, 'name_prefix', lower(c.display_name) collate "C", ''::text collate "C"
          from public.contacts c
          where c.user_id = $2 and c.status = 'active'
            and lower(c.display_name) collate "C" > $6 and lower(c.display_name) collate "C" < $7
            and c.id <> all ($12) #filters# #after#
          order by lower(c.display_name) collate "C", c.id limit $13)
        union all
        (select c.id, 0.9::numeric, 'name_prefix', lower(c.display_name) collate "C", ''::text collate "C"
          from public.contacts c
          where c.user_id = $2 and c.status = 'active'
            and lower(c.display_name) collate "C" >= $8 and lower(c.display_name) collate "C" < $9
            and c.id <> all ($12) #filters# #after#
          order by lower(c.display_name) collate "C", c.id limit $13)) both_sides limit $13)$k$,
     ' and (lower(c.display_name) collate "C", c.id) > ($15, $17)'),
    -- Last names that are the query (surnames are the most common words of all).
    (4, 1, 0.87, true,
     $k$(select c.id, 0.87::numeric, 'full_text', lower(c.display_name) collate "C", ''::text collate "C"
        from public.contacts c
        where c.user_id = $2 and c.status = 'active' and c.last_name is not null
          and lower(c.last_name) collate "C" = $6
          and not (lower(c.display_name) collate "C" >= $6 and lower(c.display_name) collate "C" < $9)
          and c.id <> all ($12) #filters# #after#
        order by lower(c.last_name) collate "C", lower(c.display_name) collate "C", c.id limit $13)$k$,
     ' and (lower(c.display_name) collate "C", c.id) > ($15, $17)'),
    -- Organizations that are the query or start with it and a space.
    (5, 1, 0.86, true,
     $k$(select c.id, 0.86::numeric, 'full_text', lower(c.organization) collate "C", lower(c.display_name) collate "C"
        from public.contacts c
        where c.user_id = $2 and c.status = 'active' and c.organization is not null
          and lower(c.organization) collate "C" >= $6 and lower(c.organization) collate "C" < $8
          and (lower(c.organization) collate "C" = $6 or lower(c.organization) collate "C" >= $7)
          and not (lower(c.display_name) collate "C" >= $6 and lower(c.display_name) collate "C" < $9)
          and lower(c.last_name) collate "C" is distinct from $6
          and c.id <> all ($12) #filters# #after#
        order by lower(c.organization) collate "C", lower(c.display_name) collate "C", c.id limit $13)$k$,
     ' and (lower(c.organization) collate "C", lower(c.display_name) collate "C", c.id) > ($16, $15, $17)'),
    -- Whole words, then word prefixes, anywhere in the names, organization and title.
    (6, 2, 0.85, true,
     $k$(select c.id, 0.85::numeric, 'full_text', lower(c.display_name) collate "C", ''::text collate "C"
        from public.contacts c
        where c.user_id = $2 and c.status = 'active' and c.search_vector @@ $10 #not_stronger# #filters# #after#
        order by lower(c.display_name) collate "C", c.id limit $13)$k$,
     ' and (lower(c.display_name) collate "C", c.id) > ($15, $17)'),

    (7, 2, 0.8, true,
     $k$(select c.id, 0.8::numeric, 'full_text', lower(c.display_name) collate "C", ''::text collate "C"
        from public.contacts c
        where c.user_id = $2 and c.status = 'active' and c.search_vector @@ $11 and not c.search_vector @@ $10
          #not_stronger# #filters# #after#
        order by lower(c.display_name) collate "C", c.id limit $13)$k$,
     ' and (lower(c.display_name) collate "C", c.id) > ($15, $17)'),
    -- Typos, after every other kind and only when those found less than a page: what none of them
    -- found, holding for each of the query's (longest three) words of five letters or more a word
    -- of the owner's vocabulary within 0.5 word-similarity of it (private.search_typo_query: the
    -- few contacts holding such words, read through the full-text index), that word within 0.5
    -- word-similarity of the name or organization (#typo_words#), the whole query within 0.4.
    (8, 3, null, true,
     $k$select t.id, round(0.7 * t.similarity, 4), 'trigram', t.k1, t.k2 from (
        select c.id, greatest(extensions.word_similarity($6, c.display_name),
                              extensions.word_similarity($6, coalesce(c.organization, '')))::numeric as similarity,
          lower(c.display_name) collate "C" as k1, ''::text collate "C" as k2
        from (select c.id, c.display_name, c.organization
              from public.contacts c
              where c.user_id = $2 and c.status = 'active' and c.search_vector @@ private.search_typo_query($2, $20)
                and not c.search_vector @@ $11 #not_stronger# #filters# offset 0) c
        where true #typo_words#) t
      where t.similarity >= 0.4
        and ($14 is null or round(0.7 * t.similarity, 4) < $14
             or (round(0.7 * t.similarity, 4) = $14 and (t.k1, t.id) > ($15, $17)))
      order by t.similarity desc, t.k1, t.id limit $13$k$,
     '')
  ) as k (kind, step, score, names_only, statement, keyset)
$$;

drop function private.search_folded_query(uuid, text, boolean);
drop index private.contact_search_words_folded_idx;
drop function private.fold_accents(text);
