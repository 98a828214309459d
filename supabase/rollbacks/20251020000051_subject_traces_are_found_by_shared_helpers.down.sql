-- Rolls back 20251020000051_subject_traces_are_found_by_shared_helpers: restores
-- export_subject_data and private.identifier_traces as 20251020000049 made them, and the
-- per-contact export helpers as 20251019000000, 20251020000013, 20251020000039 and
-- 20251020000046 made them, then drops the cores they were redefined on.
set lock_timeout = '5s';
set statement_timeout = '5min';

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
  traces json;
begin
  if (export_subject_data.contact_id is null) = (export_subject_data.identifier is null) then
    raise exception 'give either a contact id or an identifier' using errcode = '22023';
  end if;
  if export_subject_data.identifier is not null then
    identifier_key := private.subject_identifier_key(export_subject_data.identifier);
  end if;
  ids := private.data_subject_contact_ids(owner, export_subject_data.contact_id, identifier_key);
  if cardinality(ids) = 0 then
    -- No contact holds the identifier: what the owner's records hold of it (what erasure by it
    -- removes), recorded under its hashes; nothing at all is not found.
    if identifier_key is not null then
      select t.traces, t.counts into traces, counts from private.identifier_traces(owner, export_subject_data.identifier) as t;
      if exists (select 1 from jsonb_each_text(counts) as x (key, n) where x.n::bigint > 0) then
        answer := json_build_object('request_id', request_id, 'exported_at', now(), 'identifier_type', split_part(identifier_key, ':', 1),
          'contact_ids', '[]'::json, 'counts', counts, 'subjects', '[]'::json, 'traces', traces);
        perform private.record_subject_request(request_id, owner, 'export', '{}'::uuid[], array[identifier_key], counts);
        return answer;
      end if;
    end if;
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
comment on function public.export_subject_data(uuid, text, uuid) is 'Subject access by contact id or identifier (e-mail, E.164 phone): the export of every matching contact of the owner, or, when no contact holds the identifier, what the owner''s records hold of it (traces), as json, recorded without personal data.';

create or replace function private.identifier_traces(owner_id uuid, identifier text, out traces json, out counts jsonb)
language plpgsql
volatile
set search_path = ''
as $$
declare
  -- Refuses agent tokens, and an owner naming another owner.
  owner constant uuid := private.data_subject_owner(identifier_traces.owner_id);
  identifier_key constant text := private.subject_identifier_key(identifier_traces.identifier);
  words text[];
  group_words text[] := '{}'::text[];
  hashes text[] := '{}'::text[];
