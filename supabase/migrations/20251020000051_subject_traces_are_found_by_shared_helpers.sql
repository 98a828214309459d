-- private.identifier_traces (20251020000049) wrote out again, for an identifier, the bodies of the
-- per-contact export helpers: the import report lines, dry-run entries and kept headers holding an
-- identifier, and the agent searches for a subject; and it worked out the owner and the identifier's
-- key again after export_subject_data had. Now each list has one core taking the owner and the
-- words (identifiers, names) it is found by: the per-contact helpers call it with the contact's,
-- private.traces_of_identifier with the identifier's (groups: private.groups_mentioning, from
-- 20251020000050), and export_subject_data hands traces_of_identifier the owner it checked and the
-- key it worked out. private.identifier_traces keeps its signature and its checks (agent tokens, an
-- owner naming another) for callers without them, and calls traces_of_identifier. Nothing found,
-- listed or counted changes.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The cores take an owner their caller has checked and words already built. Security invoker:
-- RLS applies to owners; the service sees the owner's rows, each query filtering by that owner.
create function private.import_report_lines_holding(owner_id uuid, identifiers text[], out part json, out n bigint)
language sql
stable
set search_path = ''
as $$
  select coalesce(json_agg(json_build_object(
      'job_id', e.job_id, 'file_name', j.file_name, 'row_number', e.row_number, 'column_name', e.column_name,
      'value_excerpt', e.value_excerpt, 'reason', e.reason, 'created_at', e.created_at)
      order by j.created_at, j.id, e.row_number, e.id), '[]'::json),
    count(*)
  from public.contact_import_job_errors e
  join public.contact_import_jobs j on j.id = e.job_id and j.user_id = e.user_id
  where cardinality(import_report_lines_holding.identifiers) > 0 and e.user_id = import_report_lines_holding.owner_id
    and private.is_identifier_value(e.value_excerpt, import_report_lines_holding.identifiers)
$$;
comment on function private.import_report_lines_holding(uuid, text[]) is 'The owner''s import error lines whose value is one of the identifiers as a whole, oldest job first, with their file (json array), and their count.';
revoke execute on function private.import_report_lines_holding(uuid, text[]) from public;
grant execute on function private.import_report_lines_holding(uuid, text[]) to authenticated, service_role;

create function private.dry_run_entries_holding(owner_id uuid, contact_id uuid, identifiers text[], out part json, out n bigint)
language sql
stable
set search_path = ''
as $$
  select coalesce(json_agg(json_build_object('job_id', j.id, 'file_name', j.file_name, 'section', s.key, 'entry', e.entry)
      order by j.created_at, j.id, s.key, e.position), '[]'::json),
    count(*)
  from public.contact_import_jobs j
  cross join lateral jsonb_each(j.dry_run_report) as s (key, value)
  cross join lateral jsonb_array_elements(s.value) with ordinality as e (entry, position)
  where j.user_id = dry_run_entries_holding.owner_id and j.dry_run_report is not null
    and (e.entry ->> 'contact_id' = dry_run_entries_holding.contact_id::text
      or private.dry_run_entry_holds_identifier(e.entry, dry_run_entries_holding.identifiers))
$$;
comment on function private.dry_run_entries_holding(uuid, uuid, text[]) is 'The owner''s dry-run report entries that name the contact (if any) or hold one of the identifiers (json array of job, section and entry), and their count.';
revoke execute on function private.dry_run_entries_holding(uuid, uuid, text[]) from public;
grant execute on function private.dry_run_entries_holding(uuid, uuid, text[]) to authenticated, service_role;

create function private.import_headers_holding(owner_id uuid, identifiers text[], out part json, out n bigint)
language sql
stable
set search_path = ''
as $$
  select coalesce(json_agg(json_build_object('job_id', j.id, 'file_name', j.file_name, 'status', j.status,
      'created_at', j.created_at, 'header', j.header) order by j.created_at, j.id), '[]'::json),
    count(*)
  from public.contact_import_jobs j
  where cardinality(import_headers_holding.identifiers) > 0 and j.user_id = import_headers_holding.owner_id and j.header is not null
    and private.header_holds_identifier(j.header, import_headers_holding.identifiers)
$$;
comment on function private.import_headers_holding(uuid, text[]) is 'The owner''s import jobs whose kept header row holds one of the identifiers (json array of job, file, status, date and header), and their count.';
revoke execute on function private.import_headers_holding(uuid, text[]) from public;
grant execute on function private.import_headers_holding(uuid, text[]) to authenticated, service_role;

-- The searches erasure removes for these names and words. Volatile: it hashes, and only when the
-- owner has a search logged at all.
create function private.agent_searches_for(owner_id uuid, names text[], words text[], out part json, out n bigint)
language sql
volatile
set search_path = ''
as $$
  select coalesce(json_agg(json_build_object('searched_at', l.searched_at, 'agent_id', l.agent_id, 'agent_name', a.name,
      'result_count', l.result_count, 'caller', l.caller) order by l.searched_at, l.id), '[]'::json),
    count(*)
  from (
    select private.owner_hmacs(agent_searches_for.owner_id, private.search_query_forms(agent_searches_for.names, agent_searches_for.words)) as hashes
    where exists (select 1 from public.agent_contact_access_log l where l.user_id = agent_searches_for.owner_id)
  ) as subject
  cross join public.agent_contact_access_log l
  left join public.agents a on a.id = l.agent_id and a.user_id = l.user_id
  where l.user_id = agent_searches_for.owner_id and (l.query_hmac = any (subject.hashes) or l.query_key_hmac = any (subject.hashes))
