-- Helpers shared by the data subject requests (export, erase, anonymize, verify, lift): who the
-- request is for, how an identifier is written down for matching and hashing, and which of the
-- owner's contacts an identifier designates.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The owner a request acts for. Owners act for themselves (an owner_id naming someone else finds
-- nothing); the service (secret key, no RLS) must name the owner, and every statement then scopes
-- itself by it. Agent tokens never act on data subject requests.
create function private.data_subject_owner(owner_id uuid)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
begin
  if private.current_agent_id() is not null then
    raise exception 'agent tokens cannot act on data subject requests' using errcode = '42501';
  end if;
  if private.is_service_caller() then
    if data_subject_owner.owner_id is null then
      raise exception 'the service must name the owner of a data subject request (owner_id)' using errcode = '22023';
    end if;
    return data_subject_owner.owner_id;
  end if;
  if caller is null then
    raise exception 'data subject requests need a signed-in owner' using errcode = '42501';
  end if;
  if data_subject_owner.owner_id is not null and data_subject_owner.owner_id <> caller then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  return caller;
end;
$$;
comment on function private.data_subject_owner(uuid) is 'The owner a data subject request acts for: the caller, or the owner the service names; refuses agent tokens.';
revoke execute on function private.data_subject_owner(uuid) from public;
grant execute on function private.data_subject_owner(uuid) to authenticated, service_role;

-- The identifier key of a channel: what suppression and receipt hashes are computed over. One
-- phone number is one key whether it is stored as phone, sms or whatsapp.
create function private.channel_identifier_key(channel_type text, normalized_identifier text)
returns text
language sql
immutable
strict
set search_path = ''
as $$
  select case
    when channel_identifier_key.channel_type in ('phone', 'sms', 'whatsapp') then 'phone'
    else channel_identifier_key.channel_type
  end || ':' || channel_identifier_key.normalized_identifier
$$;
comment on function private.channel_identifier_key(text, text) is 'email:<address> or phone:<E.164> (phone, sms and whatsapp share one key), <type>:<handle> otherwise.';
revoke execute on function private.channel_identifier_key(text, text) from public;
grant execute on function private.channel_identifier_key(text, text) to authenticated, service_role;

-- A subject identifier as a request gives it: an e-mail address, or a phone number that is E.164
-- once spaces, dashes, dots, slashes and parentheses are gone (00 counts as +). Numbers in a
-- national format need a country: the Edge Functions normalize them (libphonenumber) first.
create function private.subject_identifier_key(identifier text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  email text;
  phone text;
begin
  if subject_identifier_key.identifier is null or char_length(subject_identifier_key.identifier) > 320 then
    raise exception 'identifier must be an e-mail address or a phone number in E.164 format' using errcode = '22023';
  end if;
  if strpos(subject_identifier_key.identifier, '@') > 0 then
    email := private.normalize_channel_identifier('email', subject_identifier_key.identifier);
    if public.is_valid_email(email) then
      return private.channel_identifier_key('email', email);
    end if;
  else
    phone := private.normalize_channel_identifier('phone', subject_identifier_key.identifier);
    if public.is_valid_e164_phone(phone) then
      return private.channel_identifier_key('phone', phone);
    end if;
  end if;
  raise exception 'identifier must be an e-mail address or a phone number in E.164 format' using errcode = '22023';
end;
$$;
comment on function private.subject_identifier_key(text) is 'The identifier key (email:... or phone:+...) of an e-mail address or E.164 phone number; raises 22023 for anything else.';
revoke execute on function private.subject_identifier_key(text) from public;
grant execute on function private.subject_identifier_key(text) to authenticated, service_role;

-- The owner's contacts a request designates, in id order (the order every lock is taken in): the
-- one contact named by id, or every contact with a channel carrying the identifier (one e-mail or
-- number may sit on several contacts); given both, the contact if it carries the identifier.
-- Security invoker: owners see their own rows only.
create function private.data_subject_contact_ids(owner_id uuid, contact_id uuid, identifier_key text)
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
      and ch.channel_type = any (case kind when 'phone' then array['phone', 'sms', 'whatsapp'] else array[kind] end)
      and ch.normalized_identifier = wanted
      and (data_subject_contact_ids.contact_id is null or ch.contact_id = any (ids));
  end if;
  return coalesce(ids, '{}'::uuid[]);
end;
$$;
comment on function private.data_subject_contact_ids(uuid, uuid, text) is 'Ids of the owner''s contacts named by id or carrying the identifier key, sorted (the lock order).';
revoke execute on function private.data_subject_contact_ids(uuid, uuid, text) from public;
grant execute on function private.data_subject_contact_ids(uuid, uuid, text) to authenticated, service_role;

-- Adds two {table: count} objects key by key.
create function private.sum_counts(a jsonb, b jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select coalesce(jsonb_object_agg(x.key, x.total), '{}'::jsonb)
  from (
    select e.key, sum(e.value::bigint) as total
    from (select * from jsonb_each_text(coalesce(sum_counts.a, '{}'::jsonb))
          union all select * from jsonb_each_text(coalesce(sum_counts.b, '{}'::jsonb))) as e
    group by e.key
  ) as x
$$;
comment on function private.sum_counts(jsonb, jsonb) is 'Adds two {table: row count} objects.';
revoke execute on function private.sum_counts(jsonb, jsonb) from public;
grant execute on function private.sum_counts(jsonb, jsonb) to authenticated, service_role;
