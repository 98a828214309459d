-- The search never folded accents: "Ozturk" (Öztürk), "Yilmaz" (Yılmaz), "Soren" (Søren), "Bjorn
-- Borg", "Gomez", "Societe Generale", "muller" and "Mueller" (Müller) found their names only as
-- weak typos, and not at all once stronger matches filled the page (and "Müller" typed with its
-- accent missed "Muller" and "Mueller"). Now a query word also matches, as words of the names,
-- organization and title (full_text), the owner's words that are the same without accents, and
-- German ä, ö, ü written ae, oe, ue: whole words at 0.79 and word prefixes at 0.78, just below the
-- words and prefixes as typed (0.85, 0.8), so a match with the accents typed still ranks first.
-- How, without touching contacts (search_vector is a stored generated column: changing it would
-- rewrite the table): the owner's vocabulary (private.contact_search_words) gets an index of its
-- words that folding changes, by their folded form (private.fold_accents); the search looks each
-- query word up there (private.search_folded_query) and reads the contacts holding the words found
-- through the existing full-text index. Bounded as typos are: each word once, other spellings for
-- the longest three words of 2+ letters, prefixes of 3+ letters folded (all the owner's words
-- sharing them: with a cap, the words past it were never listed, and whether an agent found a
-- contact it may see depended on contacts it may not see). Redefines private.search_match_kinds of
-- 20251013000001: two kinds are added after the full-text prefixes, and typos leave out what they
-- list.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Lower-case, marks of decomposed letters dropped (é, ü, ñ, ğ, ş ...) and letters that carry theirs
-- inside folded by hand (ı ø ł đ ħ ŧ ð, ß æ œ þ); NFC again, so scripts that decompose without marks
-- (Hangul) come back whole. Pure: an index expression.
create function private.fold_accents(word text)
returns text
language sql
immutable
strict
parallel safe
set search_path = ''
as $$
  select replace(replace(replace(replace(translate(
    normalize(regexp_replace(normalize(lower(fold_accents.word), nfd), '[\u0300-\u036f]+', '', 'g'), nfc),
    'ıøłđħŧð', 'ioldhtd'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th')
$$;
comment on function private.fold_accents(text) is 'A word without its accents, lower-cased: what the agent search compares a query word typed without accents with.';
revoke execute on function private.fold_accents(text) from public;
grant execute on function private.fold_accents(text) to authenticated, service_role;

-- Only the words folding changes: a small part of the vocabulary. text_pattern_ops: equality and
-- byte-order prefix ranges. A build, not a rewrite; it holds writes of new words (so inserts of
-- contacts bringing new words) for as long as it runs: under a second for a million words.
-- squawk-ignore require-concurrent-index-creation -- concurrently cannot run in the migration's transaction; a small index of a small table (see above).
create index contact_search_words_folded_idx
  on private.contact_search_words (user_id, private.fold_accents(word) text_pattern_ops)
  where private.fold_accents(word) <> word;
comment on index private.contact_search_words_folded_idx is 'Agent search: an owner''s words with accents, by their form without them.';

-- The full-text query of the contacts holding every query word, or one of its other spellings,
-- with at least one word in another spelling (what the words as typed match is listed before):
-- the word without accents, with ä ö ü written ae oe ue, and the owner's words with accents that
-- fold to it, or to it with ae oe ue read as ä ö ü. With prefixes, the word's own spellings are
-- prefixes and the owner's words are taken whole (a longer word holding one is found itself).
-- Bounded, as typos are: each word once; other spellings for the longest three words of 2+
-- letters only (the rest as typed); prefixes only of 3+ letters folded, so the owner's words taken
-- are the few sharing those letters. All of them: a cap would leave out the words after it, and
-- whether a contact the agent may see is found would depend on contacts it may not see. Null
-- when no word has another spelling. Invoker: only the search, itself security definer, reads
-- the search words through it.
create function private.search_folded_query(owner_id uuid, needle text, prefixes boolean)
returns tsquery
language plpgsql
stable
set search_path = ''
as $$
declare
  words constant text[] := array(select distinct w.v from regexp_split_to_table(
    regexp_replace(lower(search_folded_query.needle), '[^[:alnum:]]+', ' ', 'g'), ' ') as w (v) where w.v <> '');
  spelt constant text[] := array(select w.v from unnest(words) as w (v) where char_length(w.v) >= 2
    order by char_length(w.v) desc, w.v limit 3);
  typed text;
  folded text;
  german text;
  found text[];
  anchor text[] := '{}'::text[];
  groups text[] := '{}'::text[];
  suffix constant text := case when search_folded_query.prefixes then ':*' else '' end;
begin
  foreach typed in array words loop
    found := '{}'::text[];
    folded := private.fold_accents(typed);
    -- ae oe ue as the umlauts they may spell: a key of the index only, checked below.
    german := private.fold_accents(replace(replace(replace(typed, 'ae', 'a'), 'oe', 'o'), 'ue', 'u'));
    -- Each lookup is one or two probes of contact_search_words_folded_idx; the owner's word v is
    -- taken when it or it with its umlauts written out, folded, is the word typed, folded (or starts
    -- with it).
    if typed <> all (spelt) or (search_folded_query.prefixes and char_length(folded) < 3) then
      null;
    elsif search_folded_query.prefixes then
      found := array(select private.lexeme_query(w.word)::text
        from private.contact_search_words w
        where w.user_id = search_folded_query.owner_id and private.fold_accents(w.word) <> w.word
          and ((private.fold_accents(w.word) operator(pg_catalog.~>=~) folded
                and private.fold_accents(w.word) operator(pg_catalog.~<~) (folded || chr(1114111)))
            or (private.fold_accents(w.word) operator(pg_catalog.~>=~) german
                and private.fold_accents(w.word) operator(pg_catalog.~<~) (german || chr(1114111))))
          and (starts_with(private.fold_accents(w.word), folded)
            or starts_with(private.fold_accents(replace(replace(replace(w.word, 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue')), folded))
          and not starts_with(w.word, typed));
    else
      found := array(select private.lexeme_query(w.word)::text
        from private.contact_search_words w
        where w.user_id = search_folded_query.owner_id and private.fold_accents(w.word) <> w.word
          and private.fold_accents(w.word) in (folded, german)
          and (private.fold_accents(w.word) = folded
            or private.fold_accents(replace(replace(replace(w.word, 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue')) = folded)
          and w.word <> typed);
    end if;
    if typed = any (spelt) and not (search_folded_query.prefixes and char_length(folded) < 3) then
      -- The word typed with accents: without them, and with ä ö ü written ae oe ue.
      found := array(select distinct a from unnest(found || array[
          private.lexeme_query(folded)::text || suffix,
          private.lexeme_query(replace(replace(replace(typed, 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'))::text || suffix]) as fs (a)
        where a <> private.lexeme_query(typed)::text || suffix);
    end if;
    anchor := anchor || found;
    groups := groups || ('(' || array_to_string(private.lexeme_query(typed)::text || suffix || found, ' | ') || ')');
  end loop;
  if cardinality(anchor) = 0 then
    return null;
  end if;
  -- One word: its other spellings. More: one of them, and every word in some spelling.
  return ('(' || array_to_string(anchor, ' | ') || ')'
    || case when cardinality(words) > 1 then ' & ' || array_to_string(groups, ' & ') else '' end)::tsquery;
end;
$$;
comment on function private.search_folded_query(uuid, text, boolean) is
  'Agent search: the full-text query of the contacts holding every query word in some spelling and one in another spelling (without accents, ä ö ü as ae oe ue, the owner''s words with accents folding to it), for the longest three words of 2+ letters; with prefixes, of 3+ letters folded; null when no word has another spelling.';
revoke execute on function private.search_folded_query(uuid, text, boolean) from public;
grant execute on function private.search_folded_query(uuid, text, boolean) to service_role;

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
    -- Other spellings of the words (private.search_folded_query: without accents, ä ö ü as ae oe ue),
    -- whole, then as prefixes: what the words as typed did not find, just below it. The query is
    -- made once a statement (a subquery), and the contacts holding it are read unordered behind a
    -- fence, so from the full-text index for a big owner (in name order, the filter would walk all of
    -- its contacts to find the few).
    (8, 2, 0.79, true,
     $k$(select c.id, 0.79::numeric, 'full_text', lower(c.display_name) collate "C", ''::text collate "C"
        from (select c.* from public.contacts c
              where c.user_id = $2 and c.status = 'active' and c.search_vector @@ (select private.search_folded_query($2, $6, false))
                and not c.search_vector @@ $11 #not_stronger# #filters# offset 0) c
        where true #after#
        order by lower(c.display_name) collate "C", c.id limit $13)$k$,
     ' and (lower(c.display_name) collate "C", c.id) > ($15, $17)'),
    (9, 2, 0.78, true,
     $k$(select c.id, 0.78::numeric, 'full_text', lower(c.display_name) collate "C", ''::text collate "C"
        from (select c.* from public.contacts c
              where c.user_id = $2 and c.status = 'active' and c.search_vector @@ (select private.search_folded_query($2, $6, true))
                and not c.search_vector @@ $11 and not coalesce(c.search_vector @@ (select private.search_folded_query($2, $6, false)), false)
                #not_stronger# #filters# offset 0) c
        where true #after#
        order by lower(c.display_name) collate "C", c.id limit $13)$k$,
     ' and (lower(c.display_name) collate "C", c.id) > ($15, $17)'),
    -- Typos, after every other kind and only when those found less than a page: what none of them
    -- found, holding for each of the query's (longest three) words of five letters or more a word
    -- of the owner's vocabulary within 0.5 word-similarity of it (private.search_typo_query: the
    -- few contacts holding such words, read through the full-text index), that word within 0.5
    -- word-similarity of the name or organization (#typo_words#), the whole query within 0.4.
    (10, 3, null, true,
     $k$select t.id, round(0.7 * t.similarity, 4), 'trigram', t.k1, t.k2 from (
        select c.id, greatest(extensions.word_similarity($6, c.display_name),
                              extensions.word_similarity($6, coalesce(c.organization, '')))::numeric as similarity,
          lower(c.display_name) collate "C" as k1, ''::text collate "C" as k2
        from (select c.id, c.display_name, c.organization
              from public.contacts c
              where c.user_id = $2 and c.status = 'active' and c.search_vector @@ private.search_typo_query($2, $20)
                and not c.search_vector @@ $11 and not coalesce(c.search_vector @@ (select private.search_folded_query($2, $6, true)), false)
                #not_stronger# #filters# offset 0) c
        where true #typo_words#) t
      where t.similarity >= 0.4
        and ($14 is null or round(0.7 * t.similarity, 4) < $14
             or (round(0.7 * t.similarity, 4) = $14 and (t.k1, t.id) > ($15, $17)))
      order by t.similarity desc, t.k1, t.id limit $13$k$,
     '')
  ) as k (kind, step, score, names_only, statement, keyset)
$$;
