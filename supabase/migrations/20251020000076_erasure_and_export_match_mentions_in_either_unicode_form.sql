-- Contacts' names are stored NFC since 20251020000057, but the other text erasure and the export
-- look for a subject in is stored as it was written: import error lines and header rows as the CSV
-- had them, dry-run reports and claims, group names, descriptions and rule values as typed. A file
-- or group written with combining marks (NFD, as a macOS export spells "Zoë") held the subject's
-- name or identifier in a form the matchers compared byte for byte with the NFC one: erasing Zoë
-- rewrote the group "Friends of Zoë" typed in NFC and left the one typed in NFD holding her name,
-- and the export left it out of what it attributes to her. Channel identifiers, kept as given, had
-- the same gap the other way round. (An ASCII word even matched the NFD form of a longer one:
-- "zoe" was a whole word of "zoe" + U+0308; it no longer is where NFC composes the mark with its
-- letter, while a mark no letter composes with, "q" + U+0308, still ends a word.)
-- The comparison is now made in NFC on both sides, in the shared helpers, so every table is reached
-- and no stored text is rewritten:
--  * private.subject_words and private.contact_identifier_values give each word as before and in
--    NFC and NFD too (a word's length is counted in NFC): the matchers below find the NFC one, and
--    exact comparisons with stored values (a dry run's claims, retention's holds) either form;
--  * private.mentions_whole and private.is_identifier_value compare the value lower-cased, then
--    converted to NFC (lower() first: lower-casing may leave a decomposed sequence behind). The
--    conversion runs only for a value with a character beyond ASCII, once per value, and the cheap
--    strpos pre-filter still decides for almost every row. Both are plpgsql now, as 20251020000058
--    made the import's hot helpers: an erasure of an owner with 100k error rows took 700 ms and
--    takes 500, the export 295 ms and 245 (median of 3, 2 cores);
--  * private.erase_mentions rewrites a text holding a mention in either form; such a text comes back
--    in NFC with [erased] in place, one without any stays byte for byte as it was;
--  * private.words_no_one_else_holds compares a word's NFC form with the other contacts' names
--    (stored NFC), so the NFD form of a namesake's name is dropped with the NFC one.
-- forget_traces, gdpr_delete_subject and export_subject_data call these and are not redefined.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- plpgsql, as the hot import helpers are since 20251020000058: it runs for each of an owner's error
-- rows in an erasure, and the conversion needs the value once, before the mentions.
create or replace function private.mentions_whole(value text, mentions text[])
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  -- Lower-cased, then in NFC as the mentions come: only a value beyond ASCII can be in another form.
  folded text := lower(mentions_whole.value);
  m text;
begin
  if octet_length(folded) <> char_length(folded) then
    folded := normalize(folded, nfc);
  end if;
  foreach m in array coalesce(mentions_whole.mentions, '{}'::text[]) loop
    -- strpos first: the pattern is only built for the rare value that holds the text at all.
    if strpos(folded, m) > 0
       and folded ~ ('(^|[^[:alnum:]])' || regexp_replace(m, '([^[:alnum:][:space:]])', '\\\1', 'g') || '($|[^[:alnum:]])') then
      return true;
    end if;
  end loop;
  return false;
end;
$$;
comment on function private.mentions_whole(text, text[]) is 'True when the value holds one of the (lower-case) mentions as a whole: not inside a longer word, address or number. Compared in Unicode NFC: a mention in NFC is found in a value in either form.';

create or replace function private.is_identifier_value(value text, identifiers text[])
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  folded text := lower(btrim(is_identifier_value.value));
begin
  if octet_length(folded) <> char_length(folded) then
    folded := normalize(folded, nfc);
  end if;
  return is_identifier_value.value is not null and (
    folded = any (is_identifier_value.identifiers)
    or (is_identifier_value.value ~ '^[\s+()0-9./-]+$'
        and private.normalize_channel_identifier('phone', is_identifier_value.value) = any (is_identifier_value.identifiers)));
end;
$$;
comment on function private.is_identifier_value(text, text[]) is 'True when the value is one of the identifiers as a whole (trimmed, lower-cased, in Unicode NFC; a phone number also without its formatting).';

create or replace function private.erase_mentions(value text, mentions text[])
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  m text; result text := erase_mentions.value; composed text;
begin
  -- A text not in NFC is rewritten in NFC, the form the mentions come in, when it holds one at all.
  if not (erase_mentions.value is nfc normalized) then
    composed := normalize(erase_mentions.value, nfc);
    if exists (select 1 from unnest(erase_mentions.mentions) as x (m) where strpos(lower(composed), x.m) > 0) then
      result := composed;
    end if;
  end if;
  for m in select x.m from unnest(erase_mentions.mentions) as x (m) order by char_length(x.m) desc, x.m loop
    if strpos(lower(result), m) > 0 then
      -- The lookahead leaves the character after a mention to start the next one.
      result := regexp_replace(result,
        '(^|[^[:alnum:]])' || regexp_replace(m, '([^[:alnum:][:space:]])', '\\\1', 'g') || '(?=$|[^[:alnum:]])', '\1[erased]', 'gi');
    end if;
  end loop;
  return result;
end;
$$;
comment on function private.erase_mentions(text, text[]) is 'The text with each whole-word mention (lower-case mentions, any case in the text) replaced by [erased]; a text holding one in another Unicode form comes back in NFC.';

create or replace function private.words_no_one_else_holds(owner_id uuid, contact_id uuid, words text[])
returns text[]
language sql
stable
set search_path = ''
as $$
  select coalesce(array_agg(w.word order by w.word), '{}'::text[])
  from unnest(words_no_one_else_holds.words) as w (word)
  -- Names are stored NFC (20251020000057): a word in NFD is a namesake's when its NFC form is.
  -- offset 0: the form is computed once per word, not per contact compared.
  cross join lateral (select array[w.word, normalize(w.word, nfc)] offset 0) as f (forms)
  where not exists (
    select 1 from public.contacts c
    where c.user_id = words_no_one_else_holds.owner_id and c.id is distinct from words_no_one_else_holds.contact_id
      and f.forms && array[lower(c.display_name), lower(concat_ws(' ', c.first_name, c.last_name)), lower(c.first_name),
                           lower(c.last_name), lower(c.external_id)]
      and not exists (
        select 1 from public.contact_communication_channels mine
        join public.contact_communication_channels theirs
          on theirs.user_id = mine.user_id and theirs.normalized_identifier = mine.normalized_identifier
        where mine.contact_id = words_no_one_else_holds.contact_id and mine.user_id = words_no_one_else_holds.owner_id
          and theirs.contact_id = c.id))
$$;
comment on function private.words_no_one_else_holds(uuid, uuid, text[]) is 'The words (lower-case names and identifiers) that no other contact of the owner holds as a name or external id (a word in NFD counting as its NFC form), save contacts sharing one of the contact''s identifiers.';

create or replace function private.subject_words(owner_id uuid, contact_id uuid, mentions text[])
returns text[]
language sql
stable
set search_path = ''
as $$
  select coalesce(array_agg(distinct f.v) filter (where char_length(normalize(f.v, nfc)) >= 3), '{}'::text[])
  from (
    select unnest(subject_words.mentions)
    union all
    select unnest(array[c.display_name, concat_ws(' ', c.first_name, c.last_name), c.external_id])
    from public.contacts c where c.id = subject_words.contact_id and c.user_id = subject_words.owner_id
    union all
    select unnest(private.contact_identifier_values(subject_words.contact_id, subject_words.owner_id))
  ) as m (v)
  cross join lateral (select lower(btrim(m.v)) offset 0) as w (v)
  -- As written, and in both Unicode forms: the matchers compare in NFC, a claim holds either.
  cross join lateral unnest(array[w.v, normalize(w.v, nfc), normalize(w.v, nfd)]) as f (v)
$$;
comment on function private.subject_words(uuid, uuid, text[]) is 'The words erasure and the export match a subject by: the mentions given and the contact''s names, external id and identifiers (as stored and in their matching form), trimmed, lower-case, of 3+ characters, each as written and in Unicode NFC and NFD.';

create or replace function private.contact_identifier_values(contact_id uuid, owner_id uuid)
returns text[]
language sql
stable
set search_path = ''
as $$
  select coalesce(array_agg(distinct f.v), '{}'::text[])
  from public.contact_communication_channels ch
  cross join lateral (values (lower(btrim(ch.identifier))), (lower(ch.normalized_identifier))) as x (v)
  -- Identifiers are kept as given: each in both Unicode forms too (the matchers compare in NFC).
  cross join lateral unnest(array[x.v, normalize(x.v, nfc), normalize(x.v, nfd)]) as f (v)
  where ch.contact_id = contact_identifier_values.contact_id and ch.user_id = contact_identifier_values.owner_id
$$;
comment on function private.contact_identifier_values(uuid, uuid) is 'The contact''s channel identifiers as stored and in their matching form, lower-cased, each in Unicode NFC and NFD too: what an import report holds of them.';