begin
  select coalesce(array_agg(distinct lower(btrim(m.v))) filter (where char_length(btrim(m.v)) >= 3), '{}'::text[]) into words
  from unnest(array[identifier_traces.identifier, substr(identifier_key, strpos(identifier_key, ':') + 1)]) as m (v);
  -- Searches: the forms erasure hashes (no names: the subject has none here). No search, no hashing.
  if exists (select 1 from public.agent_contact_access_log l where l.user_id = owner) then
    hashes := private.owner_hmacs(owner, private.search_query_forms('{}'::text[], words));
  end if;
  -- Groups: less what another contact holds as a name or external id (a namesake's), as erasure.
  if exists (
    select 1 from public.contact_groups g
    where g.user_id = owner
      and (private.mentions_whole(g.name, words) or private.mentions_whole(g.description, words)
           or private.criteria_naming(g.criteria, words) <> '[]'::jsonb)) then
    group_words := private.words_no_one_else_holds(owner, null, words);
  end if;

  select k.counts, json_build_object('contact_import_job_errors', lines.part, 'contact_import_headers', headers.part,
      'contact_import_dry_run_entries', entries.part, 'agent_contact_access_log', searches.part,
      'groups_mentioning_subject', groups.part, 'counts', k.counts)
  into counts, traces
  from (
    select coalesce(json_agg(json_build_object(
        'job_id', e.job_id, 'file_name', j.file_name, 'row_number', e.row_number, 'column_name', e.column_name,
        'value_excerpt', e.value_excerpt, 'reason', e.reason, 'created_at', e.created_at)
        order by j.created_at, j.id, e.row_number, e.id), '[]'::json), count(*)
    from public.contact_import_job_errors e
    join public.contact_import_jobs j on j.id = e.job_id and j.user_id = e.user_id
    where e.user_id = owner and private.is_identifier_value(e.value_excerpt, words)
  ) as lines (part, n)
  cross join (
    select coalesce(json_agg(json_build_object('job_id', j.id, 'file_name', j.file_name, 'status', j.status,
        'created_at', j.created_at, 'header', j.header) order by j.created_at, j.id), '[]'::json), count(*)
    from public.contact_import_jobs j
    where j.user_id = owner and j.header is not null and private.header_holds_identifier(j.header, words)
  ) as headers (part, n)
  cross join (
    select coalesce(json_agg(json_build_object('job_id', j.id, 'file_name', j.file_name, 'section', s.key, 'entry', e.entry)
        order by j.created_at, j.id, s.key, e.position), '[]'::json), count(*)
    from public.contact_import_jobs j
    cross join lateral jsonb_each(j.dry_run_report) as s (key, value)
    cross join lateral jsonb_array_elements(s.value) with ordinality as e (entry, position)
    where j.user_id = owner and j.dry_run_report is not null and private.dry_run_entry_holds_identifier(e.entry, words)
  ) as entries (part, n)
  cross join (
    select coalesce(json_agg(json_build_object('searched_at', l.searched_at, 'agent_id', l.agent_id, 'agent_name', a.name,
        'result_count', l.result_count, 'caller', l.caller) order by l.searched_at, l.id), '[]'::json), count(*)
    from public.agent_contact_access_log l
    left join public.agents a on a.id = l.agent_id and a.user_id = l.user_id
    where l.user_id = owner and (l.query_hmac = any (hashes) or l.query_key_hmac = any (hashes))
  ) as searches (part, n)
  cross join (
    select coalesce(json_agg(json_build_object('group_id', g.id, 'name', g.name, 'description', g.description,
        'rules', private.criteria_naming(g.criteria, group_words)) order by g.name, g.id), '[]'::json), count(*)
    from public.contact_groups g
    where cardinality(group_words) > 0 and g.user_id = owner
      and (private.mentions_whole(g.name, group_words) or private.mentions_whole(g.description, group_words)
           or private.criteria_naming(g.criteria, group_words) <> '[]'::jsonb)
  ) as groups (part, n)
  -- A remembered withdrawal is a keyed hash: counted, never listed.
  cross join lateral (select jsonb_build_object('contact_import_job_errors', lines.n, 'contact_import_headers', headers.n,
      'contact_import_dry_run_entries', entries.n, 'agent_contact_access_log', searches.n, 'groups_mentioning_subject', groups.n,
      'withdrawn_addresses', private.remembered_withdrawals(owner, array[identifier_key])) as counts) as k;
end;
$$;
comment on function private.identifier_traces(uuid, text) is 'What the owner''s records hold of an identifier no contact holds, as erasure by it finds them: import report lines, kept headers, dry-run entries, agent searches (never the query), groups naming it (json), and their counts with remembered withdrawals (jsonb).';
revoke execute on function private.identifier_traces(uuid, text) from public;
grant execute on function private.identifier_traces(uuid, text) to authenticated, service_role;

create or replace function private.contact_agent_searches(contact_id uuid, owner_id uuid, out part json, out n bigint)
language sql
volatile
set search_path = ''
as $$
  select coalesce(json_agg(json_build_object('searched_at', l.searched_at, 'agent_id', l.agent_id, 'agent_name', a.name,
      'result_count', l.result_count, 'caller', l.caller) order by l.searched_at, l.id), '[]'::json),
    count(*)
  from (
    select private.owner_hmacs(contact_agent_searches.owner_id, private.search_query_forms(
      array[c.display_name, c.first_name, c.last_name],
      array[c.display_name, concat_ws(' ', c.first_name, c.last_name), c.external_id]
        || private.contact_identifier_values(contact_agent_searches.contact_id, contact_agent_searches.owner_id))) as hashes
    from public.contacts c
    where c.id = contact_agent_searches.contact_id and c.user_id = contact_agent_searches.owner_id
      -- No search, no hashing.
      and exists (select 1 from public.agent_contact_access_log l where l.user_id = contact_agent_searches.owner_id)
  ) as subject
  cross join public.agent_contact_access_log l
  left join public.agents a on a.id = l.agent_id and a.user_id = l.user_id
  where l.user_id = contact_agent_searches.owner_id and (l.query_hmac = any (subject.hashes) or l.query_key_hmac = any (subject.hashes))
$$;
comment on function private.contact_agent_searches(uuid, uuid) is 'The owner''s agent searches for the contact, as erasure finds them (json array of time, agent, result count, caller), and their count.';
revoke execute on function private.contact_agent_searches(uuid, uuid) from public;
grant execute on function private.contact_agent_searches(uuid, uuid) to authenticated, service_role;

create or replace function private.contact_import_headers(contact_id uuid, owner_id uuid, out part json, out n bigint)
language sql
stable
set search_path = ''
as $$
  select coalesce(json_agg(json_build_object('job_id', j.id, 'file_name', j.file_name, 'status', j.status,
      'created_at', j.created_at, 'header', j.header) order by j.created_at, j.id), '[]'::json),
    count(*)
  from (select private.contact_identifier_values(contact_import_headers.contact_id, contact_import_headers.owner_id) as identifiers) as subject
  cross join public.contact_import_jobs j
  where cardinality(subject.identifiers) > 0 and j.user_id = contact_import_headers.owner_id and j.header is not null
    and private.header_holds_identifier(j.header, subject.identifiers)
$$;
comment on function private.contact_import_headers(uuid, uuid) is 'The owner''s import jobs whose kept header row holds one of the contact''s identifiers (json array of job, file, status, date and header), and their count.';
revoke execute on function private.contact_import_headers(uuid, uuid) from public;
grant execute on function private.contact_import_headers(uuid, uuid) to authenticated, service_role;

create or replace function private.contact_dry_run_entries(contact_id uuid, owner_id uuid, out part json, out n bigint)
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
      or private.dry_run_entry_holds_identifier(e.entry, subject.identifiers))
$$;
comment on function private.contact_dry_run_entries(uuid, uuid) is 'The owner''s dry-run report entries that name the contact or hold one of its identifiers (json array of job, section and entry), and their count.';
revoke execute on function private.contact_dry_run_entries(uuid, uuid) from public;
grant execute on function private.contact_dry_run_entries(uuid, uuid) to authenticated, service_role;

create or replace function private.contact_import_report_lines(contact_id uuid, owner_id uuid, out part json, out n bigint)
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

drop function private.traces_of_identifier(uuid, text, text);
drop function private.agent_searches_for(uuid, text[], text[]);
drop function private.import_headers_holding(uuid, text[]);
drop function private.dry_run_entries_holding(uuid, uuid, text[]);
drop function private.import_report_lines_holding(uuid, text[]);
