-- Reviewed changes written into 20251020000078 and 20251020000080 after they landed, fixed forward
-- (the landed files stand as they landed); numbered before the migrations that build on them:
--  * private.channels_with_match_keys, used by data_subject_contact_ids: subject lookups probe the
--    match-key index with definer rights (owner or service only, never an agent token) and read
--    the channels found through the caller's RLS; under RLS the index was unusable (0.9 s a
--    request for 557,000 channels, 3 ms with the probe);
--  * contact_identifier_values and subject_words ask for refusal keys only where there can be one,
--    is_identifier_value folds a mailbox inline (200,000 report lines: 0.65 s, 2.9 s before);
--  * forget_traces removes a dry-run claim on any spelling of the subject's mailbox or number.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Definer rights to probe the index as the table's owner: RLS would test every channel of the
-- owner before the key. Only ids come out, and the caller reads the channels through its own RLS.
create function private.channels_with_match_keys(owner_id uuid, match_keys text[])
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if private.current_agent_id() is not null
     or not (private.is_service_caller() or channels_with_match_keys.owner_id = (select auth.uid())) then
    raise exception 'permission denied for the channels of another owner' using errcode = '42501';
  end if;
  return array(
    select ch.id
    from unnest(channels_with_match_keys.match_keys) as k (match_key)
    join public.contact_communication_channels ch
      on ch.user_id = channels_with_match_keys.owner_id
     and private.channel_match_key(ch.channel_type, ch.normalized_identifier) = k.match_key
    -- The index's predicate, stated so that a generic plan can prove it too.
    where private.channel_match_key(ch.channel_type, ch.normalized_identifier) is not null
    order by ch.id);
end;
$$;
comment on function private.channels_with_match_keys(uuid, text[]) is 'Ids of the owner''s channels whose duplicate-finding match key (private.channel_match_key) is one of the keys, read from its index; the owner''s own or the service''s only, never an agent token''s.';
revoke execute on function private.channels_with_match_keys(uuid, text[]) from public;
grant execute on function private.channels_with_match_keys(uuid, text[]) to authenticated, service_role;

create or replace function private.data_subject_contact_ids(owner_id uuid, contact_id uuid, identifier_key text)
returns uuid[]
language plpgsql
stable
set search_path = ''
as $$
declare
  kind constant text := split_part(data_subject_contact_ids.identifier_key, ':', 1);
  wanted constant text := substr(data_subject_contact_ids.identifier_key, strpos(data_subject_contact_ids.identifier_key, ':') + 1);
  match_keys text[];
  ids uuid[];
  found_ids uuid[];
begin
  -- PL/pgSQL rather than SQL: its plans are re-made when the role changes within a transaction,
  -- so RLS is always the current caller's.
  if data_subject_contact_ids.contact_id is not null then
    select coalesce(array_agg(c.id), '{}'::uuid[]) into ids
    from public.contacts c
    where c.id = data_subject_contact_ids.contact_id and c.user_id = data_subject_contact_ids.owner_id;
  end if;
  if data_subject_contact_ids.identifier_key is null then
    return coalesce(ids, '{}'::uuid[]);
  end if;
  match_keys := case kind
    -- The mailbox, as the duplicate finder keys it.
    when 'email' then array[private.channel_match_key('email', wanted)]
    -- The number in each spelling a suppression refuses (phone:+CC... becomes tel:+CC...).
    when 'phone' then array(select 'tel:' || substr(k.key, 7) from unnest(private.channel_refusal_keys('phone', wanted)) as k (key))
  end;
  if match_keys is not null then
    -- The channels found by the index, read again through the caller's RLS.
    select coalesce(array_agg(distinct ch.contact_id order by ch.contact_id), '{}'::uuid[]) into found_ids
    from public.contact_communication_channels ch
    where ch.id = any (private.channels_with_match_keys(data_subject_contact_ids.owner_id, match_keys))
      and ch.user_id = data_subject_contact_ids.owner_id
      and ch.channel_type = any (private.identifier_channel_types(kind));
  else
    select coalesce(array_agg(distinct ch.contact_id order by ch.contact_id), '{}'::uuid[]) into found_ids
    from public.contact_communication_channels ch
    where ch.user_id = data_subject_contact_ids.owner_id
      and ch.channel_type = any (private.identifier_channel_types(kind))
      and ch.normalized_identifier = wanted;
  end if;
  return case when data_subject_contact_ids.contact_id is null then found_ids
              else array(select unnest(ids) intersect select unnest(found_ids) order by 1) end;
end;
$$;
comment on function private.data_subject_contact_ids(uuid, uuid, text) is 'Ids of the owner''s contacts named by id or holding the identifier key''s value on a channel of any type that can hold it: a mailbox in any spelling the duplicate finder counts as one (case, +tags, Gmail dots), a number in any spelling a suppression refuses (with or without a trunk zero); sorted (the lock order).';

