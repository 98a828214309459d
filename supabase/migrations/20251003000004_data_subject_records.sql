-- Writing down a data subject request: the request row (the receipt of an erasure), the
-- suppression of the subject's identifiers, and the interaction statistics an owner chose to keep.
-- These tables are append-only evidence for their owners, so one security-definer helper writes
-- them, after authorizing its caller itself.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The receipt of a request as callers see it: ids, time, actor, counts per table and the keyed
-- hashes of the identifiers; no personal data.
create function private.subject_request_receipt(request public.contact_subject_requests)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'request_id', request.id,
    'mode', request.request_type,
    'processed_at', request.created_at,
    'actor', jsonb_build_object('role', request.actor_role, 'user_id', request.actor_user_id),
    'contact_ids', to_jsonb(request.contact_ids),
    'counts', request.counts,
    'identifier_hashes', to_jsonb(request.identifier_hmacs))
$$;
comment on function private.subject_request_receipt(public.contact_subject_requests) is 'The PII-free receipt of a data subject request, as returned to callers.';
revoke execute on function private.subject_request_receipt(public.contact_subject_requests) from public;
grant execute on function private.subject_request_receipt(public.contact_subject_requests) to authenticated, service_role;

-- Security definer: callers never read the keys, only get hashes (as private.owner_hmac, of which
-- this is the batch form: the key is read once, not once per value). Creates the owner's key on
-- first use. The same HMAC as owner_hmac, so hashes from either compare equal.
create function private.owner_hmacs(owner_id uuid, input_values text[])
returns text[]
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  secret bytea;
begin
  insert into private.owner_keys (user_id) values (owner_hmacs.owner_id) on conflict (user_id) do nothing;
  select k.hmac_key into strict secret from private.owner_keys k where k.user_id = owner_hmacs.owner_id;
  return array(
    select encode(extensions.hmac(convert_to(v.value, 'UTF8'), secret, 'sha256'), 'hex')
    from unnest(owner_hmacs.input_values) with ordinality as v (value, position)
    order by v.position);
end;
$$;
comment on function private.owner_hmacs(uuid, text[]) is 'HMAC-SHA-256 (hex) of each value under the owner''s secret key, in input order (the batch form of private.owner_hmac).';
revoke execute on function private.owner_hmacs(uuid, text[]) from public;
grant execute on function private.owner_hmacs(uuid, text[]) to authenticated, service_role;

-- Security definer: owners cannot write their suppression list (it is evidence, and the HMAC key
-- is never theirs to read). Authorizes the caller: the owner or the service, never an agent token.
-- Also used by retention (issue 7) when a policy suppresses the identifiers of erased contacts.
create function private.suppress_identifiers(owner_id uuid, identifier_keys text[], request_id uuid default null)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  added integer;
begin
  if private.current_agent_id() is not null
     or not (private.is_service_caller() or suppress_identifiers.owner_id = (select auth.uid())) then
    raise exception 'only the owner or the service can suppress identifiers' using errcode = '42501';
  end if;
  with keys as (
    select array_agg(distinct x) as list from unnest(suppress_identifiers.identifier_keys) as k (x) where x is not null
  )
  insert into public.contact_suppressions (user_id, identifier_type, identifier_hmac, request_id)
  select suppress_identifiers.owner_id, split_part(h.key, ':', 1), h.hmac, suppress_identifiers.request_id
  from keys, unnest(keys.list, private.owner_hmacs(suppress_identifiers.owner_id, keys.list)) as h (key, hmac)
  where keys.list is not null
  order by h.hmac
  on conflict (user_id, identifier_hmac) where lifted_at is null do nothing;
  get diagnostics added = row_count;
  return added;
end;
$$;
comment on function private.suppress_identifiers(uuid, text[], uuid) is 'Adds identifier keys (email:..., phone:+...) to the owner''s suppression list as keyed hashes; returns how many were new.';
revoke execute on function private.suppress_identifiers(uuid, text[], uuid) from public;
grant execute on function private.suppress_identifiers(uuid, text[], uuid) to authenticated, service_role;

