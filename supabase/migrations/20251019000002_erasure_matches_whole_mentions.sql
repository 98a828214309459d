-- Erasure found the subject in import error lines and dry-run entries by substring: a name or
-- identifier of three characters or more anywhere in a value. That took other people's lines from
-- the owner's reports: erasing Ann removed the line of joanna@example.com, erasing ann@acme.com that
-- of joann@acme.com. A mention now counts only as a whole: at the start of the value or after a
-- character that is not a letter or digit, and at its end or before one. A name is still found in a
-- whole unreadable line ("Ann,Smith,ann@acme.com"), and namesakes' lines still go: an erasure
-- rather removes a line too many.
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.mentions_whole(value text, mentions text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select exists (
    select 1
    from unnest(mentions_whole.mentions) as x (m)
    -- strpos first: the pattern is only built for the rare value that holds the text at all.
    where strpos(lower(mentions_whole.value), x.m) > 0
      and lower(mentions_whole.value) ~ ('(^|[^[:alnum:]])' || regexp_replace(x.m, '([^[:alnum:][:space:]])', '\\\1', 'g') || '($|[^[:alnum:]])'))
$$;
comment on function private.mentions_whole(text, text[]) is 'True when the value holds one of the (lower-case) mentions as a whole: not inside a longer word, address or number.';
revoke execute on function private.mentions_whole(text, text[]) from public;
grant execute on function private.mentions_whole(text, text[]) to authenticated, service_role;

create or replace function private.dry_run_entry_mentions(entry jsonb, contact_id uuid, mentions text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(entry ->> 'contact_id' = contact_id::text, false)
    or exists (
      select 1
      from (
        select jsonb_path_query(entry, '$.display_name') as v
        union all select jsonb_path_query(entry, '$.identifiers[*]')
        union all select jsonb_path_query(entry, '$.value')
        union all select jsonb_path_query(entry, '$.changes.*.**')
        union all select jsonb_path_query(entry, '$.new_channels[*].identifier')
      ) as person_values
      where jsonb_typeof(person_values.v) = 'string' and private.mentions_whole(person_values.v #>> '{}', mentions)
    )
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

  with removed as (
    delete from public.contact_import_job_errors e
    where e.user_id = owner_id
      and private.mentions_whole(e.value_excerpt, mentions)
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
        where not private.dry_run_entry_mentions(e.entry, forget_contact_traces.contact_id, mentions)), '[]'::jsonb))
      from jsonb_each(j.dry_run_report) as part)
    where j.user_id = owner_id and j.dry_run_report is not null
      and exists (
        select 1 from jsonb_each(j.dry_run_report) as part, jsonb_array_elements(part.value) as e (entry)
        where private.dry_run_entry_mentions(e.entry, forget_contact_traces.contact_id, mentions))
    returning 1
  )
  select count(*) into reports_count from scrubbed;

  with removed as (
    delete from private.contact_import_dry_run_claims d
    where d.user_id = owner_id
      and (d.kind = 'contact' and d.value = forget_contact_traces.contact_id::text
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
