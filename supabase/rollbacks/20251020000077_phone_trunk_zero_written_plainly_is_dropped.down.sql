-- Rollback of 20251020000077_phone_trunk_zero_written_plainly_is_dropped:
-- private.normalize_channel_identifier as 20251020000069 defined it and
-- public.lift_contact_suppression as 20251020000006 did, each with its comment. Channels
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
