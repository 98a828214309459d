-- Rollback of 20251020000076: the matchers as they were before it, comparing text byte for byte:
-- contact_identifier_values and is_identifier_value as 20251019000000 defined them, subject_words as
-- 20251020000050, words_no_one_else_holds and erase_mentions as 20251020000047, mentions_whole as
-- 20251019000002.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.contact_identifier_values(contact_id uuid, owner_id uuid)
returns text[]
language sql
stable
set search_path = ''
as $$
  select coalesce(array_agg(distinct x.v), '{}'::text[])
  from public.contact_communication_channels ch
  cross join lateral (values (lower(btrim(ch.identifier))), (lower(ch.normalized_identifier))) as x (v)
  where ch.contact_id = contact_identifier_values.contact_id and ch.user_id = contact_identifier_values.owner_id
$$;
comment on function private.contact_identifier_values(uuid, uuid) is 'The contact''s channel identifiers as stored and in their matching form, lower-cased: what an import report holds of them.';

create or replace function private.subject_words(owner_id uuid, contact_id uuid, mentions text[])
returns text[]
language sql
stable
set search_path = ''
as $$
  select coalesce(array_agg(distinct lower(btrim(m.v))) filter (where char_length(btrim(m.v)) >= 3), '{}'::text[])
  from (
    select unnest(subject_words.mentions)
    union all
    select unnest(array[c.display_name, concat_ws(' ', c.first_name, c.last_name), c.external_id])
    from public.contacts c where c.id = subject_words.contact_id and c.user_id = subject_words.owner_id
    union all
    select unnest(private.contact_identifier_values(subject_words.contact_id, subject_words.owner_id))
  ) as m (v)
$$;
comment on function private.subject_words(uuid, uuid, text[]) is 'The words erasure and the export match a subject by: the mentions given and the contact''s names, external id and identifiers (as stored and in their matching form), trimmed, lower-case, of 3+ characters.';

create or replace function private.words_no_one_else_holds(owner_id uuid, contact_id uuid, words text[])
returns text[]
language sql
stable
set search_path = ''
as $$
  select coalesce(array_agg(w.word order by w.word), '{}'::text[])
  from unnest(words_no_one_else_holds.words) as w (word)
  where not exists (
    select 1 from public.contacts c
    where c.user_id = words_no_one_else_holds.owner_id and c.id is distinct from words_no_one_else_holds.contact_id
      and w.word in (lower(c.display_name), lower(concat_ws(' ', c.first_name, c.last_name)), lower(c.first_name),
                     lower(c.last_name), lower(c.external_id))
      and not exists (
        select 1 from public.contact_communication_channels mine
        join public.contact_communication_channels theirs
          on theirs.user_id = mine.user_id and theirs.normalized_identifier = mine.normalized_identifier
        where mine.contact_id = words_no_one_else_holds.contact_id and mine.user_id = words_no_one_else_holds.owner_id
          and theirs.contact_id = c.id))
$$;
comment on function private.words_no_one_else_holds(uuid, uuid, text[]) is 'The words (lower-case names and identifiers) that no other contact of the owner holds as a name or external id, save contacts sharing one of the contact''s identifiers.';

create or replace function private.erase_mentions(value text, mentions text[])
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  m text; result text := erase_mentions.value;
begin
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
comment on function private.erase_mentions(text, text[]) is 'The text with each whole-word mention (lower-case mentions, any case in the text) replaced by [erased].';

create or replace function private.is_identifier_value(value text, identifiers text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select is_identifier_value.value is not null and (
    lower(btrim(is_identifier_value.value)) = any (is_identifier_value.identifiers)
    or (is_identifier_value.value ~ '^[\s+()0-9./-]+$'
        and private.normalize_channel_identifier('phone', is_identifier_value.value) = any (is_identifier_value.identifiers)))
$$;
comment on function private.is_identifier_value(text, text[]) is 'True when the value is one of the identifiers as a whole (trimmed, lower-cased; a phone number also without its formatting).';

create or replace function private.mentions_whole(value text, mentions text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select exists (
    select 1
    from unnest(mentions_whole.mentions) as x (m)
    -- strpos first: the pattern is only built for the rare value that holds the text at all.
    where strpos(lower(mentions_whole.value), x.m) > 0
      and lower(mentions_whole.value) ~ ('(^|[^[:alnum:]])' || regexp_replace(x.m, '([^[:alnum:][:space:]])', '\\\1', 'g') || '($|[^[:alnum:]])'))
$$;
comment on function private.mentions_whole(text, text[]) is 'True when the value holds one of the (lower-case) mentions as a whole: not inside a longer word, address or number.';
