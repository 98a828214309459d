-- Rollback of 20251020000080_subject_traces_match_every_spelling_of_its_mailbox_and_number: the matchers read the contact's and the
-- request's own spellings again (is_identifier_value, subject_words and contact_identifier_values of
-- 20251020000076).
set lock_timeout = '5s';
set statement_timeout = '5min';

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
