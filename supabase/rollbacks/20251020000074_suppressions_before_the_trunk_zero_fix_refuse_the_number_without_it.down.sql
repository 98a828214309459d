-- Rollback of 20251020000074: private.is_suppressed as 20251020000011 defined it and
-- private.reject_suppressed_channels as 20251020000066 did, both probing
-- private.channel_identifier_keys only; private.channel_refusal_keys goes.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.is_suppressed(owner_id uuid, channel_type text, normalized_identifier text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  secret bytea;
begin
  if not (private.is_service_caller() or is_suppressed.owner_id = (select auth.uid())) then
    raise exception 'permission denied for the suppression list of another owner' using errcode = '42501';
  end if;
  -- Agents act for the owner but may not learn who was erased (nor may they read the list).
  if private.current_agent_id() is not null then
    raise exception 'agent tokens cannot read the suppression list' using errcode = '42501';
  end if;
  if is_suppressed.owner_id is null or is_suppressed.normalized_identifier is null
     or not exists (select 1 from public.contact_suppressions s where s.user_id = is_suppressed.owner_id and s.lifted_at is null) then
    return false;
  end if;
  select k.hmac_key into secret from private.owner_keys k where k.user_id = is_suppressed.owner_id;
  return exists (
    select 1
    from unnest(private.channel_identifier_keys(is_suppressed.channel_type, is_suppressed.normalized_identifier)) as key (value)
    join public.contact_suppressions s on s.user_id = is_suppressed.owner_id and s.lifted_at is null
      and s.identifier_hmac = encode(extensions.hmac(convert_to(key.value, 'UTF8'), secret, 'sha256'), 'hex'));
end;
$$;
comment on function private.is_suppressed(uuid, text, text) is 'True when the owner''s suppression list holds this identifier (channel type and normalized identifier, a number in any spelling) and it has not been lifted; for the owner or the service, never an agent token.';

create or replace function private.reject_suppressed_channels()
returns trigger
language plpgsql
security definer
set search_path = ''
set enable_seqscan = off
as $$
declare
  offending boolean;
begin
  -- One probe per owner of the statement (20251020000066).
  execute format('select exists (select 1 from (select distinct n.user_id from %I n) o
                                 cross join lateral (select 1 from public.contact_suppressions s
                                                     where s.user_id = o.user_id and s.lifted_at is null limit 1) s)', 'new_rows')
    into offending;
  if not offending then
    return null;
  end if;
  -- One probe per key of each channel, its hash computed once.
  execute format(
    'select exists (
       select 1
       from new_rows n
       join private.owner_keys k on k.user_id = n.user_id
       cross join lateral unnest(private.channel_identifier_keys(n.channel_type, n.normalized_identifier)) as key (value)
       cross join lateral (select 1 from public.contact_suppressions s
                           where s.user_id = n.user_id and s.lifted_at is null
                             and s.identifier_hmac = encode(extensions.hmac(convert_to(key.value, %L), k.hmac_key, %L), %L)
                           limit 1) s
       %s)',
    'UTF8', 'sha256', 'hex',
    case when tg_op = 'UPDATE' then
      'where not exists (select 1 from old_rows o where o.id = n.id and o.channel_type = n.channel_type
                          and o.normalized_identifier = n.normalized_identifier)'
    else '' end)
    into offending;
  if offending then
    raise exception 'this identifier was erased at the data subject''s request and is suppressed'
      using errcode = '23514', constraint = 'contact_suppressions_active_key',
            hint = 'The owner can lift the suppression with public.lift_contact_suppression.';
  end if;
  return null;
end;
$$;

drop function private.channel_refusal_keys(text, text);
