-- Subject access, catalog-driven: every table in public with a contact_id column or a foreign key
-- to public.contacts contributes its rows about the subject under a key named after the table, so
-- a table added later (audit entries, consent history, import changes) is exported without an edit
-- here. Rows are enriched with the names they point at (agents, groups, grants), and the import
-- jobs referenced through a job_id column are listed (file name, status, dates: not other rows).
-- Replaces export_contact_data_for_subject of 20250916000010_gdpr_functions (same signature and
-- keys; the table list now comes from the catalog), and adds export_subject_data, the entry point
-- of gdpr-export: by contact id or by identifier, scoped to an owner, recorded without personal data.
-- The bundle is built as json text (json_agg over the rows), not as binary jsonb: for a subject with
-- 10,000 interactions that is the difference between a few tens and several hundred milliseconds.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The tables about a contact and, for each, the query that exports its rows about one subject
-- ($1 contact id, $2 owner) as a json array with its row count and, where it has a job_id column,
-- the query that lists those jobs. The contact itself comes first, under "contacts". Columns are
-- listed from the catalog (tsvector columns, internal, left out); identifiers come from the
-- catalog only (format %I), never from callers.
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
    -- Foreign keys to contacts, found through the referential triggers they put on contacts (an
    -- indexed lookup, where pg_constraint has no index on the referenced table).
    select con.conrelid, att.attname::text
    from pg_catalog.pg_trigger tg
    join pg_catalog.pg_constraint con on con.oid = tg.tgconstraint
    cross join lateral unnest(con.conkey, con.confkey) as k (child_attnum, parent_attnum)
    join pg_catalog.pg_attribute parent_att on parent_att.attrelid = con.confrelid and parent_att.attnum = k.parent_attnum
    join pg_catalog.pg_attribute att on att.attrelid = con.conrelid and att.attnum = k.child_attnum
    where tg.tgrelid = 'public.contacts'::regclass and tg.tgisinternal
      and con.contype = 'f' and con.confrelid = 'public.contacts'::regclass
      and con.connamespace = 'public'::regnamespace and parent_att.attname = 'id'
    union
    select 'public.contacts'::regclass, 'id'
  ),
  tables as (
    select cl.oid as relid, cl.relname::text as table_name,
      (select string_agg(format('t.%I = $1', r.column_name), ' or ' order by r.column_name) from refs r where r.relid = cl.oid) as match,
      (select array_agg(a.attname::text order by a.attnum) from pg_catalog.pg_attribute a
       where a.attrelid = cl.oid and a.attnum > 0 and not a.attisdropped) as columns,
      (select string_agg(format('t.%I', a.attname), ', ' order by a.attnum) from pg_catalog.pg_attribute a
       where a.attrelid = cl.oid and a.attnum > 0 and not a.attisdropped and a.atttypid <> 'tsvector'::regtype) as exported,
      exists (select 1 from pg_catalog.pg_attribute a
              where a.attrelid = cl.oid and a.attnum > 0 and not a.attisdropped and a.atttypid = 'tsvector'::regtype) as has_internal
    from pg_catalog.pg_class cl
    where cl.oid in (select relid from refs)
  ),
  parts as (
    select t.table_name, t.columns,
      case when 'user_id' = any (t.columns) then format('t.user_id = $2 and (%s)', t.match) else t.match end as filter,
      t.has_internal or (t.table_name <> 'contacts' and t.columns && array['agent_id', 'group_id', 'permission_id']) as reshaped,
      concat_ws(', ', t.exported,
        case when t.table_name <> 'contacts' and 'agent_id' = any (t.columns) then 'a.name as agent_name' end,
        case when t.table_name <> 'contacts' and 'group_id' = any (t.columns) then 'g.name as group_name' end,
        case when t.table_name <> 'contacts' and 'permission_id' = any (t.columns) then
          'p.permission_level, p.valid_from, p.valid_until' end) as select_list,
      concat(
        case when t.table_name <> 'contacts' and 'agent_id' = any (t.columns) then
          ' left join public.agents a on a.id = t.agent_id and a.user_id = t.user_id' end,
        case when t.table_name <> 'contacts' and 'group_id' = any (t.columns) then
          ' left join public.contact_groups g on g.id = t.group_id and g.user_id = t.user_id' end,
        case when t.table_name <> 'contacts' and 'permission_id' = any (t.columns) then
          ' left join public.agent_contact_permissions p on p.id = t.permission_id and p.user_id = t.user_id' end) as joins,
      concat_ws(', ',
        case when 'occurred_at' = any (t.columns) then 't.occurred_at' when 'created_at' = any (t.columns) then 't.created_at' end,
        case when 'id' = any (t.columns) then 't.id' end) as sort
    from tables t
  )
  -- Rows are sorted in a subquery and aggregated in that order: cheaper than an ordered aggregate,
  -- which sorts whole rows again. Rows keep their shape unless columns are left out or names added.
  select p.table_name,
    format('select coalesce(json_agg(s.r), ''[]''::json), count(*) from (select %s as r from public.%I t%s%s where %s%s) as s',
      case when p.reshaped then 'x' else 't' end, p.table_name, p.joins,
      case when p.reshaped then format(' cross join lateral (select %s) as x', p.select_list) else '' end,
      p.filter, case when p.sort <> '' then ' order by ' || p.sort else '' end),
    case when 'job_id' = any (p.columns) then
      format('select coalesce(array_agg(distinct t.job_id) filter (where t.job_id is not null), ''{}'') from public.%I t where %s',
        p.table_name, p.filter)
    end
  from parts p
  order by p.table_name <> 'contacts', p.table_name
