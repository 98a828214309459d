-- Erasure and anonymization of a data subject, verifiable: gdpr_delete_subject (gdpr-delete's
-- entry point) finds the owner's contacts by id or identifier, locks them in id order before
-- anything else, refuses contacts under legal hold, suppresses the subject's identifiers, removes
-- traces, erases (bulk deletes, table by table, every referencing table from the catalog) or
-- anonymizes, and returns the stored PII-free receipt. verify_subject_erasure answers "erased on
-- <date>" to whoever holds the identifier. Replaces gdpr_delete_contact of
-- 20250916000010_gdpr_functions with a wrapper over gdpr_delete_subject (same signature, same
-- answers, now with a stored receipt), and forget_contact_traces with a version that hashes the
-- subject's mentions in one batch.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Replaces forget_contact_traces of 20250916000010_gdpr_functions (same signature and answer): the
-- owner's key is read once for all the names and identifiers (private.owner_hmacs) instead of once
-- per mention, and only when the owner's access log holds anything. Security definer, as before:
-- owners cannot delete error rows or log rows; it authorizes the caller itself.
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
comment on function private.forget_contact_traces(uuid) is 'Deletes import error rows and access-log rows that mention a contact''s names or identifiers.';

create function public.gdpr_delete_subject(
  contact_id uuid default null,
  identifier text default null,
  mode text default 'erase',
  owner_id uuid default null,
  idempotency_key uuid default null
)
returns jsonb
language plpgsql
volatile
set search_path = ''
set lock_timeout = '10s'
as $$
declare
  owner constant uuid := private.data_subject_owner(gdpr_delete_subject.owner_id);
  request_id constant uuid := gen_random_uuid();
  identifier_key text;
  previous public.contact_subject_requests;
  ids uuid[];
  fresh uuid[];
  got uuid[];
  locked uuid[] := '{}'::uuid[];
  held boolean;
  rounds integer := 0;
  keys text[] := '{}'::text[];
  counts jsonb := '{}'::jsonb;
  statistics jsonb;
  keep_statistics boolean;
  removed bigint;
  subject_id uuid;
  child record;
