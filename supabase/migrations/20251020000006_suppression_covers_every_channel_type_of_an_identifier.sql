-- An erasure suppresses the subject's identifiers so that they cannot come back, but each only under
-- the channel type it was found on: once ada@example.com was erased, a Slack, webchat or other
-- channel holding the address could still be added (by the owner, an agent or an import), and a
-- subject request by the address would then reach that new contact as the same person (requests
-- reach those types since 20251020000005). A suppressed e-mail address or phone number is now
-- suppressed under every channel type that can hold it (private.identifier_channel_types), and
-- lifting it lifts them all. Suppressions made before keep the one key they had: only keyed hashes
-- are stored, so they cannot be widened after the fact.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The keys an identifier key stands for: an e-mail address or E.164 number, whichever channel type
-- it came from, under every type that can hold it; any other key, itself.
create function private.identifier_key_aliases(identifier_key text)
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
revoke execute on function private.identifier_key_aliases(text) from public;
grant execute on function private.identifier_key_aliases(text) to authenticated, service_role;

create or replace function private.suppress_identifiers(owner_id uuid, identifier_keys text[], request_id uuid default null)
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
    select array_agg(distinct a.key) as list
    from unnest(suppress_identifiers.identifier_keys) as k (x)
    cross join lateral unnest(private.identifier_key_aliases(k.x)) as a (key)
    where k.x is not null
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

create or replace function public.lift_contact_suppression(identifier text, reason text, owner_id uuid default null)
returns integer
language plpgsql
volatile
set search_path = ''
as $$
declare
  owner constant uuid := private.data_subject_owner(lift_contact_suppression.owner_id);
  lifted integer;
begin
  if lift_contact_suppression.reason is null or char_length(btrim(lift_contact_suppression.reason)) not between 1 and 500 then
    raise exception 'a reason of 1 to 500 characters is required to lift a suppression' using errcode = '22023';
  end if;
  update public.contact_suppressions s
  set lift_reason = btrim(lift_contact_suppression.reason)
  where s.user_id = owner and s.lifted_at is null
    and s.identifier_hmac = any (private.owner_hmacs(owner,
      private.identifier_key_aliases(private.subject_identifier_key(lift_contact_suppression.identifier))));
  get diagnostics lifted = row_count;
  if lifted = 0 then
    raise exception 'no active suppression for this identifier' using errcode = 'P0002';
  end if;
  return lifted;
end;
$$;
comment on function public.lift_contact_suppression(text, text, uuid) is 'Lifts the owner''s active suppression of an e-mail address or E.164 phone number under every channel type that can hold it, recording who, when and why, and returns how many entries it lifted; 404 (P0002) when there is none.';