create or replace function private.contact_identifier_values(contact_id uuid, owner_id uuid)
returns text[]
language sql
stable
set search_path = ''
as $$
  select coalesce(array_agg(distinct f.v), '{}'::text[])
  from public.contact_communication_channels ch
  cross join lateral (select lower(btrim(ch.identifier)) union select lower(ch.normalized_identifier)
    -- The addresses and numbers a suppression refuses it under (keys are <type>:<value>), asked
    -- only where there can be one: an address with a + or at Gmail, a number with a 0 after its country code.
    union select k.v from unnest(case
        when strpos(ch.normalized_identifier, '@') > 1
             and (strpos(ch.normalized_identifier, '+') > 0 or ch.normalized_identifier ~ '@(gmail|googlemail)\.com$')
          or ch.normalized_identifier ~ '^(\+|00)[1-9][0-9]{0,2}[\s().\-/]*0'
        then private.channel_refusal_keys(ch.channel_type, ch.normalized_identifier) end) as r (key)
      cross join lateral (select substr(r.key, strpos(r.key, ':') + 1)) as k (v)
      where strpos(k.v, '@') > 1 or k.v ~ '^\+[1-9]') as x (v)
  -- Identifiers are kept as given: each in both Unicode forms too (the matchers compare in NFC).
  cross join lateral unnest(array[x.v, normalize(x.v, nfc), normalize(x.v, nfd)]) as f (v)
  where ch.contact_id = contact_identifier_values.contact_id and ch.user_id = contact_identifier_values.owner_id
$$;
comment on function private.contact_identifier_values(uuid, uuid) is 'The contact''s channel identifiers as stored, in their matching form and in the other spellings a suppression refuses them under (an address''s mailbox, a number with and without a trunk zero), lower-cased, each in Unicode NFC and NFD too: what an import report holds of them.';

create or replace function private.is_identifier_value(value text, identifiers text[])
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  folded text := lower(btrim(is_identifier_value.value));
  box text;
  domain text;
begin
  if folded is null then
    return false;
  end if;
  if octet_length(folded) <> char_length(folded) then
    folded := normalize(folded, nfc);
  end if;
  if folded = any (is_identifier_value.identifiers)
     or (is_identifier_value.value ~ '^[\s+()0-9./-]+$'
         and private.normalize_channel_identifier('phone', is_identifier_value.value) = any (is_identifier_value.identifiers)) then
    return true;
  end if;
  -- An address spelt otherwise than its mailbox: the mailbox (as channel_match_key folds it), which
  -- the subject's words hold. Plain assignments: plpgsql evaluates them without a query.
  if strpos(folded, '@') > 1 and (strpos(folded, '+') > 0 or right(folded, 10) = '@gmail.com' or right(folded, 15) = '@googlemail.com') then
    box := split_part(folded, '@', 1);
    box := coalesce(nullif(split_part(box, '+', 1), ''), box);
    domain := split_part(folded, '@', 2);
    if domain in ('gmail.com', 'googlemail.com') then
      box := replace(box, '.', '');
      domain := 'gmail.com';
    end if;
    return box || '@' || domain = any (is_identifier_value.identifiers);
  end if;
  return false;
end;
$$;
comment on function private.is_identifier_value(text, text[]) is 'True when the value is one of the identifiers as a whole (trimmed, lower-cased, in Unicode NFC; a phone number also without its formatting, an e-mail address also as its mailbox).';

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
  cross join lateral unnest(array[w.v] || case when strpos(w.v, '@') > 1 and (strpos(w.v, '+') > 0 or w.v ~ '@(gmail|googlemail)\.com$')
                                                 or w.v ~ '^(\+|00)[1-9][0-9]{0,2}[\s().\-/]*0' then
    array(select substr(k.key, 7) from unnest(private.channel_refusal_keys('other', w.v)) as k (key)
          where strpos(k.key, '@') > 7 or k.key ~ '^other:\+[1-9]') end) as e (v)
  -- As written, and in both Unicode forms: the matchers compare in NFC, a claim holds either.
  cross join lateral unnest(array[e.v, normalize(e.v, nfc), normalize(e.v, nfd)]) as f (v)
$$;
comment on function private.subject_words(uuid, uuid, text[]) is 'The words erasure and the export match a subject by: the mentions given and the contact''s names, external id and identifiers (as stored and in their matching form; an address also as its mailbox, a number also with and without a trunk zero), trimmed, lower-case, of 3+ characters, each as written and in Unicode NFC and NFD.';

create or replace function private.forget_traces(owner_id uuid, contact_id uuid, mentions text[])
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  words text[];
  names text[] := '{}'::text[];
  group_words text[];
  target record;
  renamed text;
  changed bigint := 0;
  counts jsonb := '{"agent_contact_access_log": 0}'::jsonb;
