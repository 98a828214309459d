-- Erasure (private.forget_traces, 20251020000048) and the export (private.contact_groups_mentioning,
-- 20251020000047) each built the subject's words (its names, external id and identifiers, trimmed,
-- lower-case, 3+ characters) in their own way, with the same result; and the test "a group mentions
-- one of these words" (a whole-word mention in its name or description, or a rule naming one) was
-- written out five times over 47, 48 and 49, and the step that drops a namesake's words three times.
-- Nothing found, listed or rewritten changes. Now one helper holds each:
--   * private.subject_words builds the words, from a contact and/or mentions given;
--   * private.group_ids_mentioning is the test, run once per statement;
--   * private.subject_group_words drops a namesake's words, looked for only when a group mentions
--     one at all (erasure did so; the export's list was the same without it);
--   * private.groups_mentioning lists the groups under groups_mentioning_subject, for a contact or
--     (20251020000051) for an identifier no contact holds.
-- forget_traces and contact_groups_mentioning are redefined on them, otherwise unchanged.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Invoker: RLS applies to owners; forget_traces calls it with its definer rights. Identifiers come
-- as stored and in their matching form (private.contact_identifier_values).
create function private.subject_words(owner_id uuid, contact_id uuid, mentions text[])
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
revoke execute on function private.subject_words(uuid, uuid, text[]) from public;
grant execute on function private.subject_words(uuid, uuid, text[]) to authenticated, service_role;

-- Called once per statement, not per group: a function with its own search_path is never inlined,
-- and a call per row would cost each group three times what the test does.
create function private.group_ids_mentioning(owner_id uuid, words text[])
returns setof uuid
language sql
stable
set search_path = ''
as $$
  select g.id
  from public.contact_groups g
  where cardinality(group_ids_mentioning.words) > 0 and g.user_id = group_ids_mentioning.owner_id
    and (private.mentions_whole(g.name, group_ids_mentioning.words)
      or private.mentions_whole(g.description, group_ids_mentioning.words)
      or private.criteria_naming(g.criteria, group_ids_mentioning.words) <> '[]'::jsonb)
$$;
comment on function private.group_ids_mentioning(uuid, text[]) is 'The owner''s groups whose name or description mentions one of the (lower-case) words as a whole word, or one of whose rules has one as its value (or an in entry). Invoker: RLS applies.';
revoke execute on function private.group_ids_mentioning(uuid, text[]) from public;
grant execute on function private.group_ids_mentioning(uuid, text[]) to authenticated, service_role;

-- Namesakes are looked for only when a group of the owner mentions one of the words at all.
create function private.subject_group_words(owner_id uuid, contact_id uuid, words text[])
returns text[]
language sql
stable
set search_path = ''
as $$
  select case when exists (select 1 from private.group_ids_mentioning(subject_group_words.owner_id, subject_group_words.words))
    then private.words_no_one_else_holds(subject_group_words.owner_id, subject_group_words.contact_id, subject_group_words.words)
    else '{}'::text[] end
$$;
comment on function private.subject_group_words(uuid, uuid, text[]) is 'The words groups are found and rewritten by: those no other contact of the owner holds (private.words_no_one_else_holds), none when no group of the owner mentions one.';
revoke execute on function private.subject_group_words(uuid, uuid, text[]) from public;
grant execute on function private.subject_group_words(uuid, uuid, text[]) to authenticated, service_role;

-- The owner's groups naming the subject, as erasure finds them, and how many. Invoker: RLS applies.
create function private.groups_mentioning(owner_id uuid, contact_id uuid, words text[], out part json, out n bigint)
language sql
stable
set search_path = ''
as $$
  select coalesce(json_agg(json_build_object('group_id', g.id, 'name', g.name, 'description', g.description,
      'rules', private.criteria_naming(g.criteria, subject.words)) order by g.name, g.id), '[]'::json), count(*)
  from (select private.subject_group_words(groups_mentioning.owner_id, groups_mentioning.contact_id, groups_mentioning.words) as words) as subject
  cross join lateral private.group_ids_mentioning(groups_mentioning.owner_id, subject.words) as m (id)
  join public.contact_groups g on g.id = m.id
$$;
comment on function private.groups_mentioning(uuid, uuid, text[]) is 'The owner''s groups mentioning the subject''s words (less a namesake''s; the contact''s, or an identifier''s when the contact is null): json array of group, name, description and the rules naming them, and their count.';
revoke execute on function private.groups_mentioning(uuid, uuid, text[]) from public;
grant execute on function private.groups_mentioning(uuid, uuid, text[]) to authenticated, service_role;

create or replace function private.contact_groups_mentioning(contact_id uuid, owner_id uuid, out part json, out n bigint)
language sql
stable
set search_path = ''
as $$
  select m.part, m.n
  from private.groups_mentioning(contact_groups_mentioning.owner_id, contact_groups_mentioning.contact_id,
    private.subject_words(contact_groups_mentioning.owner_id, contact_groups_mentioning.contact_id, '{}'::text[])) as m
$$;

-- forget_traces as 20251020000048 made it, on the helpers above.
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
