-- Finding duplicate contacts, the keys: match keys of channels, external ids and names, and the
-- indexes that hold them (the shared keys and the search follow in the next two migrations).
-- Which duplicates can exist within one owner:
--  - channel identifiers are unique per owner and type, so two contacts never share an address as
--    'email' or a number as 'phone'. They can share one across types (a number as phone on one
--    contact and as whatsapp or sms on the other; an address kept as 'other' or 'slack'), or as two
--    spellings of one mailbox (Gmail ignores dots; '+tags' reach the same inbox);
--  - external ids are unique per owner as written, but can differ in case or surrounding spaces;
--  - names are never unique: within one organization, similar names make candidates.
-- Candidates come from groups of equal keys, never from all pairs: a match key per channel, the
-- folded external id, and a name block per contact (its organization and a sound code of its name:
-- blind to case, accents, word order, vowels, h/w/y and doubled letters), held in the indexes
-- below; 20251002000003_shared_duplicate_keys keeps the keys two contacts share. Pairs in a name
-- block are confirmed and scored by trigram similarity.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The identity of a channel's address for matching: 'mail:<mailbox>' for anything that is an e-mail
-- address (lower-cased, '+tag' dropped, Gmail dots dropped), 'tel:<E.164>' for phone numbers of any
-- channel type, null for handles that are neither.
create function private.channel_match_key(channel_type text, normalized_identifier text)
returns text
language plpgsql
immutable
strict
parallel safe
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
revoke execute on function private.channel_match_key(text, text) from public;
grant execute on function private.channel_match_key(text, text) to authenticated, service_role;

-- An organization name for comparison: lower-cased, accents folded, punctuation collapsed.
create function private.organization_match_key(organization text)
returns text
language sql
immutable
strict
parallel safe
set search_path = ''
as $$
  select nullif(btrim(regexp_replace(
    translate(lower(organization_match_key.organization),
      'àáâãäåāçćčèéêëēėęìíîïīñńòóôõöøōùúûüūýÿšśłđřžź', 'aaaaaaaccceeeeeeeiiiiinnooooooouuuuuyyssldrzz'),
    '[^[:alnum:]]+', ' ', 'g')), '')
$$;
comment on function private.organization_match_key(text) is 'Comparison form of an organization name: lower-cased, accents folded, punctuation and spaces collapsed; null when empty.';
revoke execute on function private.organization_match_key(text) from public;
grant execute on function private.organization_match_key(text) to authenticated, service_role;

-- A sound code per word, words sorted: each letter becomes its class (b f p v 1; c g j k q s x z 2;
-- d t 3; l 4; m n 5; r 6), vowels and h w y after a word's first letter drop out, repeats collapse.
-- 'Jon Smiht', 'Smith, John' and 'JOHN SMYTH' share '25 253'; 'Catherine Müller' and
-- 'Katherine Mueller' share '2365 546'.
create function private.name_sound_key(name text)
returns text
language plpgsql
immutable
strict
parallel safe
set search_path = ''
as $$
declare
  coded text;
begin
  coded := translate(lower(name_sound_key.name),
    '0123456789aeiouàáâãäåāèéêëēėęìíîïīòóôõöøōùúûüūæœhwyýÿbfpvcgjkqsxzçćčßšśžźdtđlłmnñńrř',
    '          00000000000000000000000000000000000000999991111222222222222222233344555566');
  coded := regexp_replace(coded, '[^0-9]+', ' ', 'g');
  coded := regexp_replace(regexp_replace(coded, '(\S)[09]+', '\1', 'g'), '(.)\1+', '\1', 'g');
  return array_to_string(array(
    select w from unnest(string_to_array(btrim(coded), ' ')) as words (w) where w <> '' order by w), ' ');
end;
$$;
comment on function private.name_sound_key(text) is 'Sound code of a name, word by word and order-free: tolerant of case, accents, vowels, h/w/y and doubled letters.';
revoke execute on function private.name_sound_key(text) from public;
grant execute on function private.name_sound_key(text) to authenticated, service_role;

-- The block a contact's name falls in for duplicate finding: its organization and the sound code of
-- its name, hashed to 64 bits (a collision only adds a pair that the organization check and the
-- similarity threshold then drop). Null without an organization: names alone are not compared.
create function private.contact_name_block(organization text, display_name text)
returns bigint
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  organization_key constant text := private.organization_match_key(contact_name_block.organization);
begin
  if organization_key is null or contact_name_block.display_name is null then
    return null;
  end if;
  return hashtextextended(organization_key || '|' || private.name_sound_key(contact_name_block.display_name), 0);
end;
$$;
comment on function private.contact_name_block(text, text) is 'Duplicate-finding block of a contact: hash of its organization and the sound code of its name; null without an organization.';
revoke execute on function private.contact_name_block(text, text) from public;
grant execute on function private.contact_name_block(text, text) to authenticated, service_role;

-- The searches look keys up in these indexes, index-only (the included columns let the planner
-- return the indexed expressions without visiting the table).
-- Existing tables: create index concurrently cannot run inside the migration's transaction. The
-- builds block writes (not reads) to these tables while they run, about 30 s per million rows on
-- two cores: deploy in a quiet window.
-- squawk-ignore require-concurrent-index-creation -- existing table; concurrently cannot run in the migration's transaction (see above).
create index contact_communication_channels_match_key_idx on public.contact_communication_channels
  (user_id, private.channel_match_key(channel_type, normalized_identifier))
  include (contact_id, channel_type, normalized_identifier)
  where private.channel_match_key(channel_type, normalized_identifier) is not null;
comment on index public.contact_communication_channels_match_key_idx is 'Duplicate finding: channels of an owner grouped by the matching identity of their address, across types.';
-- squawk-ignore require-concurrent-index-creation -- existing table; concurrently cannot run in the migration's transaction (see above).
create index contacts_name_block_idx on public.contacts (user_id, private.contact_name_block(organization, display_name))
  include (id, organization, display_name)
  where private.contact_name_block(organization, display_name) is not null;
comment on index public.contacts_name_block_idx is 'Duplicate finding: contacts of an owner grouped by organization and name sound.';
-- squawk-ignore require-concurrent-index-creation -- existing table; concurrently cannot run in the migration's transaction (see above).
create index contacts_external_id_match_idx on public.contacts (user_id, lower(btrim(external_id)))
  include (id, external_id)
  where external_id is not null;
comment on index public.contacts_external_id_match_idx is 'Duplicate finding: external ids that differ only in case or surrounding spaces.';
