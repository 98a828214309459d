-- Rollback of 20251020000086: private.channel_match_key as 20251002000002 defined it (at the cost
-- 20251012000001 gave it; its grants stay), its index rebuilt and the shared channel keys
-- recomputed from it.
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
  mailbox text;
  domain text;
begin
  if channel_match_key.channel_type in ('phone', 'sms', 'whatsapp') then
    return 'tel:' || address;
  end if;
  if channel_match_key.channel_type <> 'email' then
    address := lower(btrim(address));
    if address !~ '^[^@\s]+@[^@\s]+\.[a-z]{2,63}$' then
      address := regexp_replace(regexp_replace(address, '^00', '+'), '[\s().\-/]', '', 'g');
      return case when address ~ '^\+[1-9][0-9]{6,14}$' then 'tel:' || address end;
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
comment on function private.channel_match_key(text, text) is 'Matching identity of a channel address across types: mail:<mailbox> (case, +tag and Gmail dots folded) or tel:<E.164>; null otherwise.';

-- squawk-ignore require-concurrent-reindex -- as in the migration: inside its transaction, with the key it indexes.
reindex index public.contact_communication_channels_match_key_idx;

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
