-- Subject access left out what the import reports hold about the subject. An import's error report
-- keeps the failing or skipped cell of each row (a duplicate's e-mail, a conflicting number), and a
-- dry run's report samples new, changed and failing rows; erasure removes the subject from both
-- (20251018000004), but the export did not return them. Each contact's bundle now has two more keys:
-- contact_import_job_errors, the error report lines whose value is one of the contact's
-- identifiers, and contact_import_dry_run_entries, the dry-run entries that name the contact or
-- hold one of its identifiers. The match is stricter than erasure's: erasure may remove a line too
-- many, an export must not hand the subject another person's line, so names (which namesakes share)
-- and substrings never match here, only an identifier as a whole, in its stored or matching form.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The forms in which the contact's identifiers appear in a file: every channel's identifier as
-- stored and in its matching form, lower-cased. Security invoker: RLS applies to owners.
create function private.contact_identifier_values(contact_id uuid, owner_id uuid)
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
revoke execute on function private.contact_identifier_values(uuid, uuid) from public;
grant execute on function private.contact_identifier_values(uuid, uuid) to authenticated, service_role;

-- True when a value of a report is one of the identifiers, whole: trimmed and lower-cased, or, for a
-- value written like a phone number, without its spaces, dots, dashes, slashes and parentheses.
create function private.is_identifier_value(value text, identifiers text[])
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
revoke execute on function private.is_identifier_value(text, text[]) from public;
grant execute on function private.is_identifier_value(text, text[]) to authenticated, service_role;

-- The owner's import error lines whose value is one of the contact's identifiers, oldest job first,
-- with the file they came from; and how many.
create function private.contact_import_report_lines(contact_id uuid, owner_id uuid, out part json, out n bigint)
language sql
stable
set search_path = ''
as $$
  select coalesce(json_agg(json_build_object(
      'job_id', e.job_id, 'file_name', j.file_name, 'row_number', e.row_number, 'column_name', e.column_name,
      'value_excerpt', e.value_excerpt, 'reason', e.reason, 'created_at', e.created_at)
      order by j.created_at, j.id, e.row_number, e.id), '[]'::json),
    count(*)
  from (select private.contact_identifier_values(contact_import_report_lines.contact_id, contact_import_report_lines.owner_id) as identifiers) as subject
  cross join public.contact_import_job_errors e
  join public.contact_import_jobs j on j.id = e.job_id and j.user_id = e.user_id
  where cardinality(subject.identifiers) > 0
    and e.user_id = contact_import_report_lines.owner_id
    and private.is_identifier_value(e.value_excerpt, subject.identifiers)
$$;
comment on function private.contact_import_report_lines(uuid, uuid) is 'The owner''s import error lines whose value is one of the contact''s identifiers (json array), and their count.';
revoke execute on function private.contact_import_report_lines(uuid, uuid) from public;
grant execute on function private.contact_import_report_lines(uuid, uuid) to authenticated, service_role;

-- The entries of the owner's dry-run reports that name the contact (a changed row) or hold one of
-- its identifiers (a new row's identifiers, a failing cell's value), with their job and section.
create function private.contact_dry_run_entries(contact_id uuid, owner_id uuid, out part json, out n bigint)
language sql
stable
set search_path = ''
as $$
  select coalesce(json_agg(json_build_object('job_id', j.id, 'file_name', j.file_name, 'section', s.key, 'entry', e.entry)
      order by j.created_at, j.id, s.key, e.position), '[]'::json),
    count(*)
  from (select private.contact_identifier_values(contact_dry_run_entries.contact_id, contact_dry_run_entries.owner_id) as identifiers) as subject
  cross join public.contact_import_jobs j
  cross join lateral jsonb_each(j.dry_run_report) as s (key, value)
  cross join lateral jsonb_array_elements(s.value) with ordinality as e (entry, position)
  where j.user_id = contact_dry_run_entries.owner_id and j.dry_run_report is not null
    and (e.entry ->> 'contact_id' = contact_dry_run_entries.contact_id::text
      or exists (
        select 1
        from (select jsonb_path_query(e.entry, '$.identifiers[*]') union all select jsonb_path_query(e.entry, '$.value')) as held (v)
        where jsonb_typeof(held.v) = 'string' and private.is_identifier_value(held.v #>> '{}', subject.identifiers)))
$$;
comment on function private.contact_dry_run_entries(uuid, uuid) is 'The owner''s dry-run report entries that name the contact or hold one of its identifiers (json array of job, section and entry), and their count.';
revoke execute on function private.contact_dry_run_entries(uuid, uuid) from public;
grant execute on function private.contact_dry_run_entries(uuid, uuid) to authenticated, service_role;

-- The export's statement as 20251008000001 built it, with the two keys above in each bundle.
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
        report_lines.part as contact_import_job_errors, dry_run_entries.part as contact_import_dry_run_entries) as b) as bundle,
      array[%s, smart.n, jobs.n, report_lines.n, dry_run_entries.n] as n
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
    cross join private.contact_dry_run_entries($1, $2) as dry_run_entries (part, n)) as c%s$contact$,
      columns, (select string_agg(format('s%s.n', i), ', ') from generate_subscripts(names, 1) as i), sources, jobs, k),
      '$1', format('$1[%s]', k));
  end loop;

  return format($statement$select array[%s] as subjects,
  (select jsonb_object_agg(x.key, x.n) from unnest(%L::text[], array[%s]) as x (key, n)) as counts
from %s$statement$,
    (select string_agg(format('c%s.bundle', m), ', ') from generate_series(1, contact_export_statement.contacts) as m),
    names || array['smart_groups', 'contact_import_jobs', 'contact_import_job_errors', 'contact_import_dry_run_entries'],
    (select string_agg((select string_agg(format('c%s.n[%s]', m, i), ' + ') from generate_series(1, contact_export_statement.contacts) as m), ', ')
     from generate_series(1, cardinality(names) + 4) as i),
    array_to_string(per_contact, e'\ncross join '));
end;
$$;
