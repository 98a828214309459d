-- Subject access left out the merge records (public.contact_merges, 20251002000005): the merges of
-- duplicates into the subject's contact, whose rows it now holds. They hold no values (ids, rows
-- moved per table, the names of the fields a merge filled, who and when), but they record
-- processing of the subject's data, which Art. 15 asks the owner to show.
-- Now each bundle has `merges`, counted as its other keys: every merge of the owner into the
-- contact since it was created, and into a contact merged into it in turn, before that merge (its
-- rows are the contact's now), oldest first: merge_id, survivor_id, duplicate_id, merged_at,
-- actor_role, filled_fields, row_counts. The bounds in time keep out the history of another
-- contact given the same id later (the service can choose ids); another owner's record naming the
-- same ids is not the subject's either.
-- Erasure leaves these records, as it leaves the audit log's entries and its own receipt: ids
-- and field names only, of a contact that is then gone. private.contact_export_statement is
-- otherwise that of 20251020000047.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The export's statement as 20251020000047 built it, with the merges in each bundle.
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
    'contact_import_dry_run_entries', 'contact_import_headers', 'agent_contact_access_log', 'groups_mentioning_subject',
    'merges'];
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
    -- Merges: into the contact or out of it, then into each contact merged into it, walked back by
    -- survivor (union keeps the walk finite); every step an index lookup, not a scan of the owner's.
    per_contact := per_contact || replace(format($contact$(select
      (select b from (select now() as exported_at, $1 as contact_id%s, smart.part as smart_groups, jobs.part as contact_import_jobs,
        report_lines.part as contact_import_job_errors, dry_run_entries.part as contact_import_dry_run_entries,
        headers.part as contact_import_headers, searches.part as agent_contact_access_log,
        groups.part as groups_mentioning_subject, merges.part as merges) as b) as bundle,
      array[%s, smart.n, jobs.n, report_lines.n, dry_run_entries.n, headers.n, searches.n, groups.n, merges.n] as n
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
    cross join private.contact_groups_mentioning($1, $2) as groups (part, n)
    cross join (with recursive merged (id, duplicate_id, merged_at) as (
                  select m.id, m.duplicate_id, m.merged_at from public.contact_merges m
                  where m.user_id = $2 and m.survivor_id = $1
                    and m.merged_at >= (select c.created_at from public.contacts c where c.id = $1 and c.user_id = $2)
                  union
                  select m.id, m.duplicate_id, m.merged_at from merged d
                  join public.contact_merges m on m.user_id = $2 and m.survivor_id = d.duplicate_id and m.merged_at <= d.merged_at)
                select coalesce(json_agg(json_build_object(
                  'merge_id', m.id, 'survivor_id', m.survivor_id, 'duplicate_id', m.duplicate_id, 'merged_at', m.merged_at,
                  'actor_role', m.actor_role, 'filled_fields', m.filled_fields, 'row_counts', m.row_counts)
                  order by m.merged_at, m.id), '[]'::json), count(*)
                from merged d join public.contact_merges m on m.id = d.id and m.user_id = $2) as merges (part, n)) as c%s$contact$,
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