begin
  if gdpr_delete_subject.mode is null or gdpr_delete_subject.mode not in ('erase', 'anonymize') then
    raise exception 'mode must be erase or anonymize' using errcode = '22023';
  end if;
  if (gdpr_delete_subject.contact_id is null) = (gdpr_delete_subject.identifier is null) then
    raise exception 'give either a contact id or an identifier' using errcode = '22023';
  end if;
  if gdpr_delete_subject.identifier is not null then
    identifier_key := private.subject_identifier_key(gdpr_delete_subject.identifier);
    keys := array[identifier_key];
  end if;

  -- The same idempotency key again: the same receipt, nothing done twice.
  if gdpr_delete_subject.idempotency_key is not null then
    select * into previous from public.contact_subject_requests r
    where r.user_id = owner and r.idempotency_key = gdpr_delete_subject.idempotency_key;
    if found then
      if previous.request_type <> gdpr_delete_subject.mode then
        raise exception 'this idempotency key belongs to another request' using errcode = '22023';
      end if;
      return private.subject_request_receipt(previous);
    end if;
  end if;

  -- Lock order, fixed for every writer: the subject's contacts first, in id order, then their
  -- children table by table. An identifier can gain a contact while we wait (an import
  -- committing), so the lookup is repeated until it finds nothing new.
  loop
    ids := private.data_subject_contact_ids(owner, gdpr_delete_subject.contact_id, identifier_key);
    fresh := array(select unnest(ids) except select unnest(locked));
    exit when cardinality(fresh) = 0 or rounds = 5;
    rounds := rounds + 1;
    select coalesce(array_agg(l.id order by l.id), '{}'), coalesce(bool_or(l.legal_hold), false) into got, held
    from (select c.id, c.legal_hold from public.contacts c
          where c.id = any (fresh) and c.user_id = owner order by c.id for update) as l;
    if held then
      raise exception 'contact is under legal hold and cannot be erased or anonymized'
        using errcode = '55000', hint = 'Lift the legal hold first.';
    end if;
    locked := locked || got;
  end loop;

  if cardinality(locked) = 0 then
    -- Nothing (left) to do: a repeat of an earlier request answers with that request's receipt.
    select * into previous from public.contact_subject_requests r
    where r.user_id = owner and r.request_type = gdpr_delete_subject.mode
      and case when gdpr_delete_subject.contact_id is not null then r.contact_ids @> array[gdpr_delete_subject.contact_id]
               else r.identifier_hmacs @> array[private.owner_hmac(owner, identifier_key)] end
    order by r.created_at desc
    limit 1;
    if found then
      return private.subject_request_receipt(previous);
    end if;
    raise exception 'contact not found' using errcode = 'P0002';
  end if;

  if gdpr_delete_subject.mode = 'anonymize'
     and not exists (select 1 from public.contacts c where c.id = any (locked) and c.status <> 'anonymized') then
    select * into previous from public.contact_subject_requests r
    where r.user_id = owner and r.request_type = 'anonymize' and r.contact_ids @> locked
    order by r.created_at desc
    limit 1;
    if found then
      return private.subject_request_receipt(previous);
    end if;
  end if;

  -- Suppress every identifier of the subject: from now on no insert path recreates them.
  select keys || coalesce(array_agg(distinct private.channel_identifier_key(ch.channel_type, ch.normalized_identifier)), '{}')
  into keys
  from public.contact_communication_channels ch
  where ch.contact_id = any (locked) and ch.user_id = owner;
  perform private.suppress_identifiers(owner, keys, request_id);

  -- Traces first: they are found through the names and channels about to go.
  foreach subject_id in array locked loop
    counts := case when cardinality(locked) = 1 then private.forget_contact_traces(subject_id)
                   else private.sum_counts(counts, private.forget_contact_traces(subject_id)) end;
  end loop;

  if gdpr_delete_subject.mode = 'anonymize' then
    counts := private.sum_counts(counts, private.anonymize_contacts(locked));
  else
    select s.keep_interaction_statistics into keep_statistics from public.contact_privacy_settings s where s.user_id = owner;
    if coalesce(keep_statistics, false) then
      with removed_rows as (
        delete from public.contact_interactions i where i.contact_id = any (locked) and i.user_id = owner
        returning i.occurred_at, i.channel_type, i.interaction_type, i.direction, i.delivery_status
      ), buckets as (
        select date_trunc('month', r.occurred_at)::date as period_start, r.channel_type, r.interaction_type, r.direction,
          r.delivery_status, count(*) as interaction_count
        from removed_rows r group by 1, 2, 3, 4, 5
      )
      select coalesce(sum(b.interaction_count), 0), jsonb_agg(to_jsonb(b)) into removed, statistics from buckets b;
    else
      with removed_rows as (
        delete from public.contact_interactions i where i.contact_id = any (locked) and i.user_id = owner returning 1
      )
      select count(*) into removed from removed_rows;
    end if;
    counts := counts || jsonb_build_object('contact_interactions', removed);

    with removed_rows as (
      delete from public.contact_communication_channels ch where ch.contact_id = any (locked) and ch.user_id = owner returning 1
    )
    select count(*) into removed from removed_rows;
    counts := counts || jsonb_build_object('contact_communication_channels', removed);

    with removed_rows as (
      delete from public.contact_group_memberships m where m.contact_id = any (locked) and m.user_id = owner returning 1
    )
    select count(*) into removed from removed_rows;
    counts := counts || jsonb_build_object('contact_group_memberships', removed);

    with removed_rows as (
      delete from public.agent_specific_contact_access s where s.contact_id = any (locked) and s.user_id = owner returning 1
    )
    select count(*) into removed from removed_rows;
    counts := counts || jsonb_build_object('agent_specific_contact_access', removed);

    -- Every other table that references these contacts (found in the catalog): counted here and
    -- removed by the cascade of the contacts' deletion below (such tables may be append-only for
    -- owners); a reference that does not cascade is deleted here.
    for child in select * from private.contact_reference_columns() loop
      execute format(case when child.cascades then 'select count(*) from public.%I t where t.%I = any ($1)%s'
          else 'with removed_rows as (delete from public.%I t where t.%I = any ($1)%s returning 1) select count(*) from removed_rows' end,
        child.table_name, child.column_name, case when child.has_user_id then ' and t.user_id = $2' else '' end)
        into removed using locked, owner;
      counts := counts || jsonb_build_object(child.table_name, coalesce((counts ->> child.table_name)::bigint, 0) + removed);
    end loop;

    with removed_rows as (
      delete from public.contacts c where c.id = any (locked) and c.user_id = owner returning 1
    )
    select count(*) into removed from removed_rows;
    counts := counts || jsonb_build_object('contacts', removed);
  end if;

  return private.record_subject_request(
    request_id, owner, gdpr_delete_subject.mode, locked, keys, counts, gdpr_delete_subject.idempotency_key, statistics);
