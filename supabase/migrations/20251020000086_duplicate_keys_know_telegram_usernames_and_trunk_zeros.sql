-- The duplicate finder's identity of a channel's address (private.channel_match_key,
-- 20251002000002) told two spellings of one identifier apart that the rest of the project counts as
-- one:
--   * a Telegram username had no key at all, so contacts holding "@eve_evans" and "eve_evans" (one
--     account: suppressions since 20251020000067, withdrawals since 75) were never proposed;
--   * a number on a Telegram or "other" channel was cleaned by the key itself, without the trunk
--     zero rules 69 and 77 gave private.normalize_channel_identifier: "+44 (0)20 7946 0018" there
--     was tel:+4402079460018, a phone channel holding +442079460018 tel:+442079460018: no pair.
-- Now:
--   * a number on a channel of another type than phone, SMS or WhatsApp (any type but e-mail) is
--     keyed as a phone channel stores it, by private.normalize_channel_identifier('phone', ...),
--     so the two cannot drift apart again (a change there must rebuild this key too, as here);
--   * a Telegram username (67's rule, ^@?[a-z0-9_]+$), unless it reads as a number first (a
--     Telegram number keeps its tel: key), is keyed 'tg:' || the name without its @. Pairs found
--     by it come out as same_phone (private.duplicate_contact_pairs names anything but mail:
--     so); phone, SMS, WhatsApp and e-mail keys are unchanged.
--   * What follows a key: its index (contact_communication_channels_match_key_idx) is rebuilt,
--     and private.duplicate_keys recomputed for channel keys (shared now: noted; no longer: gone).
--     The number such a channel holds (private.channel_phone_number, read by the suppression and
--     withdrawal keys) becomes its form without the 0 too: an erasure of the channel now
--     suppresses the number a request by it names; a suppression stored before is still refused
--     (74's refusal keys hold both spellings, as before). Subject requests take e-mail addresses and numbers only, so a tg: key never
--     reaches them (private.channels_with_match_keys is given mail: and tel: keys).
--   * Not done: a withdrawal remembered before this migration for such a number on a Telegram or
--     other channel (private.withdrawn_addresses, hashed) stays under the spelling with the 0.
-- Cost: a number on a channel of another type costs one call of the normalizer more (200,000
-- keys of "+44 (0)20 ..." as other: about 3 s before, 6 s now, on a loaded two-core machine);
-- usernames and e-mail, phone, SMS and WhatsApp keys as before (the normalizer is called only for
-- what can be a number). The declared cost stays 10000 (20251012000001). Locks: the rebuild blocks
-- writes to the channels, and queries planned on them, while it runs; 150,000 channels took 0.7 s
-- to reindex and 0.3 s to recompute the shared keys (about 7 s per million). Deploy in a quiet
-- window.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.channel_match_key(channel_type text, normalized_identifier text)
returns text
language plpgsql
immutable
strict
parallel safe
cost 10000
set search_path = ''
as $$
declare
  address text := channel_match_key.normalized_identifier;
  number text;
  mailbox text;
  domain text;
begin
  if channel_match_key.channel_type in ('phone', 'sms', 'whatsapp') then
    return 'tel:' || address;
  end if;
  if channel_match_key.channel_type <> 'email' then
    address := lower(btrim(address));
    if address !~ '^[^@\s]+@[^@\s]+\.[a-z]{2,63}$' then
      -- A number in the form a phone channel stores it, trunk zero rules included; the normalizer
      -- is called only where it can make one (00 or a + before any digit).
      if address ~ '^(00|[\s().\-/]*\+)' then
        number := private.normalize_channel_identifier('phone', address);
        if number ~ '^\+[1-9][0-9]{6,14}$' then
          return 'tel:' || number;
        end if;
      end if;
      -- A Telegram username is one account with or without its @ (20251020000067).
      if channel_match_key.channel_type = 'telegram' and address ~ '^@?[a-z0-9_]+$' then
        return 'tg:' || ltrim(address, '@');
      end if;
      return null;
    end if;
  end if;
  mailbox := split_part(address, '@', 1);
  mailbox := coalesce(nullif(split_part(mailbox, '+', 1), ''), mailbox);
  domain := split_part(address, '@', 2);
  if domain in ('gmail.com', 'googlemail.com') then
    return 'mail:' || replace(mailbox, '.', '') || '@gmail.com';
  end if;
  return 'mail:' || mailbox || '@' || domain;
end;
$$;
comment on function private.channel_match_key(text, text) is 'Matching identity of a channel address across types: mail:<mailbox> (case, +tag and Gmail dots folded), tel:<E.164> (as a phone channel stores the number, trunk zero dropped) or, for a Telegram username, tg:<name> (with or without its @); null otherwise.';

-- The index holds the old keys: rebuilt in place (its name, comment and definition are unchanged).
-- squawk-ignore require-concurrent-reindex -- concurrently cannot run in the migration's transaction, and the key must not change without its index (see above).
reindex index public.contact_communication_channels_match_key_idx;

-- The channel keys two or more contacts of an owner share, as the triggers would have noted them.
with shared as (
  select ch.user_id, private.channel_match_key(ch.channel_type, ch.normalized_identifier) as match_key
  from public.contact_communication_channels ch
  where private.channel_match_key(ch.channel_type, ch.normalized_identifier) is not null
  group by 1, 2
  having count(distinct ch.contact_id) > 1
), unshared as (
  delete from private.duplicate_keys d
  where d.kind = 'identifier'
    and not exists (select 1 from shared s where s.user_id = d.user_id and s.match_key = d.match_key)
)
insert into private.duplicate_keys (user_id, kind, match_key)
select s.user_id, 'identifier', s.match_key
from shared s
on conflict (user_id, kind, match_key) do nothing;
