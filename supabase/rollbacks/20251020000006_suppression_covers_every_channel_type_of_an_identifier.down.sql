-- Rollback of 20251020000006_suppression_covers_every_channel_type_of_an_identifier: identifiers are
-- suppressed and lifted under their own key only (suppress_identifiers of 20251003000004,
-- lift_contact_suppression of 20251003000003).
set lock_timeout = '5s';
set statement_timeout = '5min';

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
    and s.identifier_hmac = private.owner_hmac(owner, private.subject_identifier_key(lift_contact_suppression.identifier));
  get diagnostics lifted = row_count;
  if lifted = 0 then
    raise exception 'no active suppression for this identifier' using errcode = 'P0002';
  end if;
  return lifted;
end;
$$;
comment on function public.lift_contact_suppression(text, text, uuid) is 'Lifts the owner''s active suppression of an e-mail address or E.164 phone number, recording who, when and why; 404 (P0002) when there is none.';

drop function private.identifier_key_aliases(text);