begin
  if forget_traces.owner_id is null or private.current_agent_id() is not null
     or not (private.is_service_caller() or forget_traces.owner_id = (select auth.uid()))
     or forget_traces.contact_id is not null and not exists (
       select 1 from public.contacts c where c.id = forget_traces.contact_id and c.user_id = forget_traces.owner_id) then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  words := private.subject_words(forget_traces.owner_id, forget_traces.contact_id, forget_traces.mentions);

  with removed as (
    delete from public.contact_import_job_errors e
    where e.user_id = forget_traces.owner_id
      and (private.mentions_whole(e.value_excerpt, words) or private.is_identifier_value(e.value_excerpt, words))
    returning 1
  )
  select counts || jsonb_build_object('contact_import_job_errors', count(*)) into counts from removed;

  -- A dry run's report samples rows of its file (names, identifiers, the values of failing cells)
  -- and the contacts they would change; its claims hold the file's identifiers while it runs.
  with scrubbed as (
    update public.contact_import_jobs j
    set dry_run_report = (
      select jsonb_object_agg(part.key, coalesce((
        select jsonb_agg(e.entry order by e.position)
        from jsonb_array_elements(part.value) with ordinality as e (entry, position)
        where not (private.dry_run_entry_mentions(e.entry, forget_traces.contact_id, words)
                   or private.dry_run_entry_holds_identifier(e.entry, words))), '[]'::jsonb))
      from jsonb_each(j.dry_run_report) as part)
    where j.user_id = forget_traces.owner_id and j.dry_run_report is not null
      and exists (
        select 1 from jsonb_each(j.dry_run_report) as part, jsonb_array_elements(part.value) as e (entry)
        where private.dry_run_entry_mentions(e.entry, forget_traces.contact_id, words)
          or private.dry_run_entry_holds_identifier(e.entry, words))
    returning 1
  )
  select counts || jsonb_build_object('contact_import_jobs', count(*)) into counts from scrubbed;

  -- A header kept by a job is the file's first line: the subject's row when the file had no header
  -- line. It goes whole (names in other cells included). A job that may still read its file by its
  -- header (processing, or failed part-way and retried later: past its header) keeps it: that
  -- header mapped its columns, so it is column names.
  with scrubbed as (
    update public.contact_import_jobs j
    set header = null
    where j.user_id = forget_traces.owner_id and j.header is not null
      and not (j.status in ('processing', 'failed') and j.resume_offset > 0)
      and (private.header_holds_identifier(j.header, words)
           or jsonb_typeof(j.header) = 'array'
              and private.mentions_whole((select string_agg(c.v, ' ') from jsonb_array_elements_text(j.header) as c (v)), words))
    returning 1
  )
  select counts || jsonb_build_object('contact_import_headers', count(*)) into counts from scrubbed;

  -- Groups naming the subject: a rule value that is one of the names or identifiers becomes a
  -- tombstone no contact holds (the criteria stay valid), whole-word mentions in the name and
  -- description become [erased]; a name so made that another group has gets the group's id. A
  -- value a namesake holds too stays (private.subject_group_words).
  group_words := private.subject_group_words(forget_traces.owner_id, forget_traces.contact_id, words);
  for target in
    select g.id, g.name
    from private.group_ids_mentioning(forget_traces.owner_id, group_words) as m (id)
    join public.contact_groups g on g.id = m.id
    order by g.id for update of g
  loop
    renamed := left(private.erase_mentions(target.name, group_words), 200);
    if exists (select 1 from public.contact_groups o where o.user_id = forget_traces.owner_id and o.name = renamed and o.id <> target.id) then
      renamed := left(renamed, 190) || ' ' || left(target.id::text, 8);
    end if;
    update public.contact_groups g
    set name = renamed, description = left(private.erase_mentions(g.description, group_words), 2000),
      criteria = private.criteria_erased(g.criteria, group_words)
    where g.id = target.id;
    changed := changed + 1;
  end loop;
  counts := counts || jsonb_build_object('contact_groups', changed);

  with removed as (
    delete from private.contact_import_dry_run_claims d
    where d.user_id = forget_traces.owner_id
      and (d.contact_id = forget_traces.contact_id
           or d.kind = 'contact' and d.value = forget_traces.contact_id::text
           or d.kind <> 'contact' and private.is_identifier_value(d.value, words))
    returning 1
  )
  select counts || jsonb_build_object('contact_import_dry_run_claims', count(*)) into counts from removed;

  -- A search is the subject's when its query was one of the names or identifiers, a word of the
  -- names, or digits one of the numbers ends with (the search matched numbers by that suffix).
  if exists (select 1 from public.agent_contact_access_log l where l.user_id = forget_traces.owner_id) then
    select array[c.display_name, c.first_name, c.last_name] into names
    from public.contacts c where c.id = forget_traces.contact_id and c.user_id = forget_traces.owner_id;
    with hashes as (
      select private.owner_hmacs(forget_traces.owner_id, private.search_query_forms(names, words)) as list
    ), removed as (
      delete from public.agent_contact_access_log l
      using hashes h
      where l.user_id = forget_traces.owner_id and (l.query_hmac = any (h.list) or l.query_key_hmac = any (h.list))
      returning 1
    )
    select counts || jsonb_build_object('agent_contact_access_log', count(*)) into counts from removed;
  end if;

  return counts;
end;
$$;
