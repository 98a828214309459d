-- Since 20251020000078 a request by identifier reaches a contact holding another spelling of it
-- (ada+crm@example.com for ada@example.com, a Telegram "+49 030 ..." for +49 30 ...), but the
-- traces erasure removes and the export lists (import report lines, kept headers, dry-run entries
-- and claims, groups naming the subject, failed uploads) were still matched by the contact's own
-- spellings: the report line holding the very address the request gave stayed after the erasure,
-- and a repeat request removed it under a second receipt (before 78 the request, reaching no
-- contact, took the traces path and removed it). The matchers now read every spelling the
-- project counts as one identifier, whichever the contact, the request or the trace holds:
--   * private.contact_identifier_values (what the export's report lines, headers and dry-run
--     entries of a contact are matched by) adds each channel's spellings under which a
--     suppression refuses it (private.channel_refusal_keys, 74 and 79): an address's mailbox (a
--     +tag dropped, Gmail dots and googlemail folded), a number with and without a trunk zero.
--   * private.subject_words (erasure's words, and the request's on the traces path) does the same
--     for every address or number among its words, read as an other-type channel holds them.
--   * private.is_identifier_value also compares an address's mailbox: a line holding
--     ada+news@example.com is the subject's whose mailbox is ada@example.com. Numbers already
--     compare normalized.
-- Cost: the spellings are made once per request (a few words); the mailbox per value only for
-- an address with a + or at Gmail.
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
        and private.normalize_channel_identifier('phone', is_identifier_value.value) = any (is_identifier_value.identifiers))
    -- An address spelt otherwise than its mailbox: the mailbox, which the subject's words hold.
    or (strpos(folded, '@') > 1 and (strpos(folded, '+') > 0 or folded ~ '@(gmail|googlemail)\.com$')
        and private.channel_mailbox('other', folded) = any (is_identifier_value.identifiers)));
end;
$$;
comment on function private.is_identifier_value(text, text[]) is 'True when the value is one of the identifiers as a whole (trimmed, lower-cased, in Unicode NFC; a phone number also without its formatting, an e-mail address also as its mailbox).';

create or replace function private.contact_identifier_values(contact_id uuid, owner_id uuid)
returns text[]
language sql
stable
set search_path = ''
as $$
  select coalesce(array_agg(distinct f.v), '{}'::text[])
  from public.contact_communication_channels ch
  cross join lateral (select lower(btrim(ch.identifier)) union select lower(ch.normalized_identifier)
    -- The spellings a suppression refuses it under (keys are <type>:<value>).
    union select substr(k.key, strpos(k.key, ':') + 1) from unnest(private.channel_refusal_keys(ch.channel_type, ch.normalized_identifier)) as k (key)) as x (v)
  -- Identifiers are kept as given: each in both Unicode forms too (the matchers compare in NFC).
  cross join lateral unnest(array[x.v, normalize(x.v, nfc), normalize(x.v, nfd)]) as f (v)
  where ch.contact_id = contact_identifier_values.contact_id and ch.user_id = contact_identifier_values.owner_id
$$;
comment on function private.contact_identifier_values(uuid, uuid) is 'The contact''s channel identifiers as stored, in their matching form and in the other spellings a suppression refuses them under (an address''s mailbox, a number with and without a trunk zero), lower-cased, each in Unicode NFC and NFD too: what an import report holds of them.';

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
  -- An address or a number in every spelling counted as the same one (its mailbox; with and
  -- without a trunk zero), as an other-type channel holding it is read: keys are other:<value>.
  cross join lateral unnest(array[w.v] || case when strpos(w.v, '@') > 1 or w.v ~ '^(\+|00)[1-9]' then
    array(select substr(k.key, 7) from unnest(private.channel_refusal_keys('other', w.v)) as k (key)) end) as e (v)
  -- As written, and in both Unicode forms: the matchers compare in NFC, a claim holds either.
  cross join lateral unnest(array[e.v, normalize(e.v, nfc), normalize(e.v, nfd)]) as f (v)
$$;
comment on function private.subject_words(uuid, uuid, text[]) is 'The words erasure and the export match a subject by: the mentions given and the contact''s names, external id and identifiers (as stored and in their matching form; an address also as its mailbox, a number also with and without a trunk zero), trimmed, lower-case, of 3+ characters, each as written and in Unicode NFC and NFD.';
