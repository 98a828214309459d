-- GDPR: export everything held about a data subject, erase it, or anonymize it. One place wipes
-- personal fields (private.anonymize_contacts) for GDPR requests and retention alike.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Agents never act on data subject requests; the owner (or the service) does.
create function private.forbid_agent_tokens(action text)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if private.current_agent_id() is not null then
    raise exception 'agent tokens cannot %', forbid_agent_tokens.action using errcode = '42501';
  end if;
end;
$$;
comment on function private.forbid_agent_tokens(text) is 'Raises insufficient_privilege when the request token is agent-scoped.';
revoke execute on function private.forbid_agent_tokens(text) from public;
grant execute on function private.forbid_agent_tokens(text) to authenticated, service_role;

-- Wipes every personal field of the given contacts and of their children, keeping rows (and so
-- aggregates). Channels hold nothing but personal identifiers, so they go. Legal holds are the
-- caller's business: this function is given the ids it may touch.
create function private.anonymize_contacts(contact_ids uuid[])
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  interactions_count bigint;
  channels_count bigint;
  contacts_count bigint;
begin
  with wiped as (
    update public.contact_interactions i
    set subject = null, content = null, summary = null, error_message = null, metadata = '{}'::jsonb
    where i.contact_id = any (anonymize_contacts.contact_ids)
    returning 1
  )
  select count(*) into interactions_count from wiped;

  with removed as (
    delete from public.contact_communication_channels ch
    where ch.contact_id = any (anonymize_contacts.contact_ids)
    returning 1
  )
  select count(*) into channels_count from removed;

  with wiped as (
    update public.contacts c
    set first_name = null, last_name = null, display_name = 'Anonymized contact', organization = null,
        job_title = null, metadata = '{}'::jsonb, tags = '{}', external_id = null, status = 'anonymized'
    where c.id = any (anonymize_contacts.contact_ids)
    returning 1
  )
  select count(*) into contacts_count from wiped;

  return jsonb_build_object(
    'contacts', contacts_count,
    'contact_communication_channels', channels_count,
    'contact_interactions', interactions_count);
end;
$$;
comment on function private.anonymize_contacts(uuid[]) is 'Wipes personal fields of contacts and their interactions and removes their channels; rows stay for aggregates.';
revoke execute on function private.anonymize_contacts(uuid[]) from public;
grant execute on function private.anonymize_contacts(uuid[]) to authenticated, service_role;

-- Removes what mentions a contact without referencing it: import error rows quoting its identifiers
-- or names, and access-log rows whose keyed query hash is the hash of one of them. Security
-- definer because owners cannot delete error rows or log rows (both are append-only for them); it
-- authorizes the caller itself (the contact's owner or the service, never an agent token).
create function private.forget_contact_traces(contact_id uuid)
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
revoke execute on function private.forget_contact_traces(uuid) from public;
grant execute on function private.forget_contact_traces(uuid) to authenticated, service_role;

create function public.export_contact_data_for_subject(contact_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  bundle jsonb;
begin
  perform private.forbid_agent_tokens('export personal data');
  select jsonb_build_object(
    'exported_at', now(),
    'contact_id', c.id,
    'contacts', jsonb_build_array(to_jsonb(c) - 'search_vector'),
    'contact_communication_channels', coalesce((
      select jsonb_agg(to_jsonb(ch) order by ch.created_at, ch.id)
      from public.contact_communication_channels ch where ch.contact_id = c.id and ch.user_id = c.user_id), '[]'::jsonb),
    'contact_group_memberships', coalesce((
      select jsonb_agg(to_jsonb(m) || jsonb_build_object('group_name', g.name) order by g.name)
      from public.contact_group_memberships m
      join public.contact_groups g on g.id = m.group_id and g.user_id = m.user_id
      where m.contact_id = c.id and m.user_id = c.user_id), '[]'::jsonb),
    'smart_groups', coalesce((
      select jsonb_agg(jsonb_build_object('group_id', g.id, 'group_name', g.name) order by g.name)
      from public.contact_groups g
      where g.user_id = c.user_id and g.group_type = 'smart' and private.contact_matches_criteria(c, g.criteria)), '[]'::jsonb),
    'agent_specific_contact_access', coalesce((
      select jsonb_agg(to_jsonb(s) || jsonb_build_object(
          'agent_name', a.name, 'permission_level', p.permission_level,
          'valid_from', p.valid_from, 'valid_until', p.valid_until) order by s.created_at, s.id)
      from public.agent_specific_contact_access s
      join public.agent_contact_permissions p on p.id = s.permission_id and p.user_id = s.user_id
      join public.agents a on a.id = s.agent_id and a.user_id = s.user_id
      where s.contact_id = c.id and s.user_id = c.user_id), '[]'::jsonb),
    'contact_interactions', coalesce((
      select jsonb_agg(to_jsonb(i) order by i.occurred_at, i.id)
      from public.contact_interactions i where i.contact_id = c.id and i.user_id = c.user_id), '[]'::jsonb))
  into bundle
  from public.contacts c
  where c.id = export_contact_data_for_subject.contact_id;

  if bundle is null then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  return bundle;
end;
$$;
comment on function public.export_contact_data_for_subject(uuid) is 'Subject access: every row about one contact, one key per table (plus its smart groups), under the caller''s RLS.';
revoke execute on function public.export_contact_data_for_subject(uuid) from public, anon;
grant execute on function public.export_contact_data_for_subject(uuid) to authenticated, service_role;

create function public.gdpr_delete_contact(contact_id uuid, mode text default 'erase')
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
revoke execute on function public.gdpr_delete_contact(uuid, text) from public, anon;
grant execute on function public.gdpr_delete_contact(uuid, text) to authenticated, service_role;