$$;
comment on function private.contact_data_sources() is 'From the catalog: the contact and every public table with a contact_id column or a foreign key to contacts, with the queries that export its rows about one subject as json.';
revoke execute on function private.contact_data_sources() from public;
grant execute on function private.contact_data_sources() to authenticated, service_role;

-- One contact's bundle as json (a key per source table, plus its smart groups and the import jobs
-- its rows reference) and the row count of each key. Security invoker: RLS applies to owners; the
-- service sees the contact's owner's rows, each query filtering by that owner.
create function private.contact_export(contact_id uuid, out bundle json, out counts jsonb)
language plpgsql
stable
set search_path = ''
as $$
declare
  subject public.contacts;
  source record;
  keys text[] := array['exported_at', 'contact_id'];
  parts json[];
  table_rows json;
  table_count bigint;
  table_jobs uuid[];
  job_ids uuid[] := '{}'::uuid[];
begin
  perform private.forbid_agent_tokens('export personal data');
  select * into subject from public.contacts c where c.id = contact_export.contact_id;
  if not found then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  parts := array[to_json(now()), to_json(subject.id)];
  counts := '{}'::jsonb;

  for source in select * from private.contact_data_sources() loop
    execute source.rows_query into table_rows, table_count using subject.id, subject.user_id;
    keys := keys || source.table_name;
    parts := parts || table_rows;
    counts := counts || jsonb_build_object(source.table_name, table_count);
    if source.jobs_query is not null then
      execute source.jobs_query into table_jobs using subject.id, subject.user_id;
      job_ids := job_ids || table_jobs;
    end if;
  end loop;

  select coalesce(json_agg(json_build_object('group_id', g.id, 'group_name', g.name) order by g.name), '[]'::json), count(*)
  into table_rows, table_count
  from public.contact_groups g
  where g.user_id = subject.user_id and g.group_type = 'smart' and private.contact_matches_criteria(subject, g.criteria);
  keys := keys || 'smart_groups'::text;
  parts := parts || table_rows;
  counts := counts || jsonb_build_object('smart_groups', table_count);

  select coalesce(json_agg(json_build_object(
      'id', j.id, 'file_name', j.file_name, 'status', j.status, 'created_at', j.created_at,
      'started_at', j.started_at, 'completed_at', j.completed_at) order by j.created_at, j.id), '[]'::json), count(*)
  into table_rows, table_count
  from public.contact_import_jobs j
  where j.id = any (job_ids) and j.user_id = subject.user_id;
  keys := keys || 'contact_import_jobs'::text;
  parts := parts || table_rows;
  counts := counts || jsonb_build_object('contact_import_jobs', table_count);

  -- unnest keeps the arrays' order; an ordered aggregate would sort (copy) megabytes for nothing.
  select json_object_agg(x.key, x.part) into bundle
  from unnest(keys, parts) as x (key, part);
end;
$$;
comment on function private.contact_export(uuid) is 'One contact''s subject-access bundle as json, built from the catalog, with the row count of each key.';
revoke execute on function private.contact_export(uuid) from public;
grant execute on function private.contact_export(uuid) to authenticated, service_role;

create or replace function public.export_contact_data_for_subject(contact_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  perform private.forbid_agent_tokens('export personal data');
  return (select e.bundle from private.contact_export(export_contact_data_for_subject.contact_id) as e)::jsonb;
end;
$$;
comment on function public.export_contact_data_for_subject(uuid) is 'Subject access: every row about one contact, one key per table found in the catalog (plus smart groups and referenced import jobs), under the caller''s RLS.';

-- gdpr-export's entry point. The owner is the caller (or the owner the service names); the subject
-- is a contact id, or an identifier matching every contact that carries it. Each export is recorded
-- in contact_subject_requests: who, when, which contact ids, how many rows per table.
create function public.export_subject_data(contact_id uuid default null, identifier text default null, owner_id uuid default null)
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
  subject_id uuid;
  bundle json;
  bundle_counts jsonb;
  bundles json[] := '{}'::json[];
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
    select e.bundle, e.counts into bundle, bundle_counts from private.contact_export(subject_id) as e;
    bundles := bundles || bundle;
    counts := private.sum_counts(counts, bundle_counts);
  end loop;

  perform private.record_subject_request(request_id, owner, 'export', ids, '{}', counts);
  return json_build_object(
    'request_id', request_id,
    'exported_at', now(),
    'identifier_type', split_part(identifier_key, ':', 1),
    'contact_ids', ids,
    'counts', counts,
    -- unnest keeps the array's order; an ordered aggregate would sort (copy) megabytes for nothing.
    'subjects', (select json_agg(b.bundle) from unnest(bundles) as b (bundle)));
end;
$$;
comment on function public.export_subject_data(uuid, text, uuid) is 'Subject access by contact id or identifier (e-mail, E.164 phone): the export of every matching contact of the owner, as json, recorded without personal data.';
revoke execute on function public.export_subject_data(uuid, text, uuid) from public, anon;
grant execute on function public.export_subject_data(uuid, text, uuid) to authenticated, service_role;