$$;
comment on function private.agent_searches_for(uuid, text[], text[]) is 'The owner''s agent searches whose query was one of the names or words, a word of the names, or digits a number among the words ends with (json array of time, agent, result count, caller; never the query), and their count.';
revoke execute on function private.agent_searches_for(uuid, text[], text[]) from public;
grant execute on function private.agent_searches_for(uuid, text[], text[]) to authenticated, service_role;

-- The per-contact helpers, on the cores: a contact's identifiers for the reports, its names and
-- words (private.subject_words, as erasure builds them) for the searches.
create or replace function private.contact_import_report_lines(contact_id uuid, owner_id uuid, out part json, out n bigint)
language sql
stable
set search_path = ''
as $$
  select r.part, r.n from private.import_report_lines_holding(contact_import_report_lines.owner_id,
    private.contact_identifier_values(contact_import_report_lines.contact_id, contact_import_report_lines.owner_id)) as r
$$;

create or replace function private.contact_dry_run_entries(contact_id uuid, owner_id uuid, out part json, out n bigint)
language sql
stable
set search_path = ''
as $$
  select r.part, r.n from private.dry_run_entries_holding(contact_dry_run_entries.owner_id, contact_dry_run_entries.contact_id,
    private.contact_identifier_values(contact_dry_run_entries.contact_id, contact_dry_run_entries.owner_id)) as r
$$;

create or replace function private.contact_import_headers(contact_id uuid, owner_id uuid, out part json, out n bigint)
language sql
stable
set search_path = ''
as $$
  select r.part, r.n from private.import_headers_holding(contact_import_headers.owner_id,
    private.contact_identifier_values(contact_import_headers.contact_id, contact_import_headers.owner_id)) as r
$$;

create or replace function private.contact_agent_searches(contact_id uuid, owner_id uuid, out part json, out n bigint)
language sql
volatile
set search_path = ''
as $$
  select r.part, r.n
  from private.agent_searches_for(contact_agent_searches.owner_id,
    (select array[c.display_name, c.first_name, c.last_name] from public.contacts c
     where c.id = contact_agent_searches.contact_id and c.user_id = contact_agent_searches.owner_id),
    private.subject_words(contact_agent_searches.owner_id, contact_agent_searches.contact_id, '{}'::text[])) as r
$$;

-- What the owner's records hold of an identifier, found by the words erasure by it matches (the
-- identifier as given and its matching form, as gdpr_delete_subject hands them to forget_traces),
-- for an owner the caller has checked. PL/pgSQL: its plans follow the caller's role.
create function private.traces_of_identifier(owner_id uuid, identifier text, identifier_key text, out traces json, out counts jsonb)
language plpgsql
volatile
set search_path = ''
as $$
declare
  words constant text[] := private.subject_words(traces_of_identifier.owner_id, null, array[traces_of_identifier.identifier,
    substr(traces_of_identifier.identifier_key, strpos(traces_of_identifier.identifier_key, ':') + 1)]);
begin
  -- RLS shows an agent none of the lists, but the remembered withdrawals are counted with definer rights.
  if private.current_agent_id() is not null then
    raise exception 'agent tokens cannot act on data subject requests' using errcode = '42501';
  end if;
  select k.counts, json_build_object('contact_import_job_errors', lines.part, 'contact_import_headers', headers.part,
      'contact_import_dry_run_entries', entries.part, 'agent_contact_access_log', searches.part,
      'groups_mentioning_subject', groups.part, 'counts', k.counts)
  into counts, traces
  from private.import_report_lines_holding(traces_of_identifier.owner_id, words) as lines
  cross join private.import_headers_holding(traces_of_identifier.owner_id, words) as headers
  cross join private.dry_run_entries_holding(traces_of_identifier.owner_id, null, words) as entries
  -- No names: the subject has none here.
  cross join private.agent_searches_for(traces_of_identifier.owner_id, '{}'::text[], words) as searches
  cross join private.groups_mentioning(traces_of_identifier.owner_id, null, words) as groups
  -- A remembered withdrawal is a keyed hash: counted, never listed.
  cross join lateral (select jsonb_build_object('contact_import_job_errors', lines.n, 'contact_import_headers', headers.n,
      'contact_import_dry_run_entries', entries.n, 'agent_contact_access_log', searches.n, 'groups_mentioning_subject', groups.n,
      'withdrawn_addresses', private.remembered_withdrawals(traces_of_identifier.owner_id, array[traces_of_identifier.identifier_key])) as counts) as k;
end;
$$;
comment on function private.traces_of_identifier(uuid, text, text) is 'What the owner''s records hold of an identifier (given with its key) no contact holds, as erasure by it finds them: import report lines, kept headers, dry-run entries, agent searches (never the query), groups naming it (json), and their counts with remembered withdrawals (jsonb). Refuses agent tokens; the caller checks the owner.';
revoke execute on function private.traces_of_identifier(uuid, text, text) from public;
grant execute on function private.traces_of_identifier(uuid, text, text) to authenticated, service_role;

create or replace function private.identifier_traces(owner_id uuid, identifier text, out traces json, out counts jsonb)
language plpgsql
volatile
set search_path = ''
as $$
declare
  -- Refuses agent tokens, and an owner naming another owner.
  owner constant uuid := private.data_subject_owner(identifier_traces.owner_id);
  identifier_key constant text := private.subject_identifier_key(identifier_traces.identifier);
begin
  select t.traces, t.counts into traces, counts from private.traces_of_identifier(owner, identifier_traces.identifier, identifier_key) as t;
end;
$$;

-- export_subject_data as 20251020000049 made it, handing over the owner and key it has.
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
      select t.traces, t.counts into traces, counts from private.traces_of_identifier(owner, export_subject_data.identifier, identifier_key) as t;
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