end;
$$;
comment on function public.gdpr_delete_subject(uuid, text, text, uuid, uuid) is 'Erases (default) or anonymizes every contact of the owner named by id or carrying the identifier, in one transaction; suppresses the subject''s identifiers; returns the stored PII-free receipt (the same one for a repeat). Refuses contacts under legal hold.';
revoke execute on function public.gdpr_delete_subject(uuid, text, text, uuid, uuid) from public, anon;
grant execute on function public.gdpr_delete_subject(uuid, text, text, uuid, uuid) to authenticated, service_role;

create or replace function public.gdpr_delete_contact(contact_id uuid, mode text default 'erase')
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  target public.contacts;
begin
  perform private.forbid_agent_tokens('delete personal data');
  if gdpr_delete_contact.mode is null or gdpr_delete_contact.mode not in ('erase', 'anonymize') then
    raise exception 'mode must be erase or anonymize' using errcode = '22023';
  end if;
  select * into target from public.contacts c where c.id = gdpr_delete_contact.contact_id;
  if not found then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  return public.gdpr_delete_subject(contact_id => target.id, mode => gdpr_delete_contact.mode, owner_id => target.user_id)
    || jsonb_build_object('contact_id', target.id);
end;
$$;
comment on function public.gdpr_delete_contact(uuid, text) is 'Erases a contact and everything about it (mode erase) or wipes its personal fields (mode anonymize), in one transaction, through gdpr_delete_subject; refuses contacts under legal hold.';

-- Receipt verification: with the identifier in hand, whether (and when) the owner erased or
-- anonymized its subject. The identifier is hashed with the owner's key and compared with the
-- stored hashes; nothing is kept.
create function public.verify_subject_erasure(identifier text, owner_id uuid default null)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  owner constant uuid := private.data_subject_owner(verify_subject_erasure.owner_id);
  identifier_key constant text := private.subject_identifier_key(verify_subject_erasure.identifier);
  receipts jsonb;
  erased_on date;
begin
  select jsonb_agg(jsonb_build_object('request_id', r.id, 'mode', r.request_type, 'processed_at', r.created_at)
           order by r.created_at),
    max(r.created_at)::date
  into receipts, erased_on
  from public.contact_subject_requests r
  where r.user_id = owner and r.request_type in ('erase', 'anonymize')
    and r.identifier_hmacs @> array[private.owner_hmac(owner, identifier_key)];
  return jsonb_build_object(
    'identifier_type', split_part(identifier_key, ':', 1),
    'erased', receipts is not null,
    'erased_on', erased_on,
    'message', case when receipts is null then 'no erasure recorded for this identifier'
                    else format('erased on %s', to_char(erased_on, 'YYYY-MM-DD')) end,
    'receipts', coalesce(receipts, '[]'::jsonb));
end;
$$;
comment on function public.verify_subject_erasure(text, uuid) is 'Whether the owner erased or anonymized the subject of this e-mail address or E.164 phone number, and when, from the keyed hashes of the receipts.';
revoke execute on function public.verify_subject_erasure(text, uuid) from public, anon;
grant execute on function public.verify_subject_erasure(text, uuid) to authenticated, service_role;
