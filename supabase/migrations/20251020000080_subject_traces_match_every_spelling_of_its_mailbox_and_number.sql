-- Since 20251020000078 a request by identifier reaches a contact holding another spelling of it
-- (ada+crm@example.com for ada@example.com, a Telegram "+49 030 ..." for +49 30 ...), but the
-- traces erasure removes and the export lists (import report lines, kept headers, dry-run entries
-- and claims, groups naming the subject, failed uploads) were still matched by the contact's own
-- spellings: the report line holding the very address the request gave stayed after the erasure,
-- and a repeat request removed it under a second receipt (before 78 the request, reaching no
-- contact, took the traces path and removed it). The matchers now read every spelling the
-- project counts as one identifier, whichever the contact, the request or the trace holds:
--   * private.contact_identifier_values (what the export's report lines, headers and dry-run
--     entries of a contact are matched by) adds the addresses and numbers among each channel's
--     spellings under which a suppression refuses it (private.channel_refusal_keys, 74 and 79): an
--     address's mailbox (a +tag dropped, Gmail dots and googlemail folded), a number with and
--     without a trunk zero. Not a Telegram username's other spelling: "sales" for "@sales" is a
--     word of anyone's text ("Sales leads", sales@acme.com) and would reach other people's traces.
--   * private.subject_words (erasure's words, and the request's on the traces path) does the same
--     for every address or number among its words, read as an other-type channel holds them.
--   * private.is_identifier_value also compares an address's mailbox: a line holding
--     ada+news@example.com is the subject's whose mailbox is ada@example.com. Numbers already
--     compare normalized.
--   * private.forget_traces removes a dry-run claim by is_identifier_value, as report lines are
--     removed (and failed_imports_holding reads claims): it compared the claim's text exactly.
-- Cost: the spellings are asked only of an address with a + or at Gmail and of a number with a 0
-- after its country code (the export reads a contact's identifiers once per kind of trace; for
-- the gdpr benchmark's subject, 20 channels, 1.7 ms a read asked of all, 0.4 ms so). The mailbox
-- of a value is folded inline, in plain assignments, and only for an address with a + or at
-- Gmail: through channel_mailbox (plpgsql, channel_match_key) it cost about 15 us a value, which
-- made the export 4.5 times as slow for an owner with 200,000 such report lines. 200,000 values
-- (a third each tagged, Gmail, numbers): 0.56-0.59 s before, 0.65-0.66 s now.
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

-- forget_traces as 20251020000050 made it, removing a dry-run claim as a report line is removed.
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
