-- Erasure left behind what the export hands the subject as theirs. The export attributes to a
-- subject the import report lines and dry-run entries holding one of its identifiers in any
-- spelling (+44-20-7946-0001 for +442079460001, 20251019000000); erasure matched the stored spellings
-- only (20251019000002), so it kept lines the export had just returned as the subject's. And a dry
-- run's claims were removed by the subject's current identifiers only: the claims of its rows that
-- would have updated the contact, with other addresses and numbers of the person, stayed, tied to
-- the erased contact's id, until retention. Erasure now removes at least everything the export
-- attributes to the subject (one predicate for dry-run entries, shared), and every claim on it.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Whether a dry-run entry holds one of the identifiers as a whole (a new row's identifiers, a failing
-- cell's value): the export's test, which erasure now applies as well.
create function private.dry_run_entry_holds_identifier(entry jsonb, identifiers text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select exists (
    select 1
    from (select jsonb_path_query(dry_run_entry_holds_identifier.entry, '$.identifiers[*]')
          union all select jsonb_path_query(dry_run_entry_holds_identifier.entry, '$.value')) as held (v)
    where jsonb_typeof(held.v) = 'string' and private.is_identifier_value(held.v #>> '{}', dry_run_entry_holds_identifier.identifiers))
$$;
comment on function private.dry_run_entry_holds_identifier(jsonb, text[]) is 'True when a dry-run report entry holds one of the identifiers as a whole (its identifiers or its failing value; a number however spelt).';
revoke execute on function private.dry_run_entry_holds_identifier(jsonb, text[]) from public;
grant execute on function private.dry_run_entry_holds_identifier(jsonb, text[]) to authenticated, service_role;

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
create or replace function private.forget_contact_traces(contact_id uuid)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  owner_id uuid;
  mentions text[];
  errors_count bigint := 0;
  searches_count bigint := 0;
  reports_count bigint := 0;
  claims_count bigint := 0;
begin
  select c.user_id into owner_id from public.contacts c where c.id = forget_contact_traces.contact_id;
  if owner_id is null or private.current_agent_id() is not null
     or not (private.is_service_caller() or owner_id = (select auth.uid())) then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;

  select coalesce(array_agg(distinct lower(btrim(m))) filter (where char_length(btrim(m)) >= 3), '{}') into mentions
  from (
    select unnest(array[c.display_name, concat_ws(' ', c.first_name, c.last_name), c.external_id]) as m
    from public.contacts c where c.id = forget_contact_traces.contact_id
    union all
    select unnest(array[ch.identifier, ch.normalized_identifier])
    from public.contact_communication_channels ch
    where ch.contact_id = forget_contact_traces.contact_id and ch.user_id = owner_id
  ) as names_and_identifiers;
  -- The mentions hold the identifiers as stored and in their matching form, as the export's
  -- private.contact_identifier_values does: the export's own tests below match through them.

  with removed as (
    delete from public.contact_import_job_errors e
    where e.user_id = owner_id
      and (private.mentions_whole(e.value_excerpt, mentions) or private.is_identifier_value(e.value_excerpt, mentions))
    returning 1
  )
  select count(*) into errors_count from removed;

  -- A dry run's report samples rows of its file (names, identifiers, the values of failing cells)
  -- and the contacts they would change; its claims hold the file's identifiers while it runs.
  with scrubbed as (
    update public.contact_import_jobs j
    set dry_run_report = (
      select jsonb_object_agg(part.key, coalesce((
        select jsonb_agg(e.entry order by e.position)
        from jsonb_array_elements(part.value) with ordinality as e (entry, position)
        where not (private.dry_run_entry_mentions(e.entry, forget_contact_traces.contact_id, mentions)
                   or private.dry_run_entry_holds_identifier(e.entry, mentions))), '[]'::jsonb))
      from jsonb_each(j.dry_run_report) as part)
    where j.user_id = owner_id and j.dry_run_report is not null
      and exists (
        select 1 from jsonb_each(j.dry_run_report) as part, jsonb_array_elements(part.value) as e (entry)
        where private.dry_run_entry_mentions(e.entry, forget_contact_traces.contact_id, mentions)
          or private.dry_run_entry_holds_identifier(e.entry, mentions))
    returning 1
  )
  select count(*) into reports_count from scrubbed;

  with removed as (
    delete from private.contact_import_dry_run_claims d
    where d.user_id = owner_id
      and (d.contact_id = forget_contact_traces.contact_id
           or d.kind = 'contact' and d.value = forget_contact_traces.contact_id::text
           or d.kind <> 'contact' and lower(d.value) = any (mentions))
    returning 1
  )
  select count(*) into claims_count from removed;

  if exists (select 1 from public.agent_contact_access_log l where l.user_id = owner_id) then
    with removed as (
      delete from public.agent_contact_access_log l
      where l.user_id = owner_id and l.query_hmac = any (private.owner_hmacs(owner_id, mentions))
      returning 1
    )
    select count(*) into searches_count from removed;
  end if;

  return jsonb_build_object('contact_import_job_errors', errors_count, 'agent_contact_access_log', searches_count,
    'contact_import_jobs', reports_count, 'contact_import_dry_run_claims', claims_count);
end;
$$;
