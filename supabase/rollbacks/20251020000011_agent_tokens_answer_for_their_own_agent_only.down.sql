-- Rollback of 20251020000011_agent_tokens_answer_for_their_own_agent_only: is_suppressed as
-- 20251020000007 left it, record_agent_search as 20250916000009 made it.
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
comment on function private.is_suppressed(uuid, text, text) is 'True when the owner''s suppression list holds this identifier (channel type and normalized identifier, a number in any spelling) and it has not been lifted.';

create or replace function private.record_agent_search(agent_id uuid, needle text, result_count integer)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  insert into public.agent_contact_access_log (user_id, agent_id, caller, query_hmac, result_count)
  select a.user_id, a.id,
    case when private.current_agent_id() is not null then 'agent'
         when private.is_service_caller() then 'service' else 'owner' end,
    private.owner_hmac(a.user_id, record_agent_search.needle),
    record_agent_search.result_count
  from public.agents a
  where a.id = record_agent_search.agent_id
    and (private.is_service_caller() or a.user_id = (select auth.uid()))
$$;
comment on function private.record_agent_search(uuid, text, integer) is 'Appends a PII-free row to the agent access log.';
