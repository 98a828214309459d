-- Groups naming an erased subject survived erasure: smart groups whose rules held her identifiers
-- or name (display_name equals "Zenobia Quillfeather", external_id equals "EXT-ZQ-991"), group
-- names and descriptions naming her; the export showed only the smart groups she matched. Now the
-- export hands each contact, under groups_mentioning_subject, the owner's groups whose name or
-- description mentions one of its names or identifiers as a whole word, or a rule of which has one
-- as its whole value (or an `in` entry): id, name, description, those rules. Names and identifiers
-- are those report lines are matched by (a lone first or last name is no one person's, a group of
-- "Smith"s stays), less those another of the owner's contacts holds too: a namesake's name is not
-- the subject's to erase. 20251020000048 makes erasure rewrite the same groups; these are its helpers.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Whole-word mentions (as mentions_whole finds them) replaced, longest first (a name inside one goes with it).
create function private.erase_mentions(value text, mentions text[])
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
revoke execute on function private.erase_mentions(text, text[]) from public;
grant execute on function private.erase_mentions(text, text[]) to authenticated, service_role;

-- Rules whose value (or an `in` entry) is one of the identifiers or names, whole; channel types are no one's.
create function private.criteria_naming(criteria jsonb, identifiers text[])
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select coalesce(jsonb_agg(r.rule order by r.position), '[]'::jsonb)
  from jsonb_array_elements(case when jsonb_typeof(criteria_naming.criteria -> 'rules') = 'array' then criteria_naming.criteria -> 'rules' end) with ordinality as r (rule, position)
  where r.rule ->> 'field' is distinct from 'channel_type'
    and (jsonb_typeof(r.rule -> 'value') = 'string' and private.is_identifier_value(r.rule ->> 'value', criteria_naming.identifiers)
         or jsonb_typeof(r.rule -> 'value') = 'array' and exists (
           select 1 from jsonb_array_elements_text(r.rule -> 'value') as v (v) where private.is_identifier_value(v.v, criteria_naming.identifiers)))
$$;
comment on function private.criteria_naming(jsonb, text[]) is 'The rules of smart-group criteria whose value (or an entry of an in list) is one of the identifiers or names as a whole (json array).';
revoke execute on function private.criteria_naming(jsonb, text[]) from public;
grant execute on function private.criteria_naming(jsonb, text[]) to authenticated, service_role;

