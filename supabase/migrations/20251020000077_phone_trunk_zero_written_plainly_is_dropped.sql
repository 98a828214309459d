-- A number written with its trunk zero after the country code but without parentheses, "+44 020
-- 7946 0020", lost only its punctuation in SQL and was stored as +4402079460020, where the Edge
-- Functions (libphonenumber) make +442079460020 of it (20251020000069 fixed this for "(0)" only).
-- So gdpr-export and gdpr-delete by "+44 20 7946 0020" did not find such a contact, an erased
-- +442079460020 could be added again as "+44 020 7946 0020" by an owner or agent (other
-- suppression keys), and duplicates were missed. Now:
--   * private.normalize_channel_identifier (phone, SMS, WhatsApp) also drops one plain "0" right
--     after the country code, when a digit 1-9 follows and at least 7 digits remain, for the
--     country codes whose plan dials a trunk prefix 0. Which ones: libphonenumber-js 1.13.16 (the
--     Edge Functions' version), asked for "+CC 0<n>" with valid national numbers <n> of every
--     country, drops the 0 exactly for the 103 codes whose metadata has national prefix 0 (GB, DE,
--     FR, NL, BE, CH, AT, SE, FI, IE, AU, NZ, JP, CN, IN, BR, ZA ...) and for Belarus (+375, whose
--     trunk 8 it also reads as 0), and keeps it everywhere else: +1 and +7 (trunk 1 and 8),
--     Hungary (06), and plans without a trunk prefix (ES, PT, PL, NO, DK, GR, CZ, MX, the six where
--     69 keeps "(0)" ...), where the 0 makes the number invalid or is part of it (Burkina Faso's 0x
--     mobiles). So SQL keeps it there too: for a number libphonenumber finds impossible the Edge
--     Functions fall back to its digits, 0 included. Hence a list of its own, narrower than 69's
--     "(0)" rule (every code but six), which is left as it is. A 0 followed by another 0 is kept:
--     domestic toll-free ranges (JP 0037, KR 003 ...) start so. On 6,896 numbers of every country
--     ("+CC <n>" and "+CC 0<n>"), SQL now gives libphonenumber's E.164 wherever that is valid, but
--     for Gabon's "+241 011..." (one of 69's six, unchanged).
--   * The code is read as 74's private.channel_refusal_keys reads it (+1 and +7, its 2-digit
--     codes, 3 digits otherwise; E.164 codes are prefix-free): the list comes as a 2-digit and a
--     3-digit alternation, each tried only when a 0 stands where such a code ends, so no length
--     helper is called per number (one cost less on the import's hot path, see 58).
--   * Cost, median of 5: the normalizer alone, 200,000 calls, 0.49 s before and 0.66 s now for
--     "+44 20 ..." (a 0 after 3 digits: one failed regex test), 0.69 s for "+44 020 ..." (dropped),
--     0.52 s for "+1 ..." (two string tests): under 1 us a number. 2,000 phone channels inserted
--     in one statement: 86-97 ms before, 84-112 ms now, within the noise of a shared machine.
--   * Stored phone, SMS and WhatsApp channels whose normalized form changes are recomputed, as 69
--     did: match keys (index, private.duplicate_keys) follow through the channel triggers. Left as
--     they are, and counted in a notice: a channel whose new form the owner holds already (the
--     unique key; no data is lost), and one whose new form is suppressed (the owner decides).
--   * Suppressions stored under the old form (+4402079460020) stay refused: channel_refusal_keys
--     (74) probes +CC0<rest> for every such number. Since no spelling normalizes to that form any
--     longer, public.lift_contact_suppression lifts a number under the same keys the refusal
--     checks, so "+44 20 7946 0020" lifts an old "+4402079460020" entry too (same number).
--   * Not done: Telegram and "other" channels holding such a number are matched through
--     private.channel_match_key, an index expression: changing its results would leave stale index
--     entries, so "+44 020 ..." there stays tel:+4402079460020 (not found by the number; refused as
--     an erased +442079460020, since 74 probes both spellings). Channels left as they are keep the
--     old form, which a subject request by the number does not reach; they stay editable, as the
--     prepare trigger now normalizes only an address written. Rwanda's 06 fixed lines keep their 0.
--   * The renormalization's temporary table is analyzed, and its own duplicates found by grouping:
--     probed row by row, a table of 100,000 such numbers took over 5 minutes.
--   * private.channel_refusal_keys as 74 was reviewed, in the form 77 reads: Ascension (+247) has
--     no other spelling (+247 020000 and +247 20000 are two numbers), and a number a Telegram or
--     other channel holds with its trunk 0 is refused as the number without it too. 74 landed
--     without those two rules; 77 is the first migration after it that relies on them.
set lock_timeout = '5s';
set statement_timeout = '5min';

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

create or replace function private.normalize_channel_identifier(channel_type text, identifier text)
returns text
language plpgsql
immutable
strict
set search_path = ''
as $$
declare
  phone text;
begin
  if normalize_channel_identifier.channel_type in ('phone', 'sms', 'whatsapp') then
    phone := regexp_replace(btrim(normalize_channel_identifier.identifier), '^00', '+');
    -- "+44 (0)20 ...": the trunk 0, left out from abroad; where a 0 is part of the number, kept.
    if phone !~ '^\+(39|378|225|229|241|242)' then
      phone := regexp_replace(phone, '^(\+[0-9]{1,3})[\s.\-/]*\(0\)', '\1');
    end if;
    phone := regexp_replace(phone, '[\s().\-/]', '', 'g');
    -- "+44 020 ...": the same 0 written plainly, dropped after the codes whose plans dial a trunk 0
    -- (libphonenumber's lists, 2-digit and 3-digit codes of 74's E.164 rule; codes are prefix-free,
    -- so an anchored code is the number's own). Tried only for a 0 where such a code ends.
    if substr(phone, 4, 1) = '0' and length(phone) >= 9
       and phone ~ '^\+(?:20|27|31|32|33|40|41|43|44|46|49|51|53|54|55|57|58|60|61|62|63|64|66|81|82|84|86|90|91|92|93|94|95|98)0[1-9][0-9]*$' then
      phone := left(phone, 3) || substr(phone, 5);
    elsif substr(phone, 5, 1) = '0' and length(phone) >= 9 and left(phone, 6) <> '+25006'  -- Rwanda's 06 fixed lines
       and phone ~ ('^\+(?:211|212|213|218|231|232|233|234|243|249|250|251|252|254|255|256|260|261|262|263|264|265|291'
         || '|353|355|358|359|370|373|374|375|377|380|381|382|383|385|386|387|389|421|423|508|590|591|593|594'
         || '|595|596|598|686|850|855|856|880|886|961|962|963|964|966|967|970|971|972|976|977|994|995|996)0[1-9][0-9]*$') then
      phone := left(phone, 4) || substr(phone, 6);
    end if;
    return phone;
  end if;
  -- E-mail addresses and handles alike.
  return lower(btrim(normalize_channel_identifier.identifier));
end;
$$;

comment on function private.normalize_channel_identifier(text, text) is 'The matching form of a channel identifier: lower-cased e-mail, +digits phone (a trunk 0 after the country code, "(0)" or plain, dropped where it is a trunk prefix), trimmed handle.';

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

-- The prepare trigger as 20251019000007 left it, normalizing only when the address is written: it
-- normalized on every update, so a channel left below in its old form (its owner holds the number
-- in the other spelling, or that form is suppressed) failed any later edit, a consent withdrawal
-- included, on the unique key or the suppression.
create or replace function private.prepare_contact_channel()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  sources constant text[] := array['import', 'api', 'form', 'agent_conversation', 'manual', 'merge'];
  consent_written constant boolean := tg_op = 'INSERT'
    or (new.consent_status, new.consent_source) is distinct from (old.consent_status, old.consent_source);
begin
  -- Normalized when written: an update that leaves the address alone keeps its stored form, so a
  -- channel a renormalization left in its old form (69, 77) can still be edited.
  if tg_op = 'INSERT' or (new.channel_type, new.identifier, new.normalized_identifier)
                         is distinct from (old.channel_type, old.identifier, old.normalized_identifier) then
    new.normalized_identifier := private.normalize_channel_identifier(new.channel_type, new.identifier);
  end if;
  if new.is_verified and (tg_op = 'INSERT' or not old.is_verified) then
    new.verified_at := coalesce(new.verified_at, now());
  elsif not new.is_verified then
    new.verified_at := null;
  end if;
  if new.consent_status = 'unknown' then
    new.consent_updated_at := null;
  elsif consent_written then
    if tg_op = 'INSERT' or new.consent_updated_at is not distinct from old.consent_updated_at then
      new.consent_updated_at := case when tg_op = 'INSERT' then coalesce(new.consent_updated_at, now()) else now() end;
    end if;
    -- An agent's own write of a channel's consent is an agent_conversation decision, whatever
    -- source it names (which becomes its reference); the derivation of events, a trigger below
    -- the statement, copies their source as it is.
    if private.current_agent_id() is not null and pg_trigger_depth() = 1
       and split_part(btrim(coalesce(new.consent_source, '')), ' ', 1) <> 'agent_conversation' then
      new.consent_source := left('agent_conversation' || coalesce(' ' || nullif(btrim(new.consent_source), ''), ''), 200);
    elsif coalesce(split_part(btrim(new.consent_source), ' ', 1), '') <> all (sources) then
      new.consent_source := left(case when private.current_agent_id() is null then 'api' else 'agent_conversation' end
        || coalesce(' ' || nullif(btrim(new.consent_source), ''), ''), 200);
    end if;
  end if;
  return new;
end;
$$;

-- Stored channels follow. The address does not change, only its spelling: the guard that keeps a
-- channel with consent history on its address is held for this statement.
alter table public.contact_communication_channels disable trigger contact_communication_channels_protect_consented_address;

do $$
declare
  changed bigint;
  held_taken bigint;
  held_suppressed bigint;
begin
  create temporary table trunk_zero_channels on commit drop as
  select ch.id, ch.user_id, ch.channel_type,
    private.normalize_channel_identifier(ch.channel_type, ch.identifier) as renormalized
  from public.contact_communication_channels ch
  where ch.channel_type in ('phone', 'sms', 'whatsapp') and ch.normalized_identifier ~ '^\+[0-9]{2,3}0[1-9]'
    and ch.normalized_identifier <> private.normalize_channel_identifier(ch.channel_type, ch.identifier);
  -- Statistics, so that the probes below are joins, not a scan of this table per row.
  analyze trunk_zero_channels;

  -- The owner holds the number in the other spelling already (or two rows would meet there).
  delete from trunk_zero_channels t
  where exists (select 1 from public.contact_communication_channels ch
                where ch.user_id = t.user_id and ch.channel_type = t.channel_type and ch.normalized_identifier = t.renormalized)
     or (t.user_id, t.channel_type, t.renormalized) in (
          select o.user_id, o.channel_type, o.renormalized from trunk_zero_channels o group by 1, 2, 3 having count(*) > 1);
  get diagnostics held_taken = row_count;

  -- The number in its new form is suppressed (under the keys the reject trigger probes, 74's): the
  -- trigger would refuse the update.
  delete from trunk_zero_channels t
  where exists (
    select 1
    from private.owner_keys k
    cross join lateral unnest(private.channel_refusal_keys(t.channel_type, t.renormalized)) as key (value)
    join public.contact_suppressions s on s.user_id = t.user_id and s.lifted_at is null
      and s.identifier_hmac = encode(extensions.hmac(convert_to(key.value, 'UTF8'), k.hmac_key, 'sha256'), 'hex')
    where k.user_id = t.user_id);
  get diagnostics held_suppressed = row_count;

  -- The prepare trigger normalizes anew (the form is written); the others keep duplicate keys,
  -- audit and withdrawals.
  update public.contact_communication_channels ch
  set normalized_identifier = t.renormalized
  from trunk_zero_channels t
  where ch.id = t.id and ch.user_id = t.user_id;
  get diagnostics changed = row_count;

  raise notice 'plain trunk zero: % channel(s) renormalized; left as they are: % held in the other spelling already, % suppressed in the new form',
    changed, held_taken, held_suppressed;
end;
$$;

alter table public.contact_communication_channels enable trigger contact_communication_channels_protect_consented_address;
