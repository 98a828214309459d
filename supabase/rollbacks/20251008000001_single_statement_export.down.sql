-- Rolls back 20251008000001_single_statement_export: restores contact_export and
-- export_subject_data as 20251003000005_catalog_driven_export defined them.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.contact_export(contact_id uuid, out bundle json, out counts jsonb)
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

drop function private.contact_export_statement(integer);