-- The criteria with those values (and entries) replaced by '[erased]': still valid, matching no one.
create function private.criteria_erased(criteria jsonb, identifiers text[])
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case when jsonb_typeof(criteria_erased.criteria -> 'rules') = 'array' then jsonb_set(criteria_erased.criteria, '{rules}', (
    select jsonb_agg(case
        when r.rule ->> 'field' = 'channel_type' then r.rule
        when jsonb_typeof(r.rule -> 'value') = 'string' and private.is_identifier_value(r.rule ->> 'value', criteria_erased.identifiers)
          then jsonb_set(r.rule, '{value}', '"[erased]"')
        when jsonb_typeof(r.rule -> 'value') = 'array' then jsonb_set(r.rule, '{value}', (
          select jsonb_agg(case when private.is_identifier_value(v.v #>> '{}', criteria_erased.identifiers) then '"[erased]"'::jsonb else v.v end order by v.position)
          from jsonb_array_elements(r.rule -> 'value') with ordinality as v (v, position)))
        else r.rule end order by r.position)
    from jsonb_array_elements(criteria_erased.criteria -> 'rules') with ordinality as r (rule, position)))
  else criteria_erased.criteria end
$$;
comment on function private.criteria_erased(jsonb, text[]) is 'Smart-group criteria with each rule value (or in-list entry) that is one of the identifiers or names replaced by [erased].';
revoke execute on function private.criteria_erased(jsonb, text[]) from public;
grant execute on function private.criteria_erased(jsonb, text[]) to authenticated, service_role;

-- The names and identifiers that are the contact's alone: none of the owner's other contacts (save
-- those sharing one of its identifiers: the same person) holds the value as a name, first or last
-- name or external id. A namesake's value says nothing of the subject, and rewriting it would move
-- the namesake in or out of a group (a `not_equals` rule would then match everyone).
create function private.words_no_one_else_holds(owner_id uuid, contact_id uuid, words text[])
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
revoke execute on function private.words_no_one_else_holds(uuid, uuid, text[]) from public;
grant execute on function private.words_no_one_else_holds(uuid, uuid, text[]) to authenticated, service_role;

-- The owner's groups mentioning the contact (as erasure finds them), and how many. Invoker: RLS applies.
create function private.contact_groups_mentioning(contact_id uuid, owner_id uuid, out part json, out n bigint)
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

-- The export's statement as 20251020000046 built it, with the key above in each bundle.
create or replace function private.contact_export_statement(contacts integer)
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  source record;
  names text[] := '{}'::text[];
  columns text := '';
  sources text := '';
  jobs text := $k$'{}'::uuid[]$k$;
  per_contact text[] := '{}'::text[];
  -- The keys each bundle adds after the catalog's tables, in the order of its counts.
  extra_keys constant text[] := array['smart_groups', 'contact_import_jobs', 'contact_import_job_errors',
    'contact_import_dry_run_entries', 'contact_import_headers', 'agent_contact_access_log', 'groups_mentioning_subject'];
begin
  if contact_export_statement.contacts is null or contact_export_statement.contacts < 1 then
    raise exception 'contacts must be at least 1' using errcode = '22023';
  end if;
  for source in select * from private.contact_data_sources() loop
    names := names || source.table_name;
    columns := columns || format(', s%s.part as %I', cardinality(names), source.table_name);
    sources := sources || format(e'\n    cross join (%s) as s%s (part, n)', source.rows_query, cardinality(names));
    if source.jobs_query is not null then
      jobs := jobs || format(' || (%s)', source.jobs_query);
    end if;
  end loop;

  for k in 1 .. contact_export_statement.contacts loop
    -- The row of contact k, as a record whose column names become the bundle's keys.
    per_contact := per_contact || replace(format($contact$(select
      (select b from (select now() as exported_at, $1 as contact_id%s, smart.part as smart_groups, jobs.part as contact_import_jobs,
        report_lines.part as contact_import_job_errors, dry_run_entries.part as contact_import_dry_run_entries,
        headers.part as contact_import_headers, searches.part as agent_contact_access_log,
        groups.part as groups_mentioning_subject) as b) as bundle,
      array[%s, smart.n, jobs.n, report_lines.n, dry_run_entries.n, headers.n, searches.n, groups.n] as n
    from (select 1) as one%s
    cross join (select coalesce(json_agg(json_build_object('group_id', g.id, 'group_name', g.name) order by g.name), '[]'::json), count(*)
                from public.contact_groups g
                where g.user_id = $2 and g.group_type = 'smart'
                  and private.contact_matches_criteria((select c from public.contacts c where c.id = $1 and c.user_id = $2), g.criteria)) as smart (part, n)
    cross join (select coalesce(json_agg(json_build_object(
                  'id', j.id, 'file_name', j.file_name, 'status', j.status, 'created_at', j.created_at,
                  'started_at', j.started_at, 'completed_at', j.completed_at) order by j.created_at, j.id), '[]'::json), count(*)
                from public.contact_import_jobs j
                where j.user_id = $2 and j.id = any (%s)) as jobs (part, n)
    cross join private.contact_import_report_lines($1, $2) as report_lines (part, n)
    cross join private.contact_dry_run_entries($1, $2) as dry_run_entries (part, n)
    cross join private.contact_import_headers($1, $2) as headers (part, n)
    cross join private.contact_agent_searches($1, $2) as searches (part, n)
    cross join private.contact_groups_mentioning($1, $2) as groups (part, n)) as c%s$contact$,
      columns, (select string_agg(format('s%s.n', i), ', ') from generate_subscripts(names, 1) as i), sources, jobs, k),
      '$1', format('$1[%s]', k));
  end loop;

  return format($statement$select array[%s] as subjects,
  (select jsonb_object_agg(x.key, x.n) from unnest(%L::text[], array[%s]) as x (key, n)) as counts
from %s$statement$,
    (select string_agg(format('c%s.bundle', m), ', ') from generate_series(1, contact_export_statement.contacts) as m),
    names || extra_keys,
    (select string_agg((select string_agg(format('c%s.n[%s]', m, i), ' + ') from generate_series(1, contact_export_statement.contacts) as m), ', ')
     from generate_series(1, cardinality(names) + cardinality(extra_keys)) as i),
    array_to_string(per_contact, e'\ncross join '));
end;
$$;
