-- Subject access, catalog-driven: every table in public with a contact_id column or a foreign key
-- to public.contacts contributes its rows about the subject under a key named after the table, so
-- a table added later (audit entries, consent history, import changes) is exported without an edit
-- here. Rows are enriched with the names they point at (agents, groups, grants), and the import
-- jobs referenced through a job_id column are listed (file name, status, dates: not other rows).
-- Replaces export_contact_data_for_subject of 20250916000010_gdpr_functions (same signature and
-- keys; the table list now comes from the catalog), and adds export_subject_data, the entry point
-- of gdpr-export: by contact id or by identifier, scoped to an owner, recorded without personal data.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The tables about a contact and, for each, the query that exports its rows about one subject
-- ($1 contact id, $2 owner) and, where it has a job_id column, the query that lists those jobs.
-- Identifiers come from the catalog only (format %I), never from callers.
create function private.contact_data_sources()
returns table (table_name text, rows_query text, jobs_query text)
language sql
stable
set search_path = ''
as $$
  with refs as (
    select cl.oid as relid, att.attname::text as column_name
    from pg_catalog.pg_attribute att
    join pg_catalog.pg_class cl on cl.oid = att.attrelid
    where cl.relnamespace = 'public'::regnamespace and cl.relkind in ('r', 'p')
      and att.attname = 'contact_id' and att.attnum > 0 and not att.attisdropped
      and att.atttypid = 'uuid'::regtype
    union
    select con.conrelid, att.attname::text
    from pg_catalog.pg_constraint con
    cross join lateral unnest(con.conkey, con.confkey) as k (child_attnum, parent_attnum)
    join pg_catalog.pg_attribute parent_att on parent_att.attrelid = con.confrelid and parent_att.attnum = k.parent_attnum
    join pg_catalog.pg_attribute att on att.attrelid = con.conrelid and att.attnum = k.child_attnum
    where con.contype = 'f' and con.confrelid = 'public.contacts'::regclass
      and con.connamespace = 'public'::regnamespace and parent_att.attname = 'id'
  ),
  tables as (
    select cl.oid as relid, cl.relname::text as table_name,
      (select string_agg(format('t.%I = $1', r.column_name), ' or ' order by r.column_name) from refs r where r.relid = cl.oid) as match,
      (select array_agg(a.attname::text) from pg_catalog.pg_attribute a
       where a.attrelid = cl.oid and a.attnum > 0 and not a.attisdropped) as columns,
      (select coalesce(array_agg(a.attname::text), '{}') from pg_catalog.pg_attribute a
       where a.attrelid = cl.oid and a.attnum > 0 and not a.attisdropped and a.atttypid = 'tsvector'::regtype) as internal
    from pg_catalog.pg_class cl
    where cl.oid in (select relid from refs) and cl.oid <> 'public.contacts'::regclass
  ),
  parts as (
    select t.table_name, t.columns, t.internal,
      case when 'user_id' = any (t.columns) then format('t.user_id = $2 and (%s)', t.match) else t.match end as filter,
      concat_ws(', ',
        case when 'agent_id' = any (t.columns) then '''agent_name'', a.name' end,
        case when 'group_id' = any (t.columns) then '''group_name'', g.name' end,
        case when 'permission_id' = any (t.columns) then
          '''permission_level'', p.permission_level, ''valid_from'', p.valid_from, ''valid_until'', p.valid_until' end) as enrich,
      concat(
        case when 'agent_id' = any (t.columns) then ' left join public.agents a on a.id = t.agent_id and a.user_id = t.user_id' end,
        case when 'group_id' = any (t.columns) then ' left join public.contact_groups g on g.id = t.group_id and g.user_id = t.user_id' end,
        case when 'permission_id' = any (t.columns) then
          ' left join public.agent_contact_permissions p on p.id = t.permission_id and p.user_id = t.user_id' end) as joins,
      concat_ws(', ',
        case when 'occurred_at' = any (t.columns) then 't.occurred_at' when 'created_at' = any (t.columns) then 't.created_at' end,
        case when 'id' = any (t.columns) then 't.id' end) as sort
    from tables t
  )
  select p.table_name,
    format('select coalesce(jsonb_agg((to_jsonb(t) - %L::text[])%s%s), ''[]''::jsonb) from public.%I t%s where %s',
      p.internal,
      case when p.enrich <> '' then format(' || jsonb_build_object(%s)', p.enrich) else '' end,
      case when p.sort <> '' then ' order by ' || p.sort else '' end,
      p.table_name, p.joins, p.filter),
    case when 'job_id' = any (p.columns) then
      format('select coalesce(array_agg(distinct t.job_id) filter (where t.job_id is not null), ''{}'') from public.%I t where %s',
        p.table_name, p.filter)
    end
  from parts p
  order by p.table_name
$$;
comment on function private.contact_data_sources() is 'From the catalog: every public table with a contact_id column or a foreign key to contacts, with the queries that export its rows about one subject.';
revoke execute on function private.contact_data_sources() from public;
grant execute on function private.contact_data_sources() to authenticated, service_role;

create or replace function public.export_contact_data_for_subject(contact_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  subject public.contacts;
  bundle jsonb;
  source record;
  table_rows jsonb;
  table_jobs uuid[];
  job_ids uuid[] := '{}'::uuid[];
begin
  perform private.forbid_agent_tokens('export personal data');
  select * into subject from public.contacts c where c.id = export_contact_data_for_subject.contact_id;
  if not found then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;

  bundle := jsonb_build_object(
    'exported_at', now(),
    'contact_id', subject.id,
    'contacts', jsonb_build_array(to_jsonb(subject) - 'search_vector'),
    'smart_groups', coalesce((
      select jsonb_agg(jsonb_build_object('group_id', g.id, 'group_name', g.name) order by g.name)
      from public.contact_groups g
      where g.user_id = subject.user_id and g.group_type = 'smart' and private.contact_matches_criteria(subject, g.criteria)), '[]'::jsonb));

  for source in select * from private.contact_data_sources() loop
    execute source.rows_query into table_rows using subject.id, subject.user_id;
    bundle := bundle || jsonb_build_object(source.table_name, table_rows);
    if source.jobs_query is not null then
      execute source.jobs_query into table_jobs using subject.id, subject.user_id;
      job_ids := job_ids || table_jobs;
    end if;
  end loop;

  return bundle || jsonb_build_object('contact_import_jobs', coalesce((
    select jsonb_agg(jsonb_build_object(
        'id', j.id, 'file_name', j.file_name, 'status', j.status, 'created_at', j.created_at,
        'started_at', j.started_at, 'completed_at', j.completed_at) order by j.created_at, j.id)
    from public.contact_import_jobs j
    where j.id = any (job_ids) and j.user_id = subject.user_id), '[]'::jsonb));
end;
$$;
comment on function public.export_contact_data_for_subject(uuid) is 'Subject access: every row about one contact, one key per table found in the catalog (plus smart groups and referenced import jobs), under the caller''s RLS.';

-- gdpr-export's entry point. The owner is the caller (or the owner the service names); the subject
-- is a contact id, or an identifier matching every contact that carries it. Each export is recorded
-- in contact_subject_requests: who, when, which contact ids, how many rows per table.
create function public.export_subject_data(contact_id uuid default null, identifier text default null, owner_id uuid default null)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  owner constant uuid := private.data_subject_owner(export_subject_data.owner_id);
  request_id constant uuid := gen_random_uuid();
  identifier_key text;
  ids uuid[];
  subject_id uuid;
  bundle jsonb;
  bundles jsonb := '[]'::jsonb;
  counts jsonb := '{}'::jsonb;
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

  foreach subject_id in array ids loop
    bundle := public.export_contact_data_for_subject(subject_id);
    bundles := bundles || jsonb_build_array(bundle);
    select coalesce(jsonb_object_agg(k.key, coalesce((counts ->> k.key)::bigint, 0) + jsonb_array_length(k.value)), '{}'::jsonb)
      into counts
    from jsonb_each(bundle) as k (key, value)
    where jsonb_typeof(k.value) = 'array';
  end loop;

  perform private.record_subject_request(request_id, owner, 'export', ids, '{}', counts);
  return jsonb_build_object(
    'request_id', request_id,
    'exported_at', now(),
    'identifier_type', split_part(identifier_key, ':', 1),
    'contact_ids', to_jsonb(ids),
    'counts', counts,
    'subjects', bundles);
end;
$$;
comment on function public.export_subject_data(uuid, text, uuid) is 'Subject access by contact id or identifier (e-mail, E.164 phone): the export of every matching contact of the owner, recorded without personal data.';
revoke execute on function public.export_subject_data(uuid, text, uuid) from public, anon;
grant execute on function public.export_subject_data(uuid, text, uuid) to authenticated, service_role;
