-- Suppressions stored before 20251020000069 for a number written with its trunk zero in
-- parentheses, "+44 (0)20 7946 0020", hold only the keys of the form SQL gave it then,
-- +4402079460020. Since 69 the same number in any spelling ("+44 (0)20 7946 0020",
-- "+44 20 7946 0020", "+442079460020") is +442079460020, whose keys do not meet those hashes: an
-- erased number could come back by owner, agent, import or service. Now the two checks that refuse
-- a suppressed identifier, the channel trigger private.reject_suppressed_channels and
-- private.is_suppressed (the import's check per row), also probe the key of a number's pre-69
-- spelling, through private.channel_refusal_keys:
--   * which numbers: +CC<rest> where <rest> starts with 1-9 (the national number as 69 leaves it),
--     its old spelling +CC0<rest>, and CC any country code for which 69 drops the "(0)" (all but
--     +39, +378, +225, +229, +241 and +242, where 69 changes nothing, so no old spelling exists).
--     CC is the number's real country code: E.164 codes are prefix-free (+1 and +7 alone, the
--     2-digit codes listed below, 3 digits for every other prefix), and 69 read the digits before
--     "(0)" as the code. A 0 put after another count of digits (+4042..., Romania, for +4420...)
--     would be a different country's number, never an old spelling of this one; not probed.
--     Only when the old spelling is a valid number too (at most 15 digits): one that was not could
--     not have been stored.
--   * false positives: as libphonenumber reads numbers, only the six plans 69 leaves alone keep a
--     0 after the country code; elsewhere that 0 is the trunk prefix ("020"), so +CC0<rest> can
--     only be this number spelt with it, as "(0)" or as "+44 020 ...". Those six are not probed:
--     an erased +390612345678 (Rome) does not refuse +39612345678. Were some other plan to hold
--     such a number after all, the cost is a refusal, never a lift or a disclosure.
--   * cost: one more key per number in the channel's probe of the suppressions index (= any of
--     the channel's hashed keys, one probe per channel rather than one per key): 2,000 phone
--     channels of an owner with suppressions took 180 ms before, 193 ms now (median of 5). Nothing
--     changes for an owner without active suppressions, nor for e-mails and non-number handles.
--   * not changed: private.channel_identifier_keys (also the keys an erasure stores and puts in its
--     receipt), private.identifier_key_aliases (lifting), the keys of search logs and withdrawals.
--     So such an old suppression is lifted only by the old spelling, "+4402079460020", as the 69
--     README says; lifting "+44 20 7946 0020" answers that none is active. Channels that came back
--     before this migration stay (updates that keep their number are not checked): the owner decides.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The keys a new channel is refused under: immutable, no table read, so no definer rights.
create function private.channel_refusal_keys(channel_type text, normalized_identifier text)
returns text[]
language plpgsql
immutable
strict
set search_path = ''
as $$
declare
  keys constant text[] := private.channel_identifier_keys(channel_refusal_keys.channel_type, channel_refusal_keys.normalized_identifier);
  phone text;
  cc integer;
begin
  phone := case
    when channel_refusal_keys.channel_type in ('phone', 'sms', 'whatsapp') then channel_refusal_keys.normalized_identifier
    when channel_refusal_keys.channel_type in ('telegram', 'other')
      then private.channel_phone_number(channel_refusal_keys.channel_type, channel_refusal_keys.normalized_identifier)
  end;
  -- The old spelling has one digit more and must be a valid number: 7 to 14 digits here.
  if phone is null or phone !~ '^\+[1-9][0-9]{6,13}$' or phone ~ '^\+(39|378|225|229|241|242)' then
    return keys;
  end if;
  -- The country code's length (ITU-T E.164 assignments; unassigned prefixes count as 3 digits).
  cc := case
    when left(phone, 2) in ('+1', '+7') then 1
    when substr(phone, 2, 2) = any ('{20,27,30,31,32,33,34,36,39,40,41,43,44,45,46,47,48,49,51,52,53,54,55,56,57,58,
                                      60,61,62,63,64,65,66,81,82,84,86,90,91,92,93,94,95,98}'::text[]) then 2
    else 3
  end;
  -- A national number starting with 0 had no "(0)" dropped by 69.
  if substr(phone, cc + 2, 1) = '0' then
    return keys;
  end if;
  return keys || private.channel_identifier_key(channel_refusal_keys.channel_type,
    left(phone, cc + 1) || '0' || substr(phone, cc + 2));
end;
$$;
comment on function private.channel_refusal_keys(text, text) is 'The identifier keys a channel is refused under: private.channel_identifier_keys and, for a number whose trunk zero 20251020000069 drops, the key of its spelling before (+4402079460020 for +442079460020), which suppressions stored before hold.';
revoke execute on function private.channel_refusal_keys(text, text) from public;
grant execute on function private.channel_refusal_keys(text, text) to authenticated, service_role;

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
  -- As the channel trigger refuses: a number's pre-69 spelling too (20251020000074).
  return exists (
    select 1
    from unnest(private.channel_refusal_keys(is_suppressed.channel_type, is_suppressed.normalized_identifier)) as key (value)
    join public.contact_suppressions s on s.user_id = is_suppressed.owner_id and s.lifted_at is null
      and s.identifier_hmac = encode(extensions.hmac(convert_to(key.value, 'UTF8'), secret, 'sha256'), 'hex'));
end;
$$;
comment on function private.is_suppressed(uuid, text, text) is 'True when the owner''s suppression list holds this identifier (channel type and normalized identifier, a number in any spelling, before 20251020000069 with its trunk zero too) and it has not been lifted; for the owner or the service, never an agent token.';

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
  -- One probe per channel for all of its keys, a number's pre-69 spelling among them
  -- (20251020000074), each hashed once.
  execute format(
    'select exists (
       select 1
       from new_rows n
       join private.owner_keys k on k.user_id = n.user_id
       cross join lateral (select 1 from public.contact_suppressions s
                           where s.user_id = n.user_id and s.lifted_at is null
                             and s.identifier_hmac = any (array(
                               select encode(extensions.hmac(convert_to(key.value, %L), k.hmac_key, %L), %L)
                               from unnest(private.channel_refusal_keys(n.channel_type, n.normalized_identifier)) as key (value)))
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
