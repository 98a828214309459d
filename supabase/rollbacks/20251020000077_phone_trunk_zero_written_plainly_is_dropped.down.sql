-- Rollback of 20251020000077_phone_trunk_zero_written_plainly_is_dropped:
-- private.normalize_channel_identifier as 20251020000069 defined it and
-- public.lift_contact_suppression as 20251020000006 did, each with its comment, and
-- private.prepare_contact_channel as 20251019000007 did. Channels
-- renormalized by the migration keep their new form: it is the one libphonenumber gives, and the
-- old one would again differ from what the Edge Functions match.
set lock_timeout = '5s';
set statement_timeout = '5min';

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
    return regexp_replace(phone, '[\s().\-/]', '', 'g');
  end if;
  -- E-mail addresses and handles alike.
  return lower(btrim(normalize_channel_identifier.identifier));
end;
$$;

comment on function private.normalize_channel_identifier(text, text) is 'The matching form of a channel identifier: lower-cased e-mail, +digits phone (a "(0)" after the country code dropped where it is a trunk prefix), trimmed handle.';

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

-- The prepare trigger as 20251019000007 left it.
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
  new.normalized_identifier := private.normalize_channel_identifier(new.channel_type, new.identifier);
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

-- channel_refusal_keys as 20251020000074 landed.
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
  -- The old spelling has one digit more and must be a valid number: 7 to 14 digits here.
  if phone is null or phone !~ '^\+[1-9][0-9]{6,13}$' or phone ~ '^\+(39|378|225|229|241|242)' then
    return keys;
  end if;
  -- The country code's length (ITU-T E.164 assignments; unassigned prefixes count as 3 digits).
  cc := case
    when left(phone, 2) in ('+1', '+7') then 1
    when substr(phone, 2, 2) = any ('{20,27,30,31,32,33,34,36,39,40,41,43,44,45,46,47,48,49,51,52,53,54,55,56,57,58,
                                      60,61,62,63,64,65,66,81,82,84,86,90,91,92,93,94,95,98}'::text[]) then 2
    else 3
  end;
  -- A national number starting with 0 had no "(0)" dropped by 69.
  if substr(phone, cc + 2, 1) = '0' then
    return keys;
  end if;
  return keys || private.channel_identifier_key(channel_refusal_keys.channel_type,
    left(phone, cc + 1) || '0' || substr(phone, cc + 2));
end;
$$;
comment on function private.channel_refusal_keys(text, text) is 'The identifier keys a channel is refused under: private.channel_identifier_keys and, for a number whose trunk zero 20251020000069 drops, the key of its spelling before (+4402079460020 for +442079460020), which suppressions stored before hold.';
