-- Rollback of 20251018000004_erasure_forgets_the_subject_in_dry_runs: erasure leaves dry-run
-- reports and claims as they are (forget_contact_traces of 20251003000007).
set lock_timeout = '5s';
set statement_timeout = '5min';

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
      and exists (select 1 from unnest(mentions) as x (m) where strpos(lower(e.value_excerpt), x.m) > 0)
    returning 1
  )
  select count(*) into errors_count from removed;

  if exists (select 1 from public.agent_contact_access_log l where l.user_id = owner_id) then
    with removed as (
      delete from public.agent_contact_access_log l
      where l.user_id = owner_id and l.query_hmac = any (private.owner_hmacs(owner_id, mentions))
      returning 1
    )
    select count(*) into searches_count from removed;
  end if;

  return jsonb_build_object('contact_import_job_errors', errors_count, 'agent_contact_access_log', searches_count);
end;
$$;

drop function private.dry_run_entry_mentions(jsonb, uuid, text[]);
