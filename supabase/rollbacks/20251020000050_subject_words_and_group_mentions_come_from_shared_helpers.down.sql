-- Rolls back 20251020000050_subject_words_and_group_mentions_come_from_shared_helpers: restores
-- private.forget_traces as 20251020000048 made it and private.contact_groups_mentioning as
-- 20251020000047 made it, then drops the helpers they were redefined on.
set lock_timeout = '5s';
set statement_timeout = '5min';

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
  group_words text[] := '{}'::text[];
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
  -- Identifiers as stored and in their matching form (as private.contact_identifier_values).
  select coalesce(array_agg(distinct lower(btrim(m))) filter (where char_length(btrim(m)) >= 3), '{}') into words
  from (
    select unnest(forget_traces.mentions) as m
    union all
    select unnest(array[c.display_name, concat_ws(' ', c.first_name, c.last_name), c.external_id])
    from public.contacts c where c.id = forget_traces.contact_id and c.user_id = forget_traces.owner_id
    union all
    select unnest(array[ch.identifier, ch.normalized_identifier])
    from public.contact_communication_channels ch
    where ch.contact_id = forget_traces.contact_id and ch.user_id = forget_traces.owner_id
  ) as names_and_identifiers;

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
  -- value a namesake holds too stays (looked for only when a group mentions one at all).
  if exists (
    select 1 from public.contact_groups g
    where g.user_id = forget_traces.owner_id
      and (private.mentions_whole(g.name, words) or private.mentions_whole(g.description, words)
           or private.criteria_naming(g.criteria, words) <> '[]'::jsonb)) then
    group_words := private.words_no_one_else_holds(forget_traces.owner_id, forget_traces.contact_id, words);
  end if;
  for target in
    select g.id, g.name from public.contact_groups g
    where cardinality(group_words) > 0 and g.user_id = forget_traces.owner_id
      and (private.mentions_whole(g.name, group_words) or private.mentions_whole(g.description, group_words)
           or private.criteria_naming(g.criteria, group_words) <> '[]'::jsonb)
    order by g.id for update
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
comment on function private.forget_traces(uuid, uuid, text[]) is 'Removes the owner''s import report lines, dry-run entries and claims, the headers import jobs kept, and agent searches that hold one of the mentions or the names and identifiers of the contact (or name it), a word of its names, or digits its numbers end with; replaces those mentions in the owner''s groups; returns counts per table.';

create or replace function private.contact_groups_mentioning(contact_id uuid, owner_id uuid, out part json, out n bigint)
language sql
stable
set search_path = ''
as $$
  select coalesce(json_agg(json_build_object('group_id', g.id, 'name', g.name, 'description', g.description,
      'rules', private.criteria_naming(g.criteria, subject.words)) order by g.name, g.id), '[]'::json), count(*)
  from (
    select coalesce(array_agg(distinct lower(btrim(m.v))) filter (where char_length(btrim(m.v)) >= 3), '{}'::text[]) as words
    from (
      select unnest(array[c.display_name, concat_ws(' ', c.first_name, c.last_name), c.external_id])
      from public.contacts c where c.id = contact_groups_mentioning.contact_id and c.user_id = contact_groups_mentioning.owner_id
      union all
      select unnest(private.contact_identifier_values(contact_groups_mentioning.contact_id, contact_groups_mentioning.owner_id))
    ) as m (v)
  ) as mentioned
  cross join lateral (select private.words_no_one_else_holds(contact_groups_mentioning.owner_id,
    contact_groups_mentioning.contact_id, mentioned.words) as words) as subject
  cross join public.contact_groups g
  where cardinality(subject.words) > 0 and g.user_id = contact_groups_mentioning.owner_id
    and (private.mentions_whole(g.name, subject.words) or private.mentions_whole(g.description, subject.words)
         or private.criteria_naming(g.criteria, subject.words) <> '[]'::jsonb)
$$;
comment on function private.contact_groups_mentioning(uuid, uuid) is 'The owner''s groups whose name or description mentions the contact''s names or identifiers, or whose rules hold one as a value (json array of group, name, description, rules), and their count.';
revoke execute on function private.contact_groups_mentioning(uuid, uuid) from public;
grant execute on function private.contact_groups_mentioning(uuid, uuid) to authenticated, service_role;

drop function private.groups_mentioning(uuid, uuid, text[]);
drop function private.subject_group_words(uuid, uuid, text[]);
drop function private.group_ids_mentioning(uuid, text[]);
drop function private.subject_words(uuid, uuid, text[]);
