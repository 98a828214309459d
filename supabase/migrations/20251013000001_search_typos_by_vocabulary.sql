-- Typos found through the owner's vocabulary (private.contact_search_words, 20251013000000)
-- instead of the trigram indexes of contacts. Redefines private.search_match_kinds of
-- 20251006000001_search_match_kinds; the one thing that changes is the typo kind (step 8). It read
-- every contact sharing trigrams with the misspelt word (a misspelt Benjamin: every Benjamin of
-- the owner, about 530 rows for an owner of 300,000 contacts, ten times as many as at 30,000) and
-- computed the similarity of each. Now each misspelt word is corrected among the owner's distinct
-- words (a few thousand, growing far slower than the contacts), and the contacts holding a
-- correction of every word come from the full-text index: the intersection of the corrections,
-- usually a handful of rows. The candidate conditions and the ranking are the same as before.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The full-text query of the contacts a typo search considers: for each query word, any word of
-- the owner's active contacts within 0.5 word-similarity of it (the best 50, a bound on the query's
-- size), all query words required. Null when a query word has no such word: then nothing matches.
-- Stable, so the planner of the typo statement evaluates it to estimate the corrected words' rows.
-- One lookup per word, planned with its values: with a generic plan (or joined laterally to the
-- query words) the planner expects an owner to hold a few words, walks all of them through the
-- primary key and compares each (10 ms per word at 7,000 words, against 0.5 ms through the trigram
-- index).
create function private.search_typo_query(owner_id uuid, words text[])
returns tsquery
language plpgsql
stable
set search_path = ''
set pg_trgm.word_similarity_threshold = 0.5
as $$
declare
  typed text;
  alternatives text;
  corrected text := '';
begin
  foreach typed in array search_typo_query.words loop
    execute 'select string_agg(private.lexeme_query(v.word)::text, '' | '' order by v.word) from ('
      || 'select w.word from private.contact_search_words w where w.user_id = $1 and $2 operator(extensions.<%) w.word'
      || ' order by extensions.word_similarity($2, w.word) desc, w.word limit 50) v'
    into alternatives
    using search_typo_query.owner_id, typed;
    if alternatives is null then
      return null;
    end if;
    corrected := corrected || case when corrected = '' then '(' else ' & (' end || alternatives || ')';
  end loop;
  return nullif(corrected, '')::tsquery;
end;
$$;
comment on function private.search_typo_query(uuid, text[]) is
  'Agent search, typos: the full-text query of the contacts holding, for every misspelt query word, a word of the owner within 0.5 word-similarity of it.';
revoke execute on function private.search_typo_query(uuid, text[]) from public;
grant execute on function private.search_typo_query(uuid, text[]) to service_role;

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
comment on function private.search_match_kinds() is
  'The kinds of match of the agent search, best first, each as the statement that reads it top-k in rank order (used by private.search_contacts_page).';
revoke execute on function private.search_match_kinds() from public;
grant execute on function private.search_match_kinds() to authenticated, service_role;
