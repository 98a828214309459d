-- Rolls back 20251003000007_verifiable_erasure: restores gdpr_delete_contact and
-- forget_contact_traces as 20250916000010_gdpr_functions defined them.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function public.verify_subject_erasure(text, uuid);

create or replace function public.gdpr_delete_contact(contact_id uuid, mode text default 'erase')
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  target public.contacts;
  counts jsonb;
begin
  perform private.forbid_agent_tokens('delete personal data');
  if gdpr_delete_contact.mode is null or gdpr_delete_contact.mode not in ('erase', 'anonymize') then
    raise exception 'mode must be erase or anonymize' using errcode = '22023';
  end if;
  -- Lock order, fixed for every writer: the contact first, then its children.
  select * into target from public.contacts c where c.id = gdpr_delete_contact.contact_id for update;
  if not found then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  if target.legal_hold then
    raise exception 'contact is under legal hold and cannot be erased or anonymized'
      using errcode = '55000', hint = 'Lift the legal hold first.';
  end if;

  -- Traces first: they are found through the channels and names about to be removed.
  counts := private.forget_contact_traces(target.id);
  if gdpr_delete_contact.mode = 'anonymize' then
    counts := counts || private.anonymize_contacts(array[target.id]);
  else
    with interactions as (
      delete from public.contact_interactions i where i.contact_id = target.id and i.user_id = target.user_id returning 1
    ), channels as (
      delete from public.contact_communication_channels ch where ch.contact_id = target.id and ch.user_id = target.user_id returning 1
    ), memberships as (
      delete from public.contact_group_memberships m where m.contact_id = target.id and m.user_id = target.user_id returning 1
    ), grants as (
      delete from public.agent_specific_contact_access s where s.contact_id = target.id and s.user_id = target.user_id returning 1
    )
    select counts || jsonb_build_object(
      'contact_interactions', (select count(*) from interactions),
      'contact_communication_channels', (select count(*) from channels),
      'contact_group_memberships', (select count(*) from memberships),
      'agent_specific_contact_access', (select count(*) from grants))
    into counts;
    delete from public.contacts c where c.id = target.id and c.user_id = target.user_id;
    counts := counts || jsonb_build_object('contacts', 1);
  end if;

  return jsonb_build_object('contact_id', target.id, 'mode', gdpr_delete_contact.mode, 'processed_at', now(), 'counts', counts);
end;
$$;
comment on function public.gdpr_delete_contact(uuid, text) is 'Erases a contact and everything about it (mode erase) or wipes its personal fields (mode anonymize), in one transaction; refuses contacts under legal hold.';

drop function public.gdpr_delete_subject(uuid, text, text, uuid, uuid);

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
  errors_count bigint;
  searches_count bigint;
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

  with removed as (
    delete from public.agent_contact_access_log l
    where l.user_id = owner_id
      and l.query_hmac in (select private.owner_hmac(owner_id, x.m) from unnest(mentions) as x (m))
    returning 1
  )
  select count(*) into searches_count from removed;

  return jsonb_build_object('contact_import_job_errors', errors_count, 'agent_contact_access_log', searches_count);
end;
$$;
comment on function private.forget_contact_traces(uuid) is 'Deletes import error rows and access-log rows that mention a contact''s names or identifiers.';

