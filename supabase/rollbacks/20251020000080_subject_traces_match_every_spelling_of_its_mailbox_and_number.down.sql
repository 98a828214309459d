-- Rollback of 20251020000080_subject_traces_match_every_spelling_of_its_mailbox_and_number: the matchers read the contact's and the
-- request's own spellings again (is_identifier_value, subject_words and contact_identifier_values of
-- 20251020000076, forget_traces of 20251020000050).
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
           or d.kind <> 'contact' and lower(d.value) = any (words))
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
