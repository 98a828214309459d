-- Subject access in one statement: the whole answer (request, counts and every contact's bundle)
-- is rendered as json in one pass, from a subquery per source table of the catalog, instead of a
-- query per table whose results PL/pgSQL collected into arrays and wrapped again level by level.
-- A bundle of 10,000 interactions is megabytes of json, and every level (array append, variable,
-- json_object_agg, json_agg, json_build_object) copied all of it into freshly allocated memory:
-- those copies cost about a third of the export. Same keys, same rows, same counts (the bundles
-- are written without the blanks json_build_object put around colons). Replaces contact_export
-- and export_subject_data of 20251003000005_catalog_driven_export.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The query that exports `contacts` contacts ($1: their ids, uuid[]; $2: their owner) as one row:
-- subjects (an array of one record per contact, in the order of $1: exported_at, contact_id, a
-- column per source table of private.contact_data_sources, smart_groups, contact_import_jobs) and
-- counts (jsonb: rows per key, added up over the contacts). Each contact's queries name it as
-- $1[k]: a constant once the parameters are bound, so each is planned for that contact (10,000
-- interactions or 3). Identifiers come from the catalog, never from callers.
create function private.contact_export_statement(contacts integer)
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
      (select b from (select now() as exported_at, $1 as contact_id%s, smart.part as smart_groups, jobs.part as contact_import_jobs) as b) as bundle,
      array[%s, smart.n, jobs.n] as n
    from (select 1) as one%s
    cross join (select coalesce(json_agg(json_build_object('group_id', g.id, 'group_name', g.name) order by g.name), '[]'::json), count(*)
                from public.contact_groups g
                where g.user_id = $2 and g.group_type = 'smart'
                  and private.contact_matches_criteria((select c from public.contacts c where c.id = $1 and c.user_id = $2), g.criteria)) as smart (part, n)
    cross join (select coalesce(json_agg(json_build_object(
                  'id', j.id, 'file_name', j.file_name, 'status', j.status, 'created_at', j.created_at,
                  'started_at', j.started_at, 'completed_at', j.completed_at) order by j.created_at, j.id), '[]'::json), count(*)
                from public.contact_import_jobs j
                where j.user_id = $2 and j.id = any (%s)) as jobs (part, n)) as c%s$contact$,
      columns, (select string_agg(format('s%s.n', i), ', ') from generate_subscripts(names, 1) as i), sources, jobs, k),
      '$1', format('$1[%s]', k));
  end loop;

  return format($statement$select array[%s] as subjects,
  (select jsonb_object_agg(x.key, x.n) from unnest(%L::text[], array[%s]) as x (key, n)) as counts
from %s$statement$,
    (select string_agg(format('c%s.bundle', m), ', ') from generate_series(1, contact_export_statement.contacts) as m),
    names || array['smart_groups', 'contact_import_jobs'],
    (select string_agg((select string_agg(format('c%s.n[%s]', m, i), ' + ') from generate_series(1, contact_export_statement.contacts) as m), ', ')
     from generate_series(1, cardinality(names) + 2) as i),
    array_to_string(per_contact, e'\ncross join '));
end;
$$;
comment on function private.contact_export_statement(integer) is 'From the catalog: the query that exports contacts ($1 uuid[], $2 owner) as an array of one record per contact (its bundle) and the row count of each key (jsonb).';
revoke execute on function private.contact_export_statement(integer) from public;
grant execute on function private.contact_export_statement(integer) to authenticated, service_role;

-- One contact's bundle as json and the row count of each key. Security invoker: RLS applies to
-- owners; the service sees the contact's owner's rows, each query filtering by that owner.
create or replace function private.contact_export(contact_id uuid, out bundle json, out counts jsonb)
language plpgsql
stable
set search_path = ''
as $$
declare
  owner uuid;
begin
  perform private.forbid_agent_tokens('export personal data');
  select c.user_id into owner from public.contacts c where c.id = contact_export.contact_id;
  if not found then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  execute format('select to_json(e.subjects[1]), e.counts from (%s) as e', private.contact_export_statement(1))
    into bundle, counts using array[contact_export.contact_id], owner;
end;
$$;

-- gdpr-export's entry point. The owner is the caller (or the owner the service names); the subject
-- is a contact id, or an identifier matching every contact that carries it. Each export is recorded
-- in contact_subject_requests: who, when, which contact ids, how many rows per table.
create or replace function public.export_subject_data(contact_id uuid default null, identifier text default null, owner_id uuid default null)
returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  owner constant uuid := private.data_subject_owner(export_subject_data.owner_id);
  request_id constant uuid := gen_random_uuid();
  identifier_key text;
  ids uuid[];
  answer json;
  counts jsonb;
begin
  if (export_subject_data.contact_id is null) = (export_subject_data.identifier is null) then
    raise exception 'give either a contact id or an identifier' using errcode = '22023';
  end if;
  if export_subject_data.identifier is not null then
    identifier_key := private.subject_identifier_key(export_subject_data.identifier);
  end if;
  ids := private.data_subject_contact_ids(owner, export_subject_data.contact_id, identifier_key);
  if cardinality(ids) = 0 then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;

  -- One json_build_object renders the answer, the bundles inside it (records, so no json of
  -- their own) and their tables' json, in one pass.
  execute format($answer$select json_build_object('request_id', $3::uuid, 'exported_at', now(), 'identifier_type', $4::text,
      'contact_ids', $1, 'counts', e.counts, 'subjects', e.subjects), e.counts
    from (%s) as e$answer$, private.contact_export_statement(cardinality(ids)))
    into answer, counts using ids, owner, request_id, split_part(identifier_key, ':', 1);

  perform private.record_subject_request(request_id, owner, 'export', ids, '{}', counts);
  return answer;
end;
$$;