-- Security definer: the request log, the statistics and the audit trail are written by the GDPR
-- functions only. Authorizes the caller like suppress_identifiers. Identifier keys arrive in plain text and leave
-- as keyed hashes; statistics (a JSON array of buckets) are added only when the owner chose to
-- keep them.
create function private.record_subject_request(
  request_id uuid,
  owner_id uuid,
  request_type text,
  contact_ids uuid[],
  identifier_keys text[],
  counts jsonb,
  idempotency_key uuid default null,
  interaction_statistics jsonb default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  request public.contact_subject_requests;
begin
  if private.current_agent_id() is not null
     or not (private.is_service_caller() or record_subject_request.owner_id = (select auth.uid())) then
    raise exception 'only the owner or the service can record a data subject request' using errcode = '42501';
  end if;

  insert into public.contact_subject_requests
    (id, user_id, request_type, idempotency_key, contact_ids, identifier_hmacs, counts, actor_user_id, actor_role)
  values (
    record_subject_request.request_id, record_subject_request.owner_id, record_subject_request.request_type,
    record_subject_request.idempotency_key, record_subject_request.contact_ids,
    array(select distinct h from unnest(private.owner_hmacs(record_subject_request.owner_id, array(
            select k from unnest(record_subject_request.identifier_keys) as keys (k) where k is not null))) as hashes (h) order by 1),
    record_subject_request.counts,
    (select auth.uid()),
    case when private.is_service_caller() then 'service' else 'owner' end)
  returning * into request;

  if record_subject_request.interaction_statistics is not null and exists (
    select 1 from public.contact_privacy_settings s
    where s.user_id = record_subject_request.owner_id and s.keep_interaction_statistics
  ) then
    insert into public.contact_interaction_statistics as st
      (user_id, period_start, channel_type, interaction_type, direction, delivery_status, interaction_count)
    select record_subject_request.owner_id, (b ->> 'period_start')::date, b ->> 'channel_type', b ->> 'interaction_type',
      b ->> 'direction', b ->> 'delivery_status', (b ->> 'interaction_count')::bigint
    from jsonb_array_elements(record_subject_request.interaction_statistics) as buckets (b)
    on conflict (user_id, period_start, channel_type, interaction_type, direction, delivery_status)
    do update set interaction_count = st.interaction_count + excluded.interaction_count;
  end if;

  -- The audit trail (contact_audit_log) gets one entry per contact: the insertion of this request
  -- row, with the actor; the row it names holds the counts.
  insert into public.contact_audit_log
    (user_id, contact_id, table_name, row_id, action, changed_columns, actor_user_id, actor_agent_id, actor_role)
  select request.user_id, c.id, 'contact_subject_requests', request.id, 'insert',
    array(select x from unnest(array['actor_role', 'contact_ids', 'counts', 'created_at', 'id', 'request_type', 'user_id',
            case when cardinality(request.identifier_hmacs) > 0 then 'identifier_hmacs' end,
            case when request.idempotency_key is not null then 'idempotency_key' end,
            case when request.actor_user_id is not null then 'actor_user_id' end]) as cols (x)
          where x is not null order by x),
    request.actor_user_id, null,
    coalesce((select auth.jwt()) ->> 'role', nullif(current_setting('role'), 'none'), session_user)
  from unnest(request.contact_ids) as c (id);

  return private.subject_request_receipt(request);
end;
$$;
comment on function private.record_subject_request(uuid, uuid, text, uuid[], text[], jsonb, uuid, jsonb) is 'Appends a data subject request (the receipt of an erasure) with one audit entry per contact and, when the owner keeps them, the statistics of erased interactions; returns the receipt.';
revoke execute on function private.record_subject_request(uuid, uuid, text, uuid[], text[], jsonb, uuid, jsonb) from public;
grant execute on function private.record_subject_request(uuid, uuid, text, uuid[], text[], jsonb, uuid, jsonb) to authenticated, service_role;
