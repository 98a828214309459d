-- The duplicate finder reads ada@example.com, Ada+crm@example.com, and a.da@gmail.com beside
-- ada@googlemail.com as one mailbox each (private.channel_match_key's mail: key: case, +tag, Gmail
-- dots and googlemail folded), but the suppression list knew only the address erased: once
-- ada@example.com was erased, ada+news@example.com (or a.d.a@gmail.com for a Gmail address) was
-- accepted again from an owner, an agent, the service or an import, and the erased person was back.
-- Now a suppression holds the mailbox too, and the checks refuse an address whose mailbox it holds:
--   * private.channel_mailbox: the mailbox an address on an e-mail, Slack, webchat or other channel
--     reaches, written as an address (the mail: key's value), when it is spelt otherwise: ada+news@
--     example.com gives ada@example.com; ada@example.com, a phone number or a handle give nothing.
--     A dot is folded on gmail.com and googlemail.com only: a.da@example.com is another mailbox.
--   * private.suppress_identifiers (erasures, retention's suppress_identifiers) stores beside each
--     e-mail key the keys of its mailbox (both under every type that can hold an address, as
--     20251020000006): erasing ada+crm@example.com refuses ada@example.com and ada+x@example.com.
--   * private.channel_refusal_keys, which the channel trigger and private.is_suppressed (the
--     import's check per row) probe, adds the key of the address's mailbox. So an erasure stored
--     before this migration refuses, besides its own address, every spelling of it with a +tag or
--     other Gmail dots (ada+news@ for an erased ada@); one of ada+crm@ alone keeps refusing ada+crm@
--     only: only hashes are stored, so it cannot be widened. A different mailbox is never refused.
--   * public.lift_contact_suppression lifts an address under the keys its refusal probes (as 77 did
--     for numbers): lifting ada@example.com or ada+news@example.com lifts the erasure of ada@; the
--     erasure of ada+crm@ is lifted whole by ada+crm@ (lifting ada@ lifts its mailbox entry, and
--     ada+crm@ itself stays refused until lifted by its own spelling: its hash names no other).
--   * cost: the trigger computes refusal keys only for owners with an active suppression (66), and
--     the mailbox (channel_match_key) only for an address with a + or on gmail.com or
--     googlemail.com. 2,000 channels inserted in one statement for such an owner, median of 5:
--     plain addresses 160 ms before, 154 ms now; +tagged ones 165 ms before, 181 ms now (8 us a
--     row); numbers 187 ms before, 179 ms now (noise of a shared machine).
-- Remembered withdrawals (private.withdrawn_addresses, 44/67/75) are not widened: they hold the
-- consent of one channel's address, and consent is per address everywhere else (a live channel of
-- ada+news@ does not inherit a withdrawal on ada@), so a deleted channel's opt-out reaching other
-- spellings would be stronger than a live one's; that is a change to consent, not to erasure. They
-- stay consistent with suppressions: the trigger that forgets a suppressed address's memory
-- (44) also forgets the mailbox's, as it is suppressed now, and private.remembered_withdrawals
-- counts under the same keys, so a receipt's withdrawn_addresses says what went. It counts an
-- address once: a Telegram username remembered under both spellings (75) counted twice; and one
-- mailbox remembered as two addresses (ada@, ada+crm@) counts two, as it was two channels. So an
-- erasure by ada+promo@, which no contact holds, now finds a remembered withdrawal of ada@ and
-- suppresses both. A channel of ada+news@ (left on another contact) deleted while withdrawn after
-- ada@'s erasure is still remembered (remember_withdrawn_addresses tests its own keys): refused
-- while the suppression stands, its opt-out outlives a lift, as any other.
-- Not changed: receipts and their checks (identifier_key_aliases, the keys the request gave), the
-- contacts a request reaches (private.data_subject_contact_ids), channels that came back before this
-- migration (an update keeping its address is not checked: the owner decides).
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Immutable and reads no table: no definer rights. The cheap tests first, so that plain addresses
-- (most) never reach the plpgsql match key.
create function private.channel_mailbox(channel_type text, normalized_identifier text)
returns text
language sql
immutable
strict
set search_path = ''
as $$
  select substr(m.key, 6)
  from (select private.channel_match_key(channel_mailbox.channel_type, channel_mailbox.normalized_identifier) as key) as m
  where channel_mailbox.channel_type = any (private.identifier_channel_types('email'))
    and (strpos(channel_mailbox.normalized_identifier, '+') > 0 or channel_mailbox.normalized_identifier ~ '@(gmail|googlemail)\.com$')
    and m.key ~ '^mail:[^@]+@' and m.key <> 'mail:' || channel_mailbox.normalized_identifier
$$;
comment on function private.channel_mailbox(text, text) is 'The mailbox an e-mail address on a channel of a type that can hold one reaches, as an address (private.channel_match_key''s mail: value: +tag dropped, Gmail dots dropped, googlemail.com as gmail.com), when the address spells it otherwise; null for the mailbox''s own spelling and for anything else.';
revoke execute on function private.channel_mailbox(text, text) from public;
grant execute on function private.channel_mailbox(text, text) to authenticated, service_role;

create function private.suppression_keys(identifier_keys text[])
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array(
    select distinct a.key
    from unnest(suppression_keys.identifier_keys) as k (key)
    cross join lateral (select split_part(k.key, ':', 1) as kind, substr(k.key, strpos(k.key, ':') + 1) as value) as p
    cross join lateral (select private.channel_mailbox(p.kind, p.value) as address) as m
    cross join lateral unnest(private.identifier_key_aliases(k.key)
      || case when m.address is not null then private.identifier_key_aliases(p.kind || ':' || m.address) end) as a (key)
    where k.key is not null and a.key is not null
    order by 1)
$$;
comment on function private.suppression_keys(text[]) is 'The keys a suppression of identifier keys stores: each key under every channel type that can hold its identifier (private.identifier_key_aliases) and, for an e-mail address spelt otherwise than its mailbox, the mailbox''s keys too (private.channel_mailbox).';
revoke execute on function private.suppression_keys(text[]) from public;
grant execute on function private.suppression_keys(text[]) to authenticated, service_role;

create or replace function private.channel_refusal_keys(channel_type text, normalized_identifier text)
returns text[]
language plpgsql
immutable
strict
set search_path = ''
as $$
declare
  keys constant text[] := private.channel_identifier_keys(channel_refusal_keys.channel_type, channel_refusal_keys.normalized_identifier);
  mailbox text;
  phone text;
  cc integer;
begin
  -- An address spelt otherwise than its mailbox (+tag, Gmail dots): refused as the mailbox too.
  -- channel_mailbox's cheap test here as well, for an address only (no number has an @): most
  -- channels are spared a call (this runs per row).
  if strpos(channel_refusal_keys.normalized_identifier, '@') > 1
     and (strpos(channel_refusal_keys.normalized_identifier, '+') > 0
          or channel_refusal_keys.normalized_identifier ~ '@(gmail|googlemail)\.com$') then
    mailbox := private.channel_mailbox(channel_refusal_keys.channel_type, channel_refusal_keys.normalized_identifier);
    if mailbox is not null then
      return keys || private.channel_identifier_key(channel_refusal_keys.channel_type, mailbox);
    end if;
  end if;
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
comment on function private.channel_refusal_keys(text, text) is 'The identifier keys a channel is refused under: private.channel_identifier_keys and, for an e-mail address spelt otherwise than its mailbox (+tag, Gmail dots, googlemail.com), the mailbox''s key (private.channel_mailbox); for a number of a plan where a 0 after the country code is a trunk zero, the key of its other spelling: with the 0 (+4402079460020 for +442079460020), which suppressions stored before 20251020000069 hold, or without it, for a number on a Telegram or other channel that keeps it.';

create or replace function private.suppress_identifiers(owner_id uuid, identifier_keys text[], request_id uuid default null)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  keys constant text[] := private.suppression_keys(suppress_identifiers.identifier_keys);
  added integer;
begin
  if private.current_agent_id() is not null
     or not (private.is_service_caller() or suppress_identifiers.owner_id = (select auth.uid())) then
    raise exception 'only the owner or the service can suppress identifiers' using errcode = '42501';
  end if;
  if cardinality(keys) = 0 then
    return 0;
  end if;
  -- Every type that can hold each identifier, and an address's mailbox (20251020000079).
  insert into public.contact_suppressions (user_id, identifier_type, identifier_hmac, request_id)
  select suppress_identifiers.owner_id, split_part(h.key, ':', 1), h.hmac, suppress_identifiers.request_id
  from unnest(keys, private.owner_hmacs(suppress_identifiers.owner_id, keys)) as h (key, hmac)
  order by h.hmac
  on conflict (user_id, identifier_hmac) where lifted_at is null do nothing;
  get diagnostics added = row_count;
  return added;
end;
$$;
comment on function private.suppress_identifiers(uuid, text[], uuid) is 'Adds identifier keys (email:..., phone:+...) to the owner''s suppression list as keyed hashes, under every channel type that can hold each and, for an e-mail address, its mailbox''s keys too (private.suppression_keys); returns how many were new.';

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
  -- Under every key the refusal checks: a number's old trunk-zero spelling (20251020000074, 77),
  -- an address's mailbox (20251020000079).
  update public.contact_suppressions s
  set lift_reason = btrim(lift_contact_suppression.reason)
  where s.user_id = owner and s.lifted_at is null
    and s.identifier_hmac = any (private.owner_hmacs(owner, array(
      select distinct a.key
      from unnest(private.channel_refusal_keys(split_part(subject, ':', 1), substr(subject, strpos(subject, ':') + 1))) as k (key)
      cross join lateral unnest(private.identifier_key_aliases(k.key)) as a (key)
      order by 1)));
  get diagnostics lifted = row_count;
  if lifted = 0 then
    raise exception 'no active suppression for this identifier' using errcode = 'P0002';
  end if;
  return lifted;
end;
$$;
comment on function public.lift_contact_suppression(text, text, uuid) is 'Lifts the owner''s active suppression of an e-mail address (and of its mailbox, when spelt with a +tag or Gmail dots) or E.164 phone number (and of the number''s spelling with its trunk zero, stored before 20251020000077) under every channel type that can hold it, recording who, when and why, and returns how many entries it lifted; 404 (P0002) when there is none.';

-- Counted under the keys a suppression of the same identifiers stores (it forgets what it counts);
-- an address once, whatever number of spellings it is remembered under (a Telegram username's two).
create or replace function private.remembered_withdrawals(owner_id uuid, identifier_keys text[])
returns bigint
language sql
stable
security definer
set search_path = ''
as $$
  select count(distinct (w.channel_type,
    case when h.key ~ '^telegram:@[a-z0-9_]+$' then 'telegram:' || substr(h.key, 11) else h.key end))
  from (select private.suppression_keys(remembered_withdrawals.identifier_keys) as list
        where private.is_service_caller()
           or remembered_withdrawals.owner_id = (select auth.uid()) and (select private.current_agent_id()) is null) as keys
  cross join lateral unnest(keys.list, private.owner_hmacs(remembered_withdrawals.owner_id, keys.list)) as h (key, hmac)
  join private.withdrawn_addresses w on w.user_id = remembered_withdrawals.owner_id and w.identifier_hmac = h.hmac
$$;
comment on function private.remembered_withdrawals(uuid, text[]) is 'How many addresses the owner remembers a withdrawal of for deleted channels under identifier keys (in any of their channel types, an e-mail address''s mailbox too: the keys a suppression stores), a Telegram username once for both spellings; the caller''s own (not an agent token''s) or the service''s only.';
