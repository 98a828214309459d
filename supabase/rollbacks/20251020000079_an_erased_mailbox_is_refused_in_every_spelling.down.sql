-- Restores the definitions 20251020000079 replaced (channel_refusal_keys of 20251020000074,
-- suppress_identifiers of 20251020000006, lift_contact_suppression of 20251020000077,
-- remembered_withdrawals of 20251020000054) and drops its two helpers.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.remembered_withdrawals(owner_id uuid, identifier_keys text[])
returns bigint
language sql
stable
security definer
set search_path = ''
as $$
  select count(*)
  from private.withdrawn_addresses w
  where w.user_id = remembered_withdrawals.owner_id
    and (private.is_service_caller()
      or remembered_withdrawals.owner_id = (select auth.uid()) and (select private.current_agent_id()) is null)
    and w.identifier_hmac = any (private.owner_hmacs(remembered_withdrawals.owner_id, array(
          select distinct a.key from unnest(remembered_withdrawals.identifier_keys) as k (key)
          cross join lateral unnest(private.identifier_key_aliases(k.key)) as a (key))))
$$;
comment on function private.remembered_withdrawals(uuid, text[]) is 'How many withdrawals the owner remembers for the addresses of deleted channels under identifier keys (in any of their channel types); the caller''s own (not an agent token''s) or the service''s only.';

create or replace function public.lift_contact_suppression(identifier text, reason text, owner_id uuid default null)
returns integer
language plpgsql
volatile
set search_path = ''
as $$
declare
  owner constant uuid := private.data_subject_owner(lift_contact_suppression.owner_id);
  subject text;
  lifted integer;
begin
  if lift_contact_suppression.reason is null or char_length(btrim(lift_contact_suppression.reason)) not between 1 and 500 then
    raise exception 'a reason of 1 to 500 characters is required to lift a suppression' using errcode = '22023';
  end if;
  subject := private.subject_identifier_key(lift_contact_suppression.identifier);
  -- Under every key the refusal checks (a number's old trunk-zero spelling too, 20251020000074),
  -- as no spelling gives that old form any longer (20251020000077).
  update public.contact_suppressions s
  set lift_reason = btrim(lift_contact_suppression.reason)
  where s.user_id = owner and s.lifted_at is null
    and s.identifier_hmac = any (private.owner_hmacs(owner, array(
      select distinct a.key
      from unnest(case when subject like 'phone:%' then private.channel_refusal_keys('phone', substr(subject, 7))
                       else array[subject] end) as k (key)
      cross join lateral unnest(private.identifier_key_aliases(k.key)) as a (key)
      order by 1)));
  get diagnostics lifted = row_count;
  if lifted = 0 then
    raise exception 'no active suppression for this identifier' using errcode = 'P0002';
  end if;
  return lifted;
end;
$$;
comment on function public.lift_contact_suppression(text, text, uuid) is 'Lifts the owner''s active suppression of an e-mail address or E.164 phone number (and of the number''s spelling with its trunk zero, stored before 20251020000077) under every channel type that can hold it, recording who, when and why, and returns how many entries it lifted; 404 (P0002) when there is none.';

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
comment on function private.suppress_identifiers(uuid, text[], uuid) is 'Adds identifier keys (email:..., phone:+...) to the owner''s suppression list as keyed hashes; returns how many were new.';

create or replace function private.channel_refusal_keys(channel_type text, normalized_identifier text)
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
  -- Plans where a 0 after the country code is part of the number (69's six, and Ascension, whose
  -- +247 0xxxxx and +247 xxxxx are both valid numbers): no other spelling.
  if phone is null or phone !~ '^\+[1-9][0-9]{6,14}$' or phone ~ '^\+(39|378|225|229|241|242|247)' then
    return keys;
  end if;
  -- The country code's length (ITU-T E.164 assignments; unassigned prefixes count as 3 digits).
  cc := case
    when left(phone, 2) in ('+1', '+7') then 1
    when substr(phone, 2, 2) = any ('{20,27,30,31,32,33,34,36,39,40,41,43,44,45,46,47,48,49,51,52,53,54,55,56,57,58,
                                      60,61,62,63,64,65,66,81,82,84,86,90,91,92,93,94,95,98}'::text[]) then 2
    else 3
  end;
  -- A number that still holds its trunk 0 (on a Telegram or other channel, whose match key keeps
  -- it) is also refused as the number without it, which erasures since 69 store; 00 is no trunk 0.
  if substr(phone, cc + 2, 1) = '0' then
    if substr(phone, cc + 3, 1) between '1' and '9' and char_length(phone) - cc - 2 >= 7 then
      return keys || private.channel_identifier_key(channel_refusal_keys.channel_type,
        left(phone, cc + 1) || substr(phone, cc + 3));
    end if;
    return keys;
  end if;
  -- The old spelling has one digit more and must still be a valid number (15 digits at most).
  if char_length(phone) > 15 then
    return keys;
  end if;
  return keys || private.channel_identifier_key(channel_refusal_keys.channel_type,
    left(phone, cc + 1) || '0' || substr(phone, cc + 2));
end;
$$;
comment on function private.channel_refusal_keys(text, text) is 'The identifier keys a channel is refused under: private.channel_identifier_keys and, for a number of a plan where a 0 after the country code is a trunk zero, the key of its other spelling: with the 0 (+4402079460020 for +442079460020), which suppressions stored before 20251020000069 hold, or without it, for a number on a Telegram or other channel that keeps it.';

drop function private.suppression_keys(text[]);
drop function private.channel_mailbox(text, text);
