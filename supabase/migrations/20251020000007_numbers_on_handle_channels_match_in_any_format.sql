-- A Telegram or other channel keeps its identifier as given, lower-cased and trimmed: a number on it
-- stays "+1 415 555 0100". A data subject's request by that number (always E.164) missed it, so the
-- export left the contact out and the erasure kept it; the erasure of a contact holding it
-- suppressed that spelling only, so "+1-415-555-0100" could come back. An international number on
-- such a channel (+ or 00, digits and separators: the tel: key duplicate matching already gives it,
-- private.channel_match_key) is now the same identifier as the number in E.164:
--   * requests by a number find it, through the match-key index duplicate finding uses;
--   * its erasure suppresses the number under every type that can hold it, as an erasure by the
--     number does (20251020000006), so one lift by the number lifts it all;
--   * the suppression checks refuse it in any spelling. They also test the channel's own key, so an
--     entry made before from the spelling alone keeps refusing that spelling.
-- Handles that are not such numbers (user names, numeric ids, -100... group ids) are unchanged.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The E.164 number a channel's identifier holds: the identifier itself on phone, SMS and WhatsApp
-- channels; on the other types that can hold a number, an international number in any spelling.
create function private.channel_phone_number(channel_type text, normalized_identifier text)
returns text
language sql
immutable
strict
set search_path = ''
as $$
  select substr(m.key, 5)
  from (select private.channel_match_key(channel_phone_number.channel_type, channel_phone_number.normalized_identifier) as key) as m
  where channel_phone_number.channel_type = any (private.identifier_channel_types('phone'))
    and m.key like 'tel:%'
$$;
comment on function private.channel_phone_number(text, text) is 'The E.164 number a channel holds: a phone, SMS or WhatsApp identifier, or an international number in any spelling on a Telegram or other channel; null otherwise.';
revoke execute on function private.channel_phone_number(text, text) from public;
grant execute on function private.channel_phone_number(text, text) to authenticated, service_role;

-- The keys a channel's identifier is checked against the suppression list under: its own, and for
-- a number spelled otherwise on a handle type, the number's under that type.
create function private.channel_identifier_keys(channel_type text, normalized_identifier text)
returns text[]
language sql
immutable
strict
set search_path = ''
as $$
  select array(
    select distinct private.channel_identifier_key(channel_identifier_keys.channel_type, v.value)
    from unnest(array[channel_identifier_keys.normalized_identifier,
      private.channel_phone_number(channel_identifier_keys.channel_type, channel_identifier_keys.normalized_identifier)]) as v (value)
    where v.value is not null
    order by 1)
$$;
comment on function private.channel_identifier_keys(text, text) is 'The identifier keys a channel is checked against the suppression list under: its own and, for a number spelled otherwise on a Telegram or other channel, the E.164 number''s.';
revoke execute on function private.channel_identifier_keys(text, text) from public;
grant execute on function private.channel_identifier_keys(text, text) to authenticated, service_role;

create or replace function private.identifier_key_aliases(identifier_key text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  with k (kind, value) as (
    select split_part(identifier_key_aliases.identifier_key, ':', 1),
      substr(identifier_key_aliases.identifier_key, strpos(identifier_key_aliases.identifier_key, ':') + 1)
  ), p (kind, value, phone) as (
    select k.kind, k.value, private.channel_phone_number(k.kind, k.value) from k
  )
  select array(
    select distinct private.channel_identifier_key(t.channel_type, coalesce(p.phone, p.value))
    from p
    cross join lateral unnest(case
      when p.kind = any (private.identifier_channel_types('email')) and public.is_valid_email(p.value)
        then private.identifier_channel_types('email')
      when public.is_valid_e164_phone(p.phone)
        then private.identifier_channel_types('phone')
      else array[p.kind]
    end) as t (channel_type)
    order by 1)
$$;
comment on function private.identifier_key_aliases(text) is 'The identifier keys a key stands for: an e-mail address or a number (in E.164, whatever its spelling on a Telegram or other channel) under every channel type that can hold it; any other key, itself.';

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

create or replace function private.reject_suppressed_channels()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  offending boolean;
begin
  execute format('select exists (select 1 from public.contact_suppressions s where s.lifted_at is null
                                 and s.user_id in (select n.user_id from %I n))', 'new_rows')
    into offending;
  if not offending then
    return null;
  end if;
  execute format(
    'select exists (
       select 1
       from new_rows n
       join private.owner_keys k on k.user_id = n.user_id
       cross join lateral unnest(private.channel_identifier_keys(n.channel_type, n.normalized_identifier)) as key (value)
       join public.contact_suppressions s on s.user_id = n.user_id and s.lifted_at is null
         and s.identifier_hmac = encode(extensions.hmac(convert_to(key.value, %L), k.hmac_key, %L), %L)
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

create or replace function private.data_subject_contact_ids(owner_id uuid, contact_id uuid, identifier_key text)
returns uuid[]
language plpgsql
stable
set search_path = ''
as $$
declare
  kind constant text := split_part(data_subject_contact_ids.identifier_key, ':', 1);
  wanted constant text := substr(data_subject_contact_ids.identifier_key, strpos(data_subject_contact_ids.identifier_key, ':') + 1);
  ids uuid[];
  found_ids uuid[];
begin
  -- PL/pgSQL rather than SQL: its plans are re-made when the role changes within a transaction,
  -- so RLS is always the current caller's.
  if data_subject_contact_ids.contact_id is not null then
    select coalesce(array_agg(c.id), '{}'::uuid[]) into ids
    from public.contacts c
    where c.id = data_subject_contact_ids.contact_id and c.user_id = data_subject_contact_ids.owner_id;
  end if;
  if data_subject_contact_ids.identifier_key is null then
    return coalesce(ids, '{}'::uuid[]);
  end if;
  if kind = 'phone' then
    -- Every channel holding the number, in whatever spelling: the tel: match key, indexed.
    select coalesce(array_agg(distinct ch.contact_id order by ch.contact_id), '{}'::uuid[]) into found_ids
    from public.contact_communication_channels ch
    where ch.user_id = data_subject_contact_ids.owner_id
      and private.channel_match_key(ch.channel_type, ch.normalized_identifier) = 'tel:' || wanted
      and ch.channel_type = any (private.identifier_channel_types(kind));
  else
    select coalesce(array_agg(distinct ch.contact_id order by ch.contact_id), '{}'::uuid[]) into found_ids
    from public.contact_communication_channels ch
    where ch.user_id = data_subject_contact_ids.owner_id
      and ch.channel_type = any (private.identifier_channel_types(kind))
      and ch.normalized_identifier = wanted;
  end if;
  return case when data_subject_contact_ids.contact_id is null then found_ids
              else array(select unnest(ids) intersect select unnest(found_ids) order by 1) end;
end;
$$;
comment on function private.data_subject_contact_ids(uuid, uuid, text) is 'Ids of the owner''s contacts named by id or holding the identifier key''s value on a channel of any type that can hold it (a number in any spelling), sorted (the lock order).';
