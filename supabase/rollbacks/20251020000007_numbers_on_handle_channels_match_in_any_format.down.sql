-- Rollback of 20251020000007_numbers_on_handle_channels_match_in_any_format: a number on a Telegram
-- or other channel is its spelling again (data_subject_contact_ids of 20251020000005,
-- identifier_key_aliases of 20251020000006, is_suppressed and reject_suppressed_channels of
-- 20251003000003).
set lock_timeout = '5s';
set statement_timeout = '5min';

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
begin
  -- PL/pgSQL rather than SQL: its plans are re-made when the role changes within a transaction,
  -- so RLS is always the current caller's.
  if data_subject_contact_ids.contact_id is not null then
    select coalesce(array_agg(c.id), '{}'::uuid[]) into ids
    from public.contacts c
    where c.id = data_subject_contact_ids.contact_id and c.user_id = data_subject_contact_ids.owner_id;
  end if;
  if data_subject_contact_ids.identifier_key is not null then
    select coalesce(array_agg(distinct ch.contact_id order by ch.contact_id), '{}'::uuid[]) into ids
    from public.contact_communication_channels ch
    where ch.user_id = data_subject_contact_ids.owner_id
      and ch.channel_type = any (private.identifier_channel_types(kind))
      and ch.normalized_identifier = wanted
      and (data_subject_contact_ids.contact_id is null or ch.contact_id = any (ids));
  end if;
  return coalesce(ids, '{}'::uuid[]);
end;
$$;
comment on function private.data_subject_contact_ids(uuid, uuid, text) is 'Ids of the owner''s contacts named by id or holding the identifier key''s value on a channel of any type that can hold it, sorted (the lock order).';

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
       join public.contact_suppressions s on s.user_id = n.user_id and s.lifted_at is null
         and s.identifier_hmac = encode(extensions.hmac(convert_to(
           private.channel_identifier_key(n.channel_type, n.normalized_identifier), %L), k.hmac_key, %L), %L)
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
    select 1 from public.contact_suppressions s
    where s.user_id = is_suppressed.owner_id and s.lifted_at is null
      and s.identifier_hmac = encode(extensions.hmac(convert_to(
        private.channel_identifier_key(is_suppressed.channel_type, is_suppressed.normalized_identifier), 'UTF8'), secret, 'sha256'), 'hex'));
end;
$$;
comment on function private.is_suppressed(uuid, text, text) is 'True when the owner''s suppression list holds this identifier (channel type and normalized identifier) and it has not been lifted.';

create or replace function private.identifier_key_aliases(identifier_key text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  with k (kind, value) as (
    select split_part(identifier_key_aliases.identifier_key, ':', 1),
      substr(identifier_key_aliases.identifier_key, strpos(identifier_key_aliases.identifier_key, ':') + 1)
  )
  select array(
    select distinct private.channel_identifier_key(t.channel_type, k.value)
    from k
    cross join lateral unnest(case
      when k.kind = any (private.identifier_channel_types('email')) and public.is_valid_email(k.value)
        then private.identifier_channel_types('email')
      when k.kind = any (private.identifier_channel_types('phone')) and public.is_valid_e164_phone(k.value)
        then private.identifier_channel_types('phone')
      else array[k.kind]
    end) as t (channel_type)
    order by 1)
$$;
comment on function private.identifier_key_aliases(text) is 'The identifier keys a key stands for: an e-mail address or E.164 number under every channel type that can hold it; any other key, itself.';

drop function private.channel_identifier_keys(text, text);
drop function private.channel_phone_number(text, text);
