-- Foundation: the private schema that holds internals (never exposed through the API), the
-- extensions the contacts schema uses, and the small helpers every later migration shares.
set lock_timeout = '5s';
set statement_timeout = '5min';

create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_trgm with schema extensions;

-- private: trigger functions and security-definer helpers. PostgREST does not expose it, and anon
-- cannot even resolve names in it.
create schema private;
comment on schema private is 'Internals of the contacts subsystem: triggers and security-definer helpers. Not exposed through the API.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;
alter default privileges in schema private revoke execute on functions from public;

-- Keeps updated_at honest whatever the client sends.
create function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.set_updated_at() is 'Trigger: stamps updated_at on every update.';

-- Validation functions, used by check constraints from the channels migration on. Immutable so that
-- constraints may call them.
create function public.is_valid_email(email text)
returns boolean
language sql
immutable
strict
set search_path = ''
as $$
  select char_length(is_valid_email.email) <= 254
    and is_valid_email.email ~ '^[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$'
    and char_length(split_part(is_valid_email.email, '@', 1)) <= 64
$$;
comment on function public.is_valid_email(text) is 'True when the text is a plausible e-mail address (RFC 5321 lengths, dot-atom local part, a domain with a TLD).';

create function public.is_valid_e164_phone(phone text)
returns boolean
language sql
immutable
strict
set search_path = ''
as $$
  select is_valid_e164_phone.phone ~ '^\+[1-9][0-9]{6,14}$'
$$;
comment on function public.is_valid_e164_phone(text) is 'True when the text is an E.164 phone number: +, country code, at most 15 digits.';

revoke execute on function public.is_valid_email(text) from public, anon;
revoke execute on function public.is_valid_e164_phone(text) from public, anon;
grant execute on function public.is_valid_email(text) to authenticated, service_role;
grant execute on function public.is_valid_e164_phone(text) to authenticated, service_role;

-- Normalizes a channel identifier for matching: e-mails lower-cased, phones reduced to + and digits
-- (a leading 00 becomes +). Numbers in a national format need a country, which the Edge Functions
-- know (libphonenumber) and SQL does not: they stay invalid here and the constraint rejects them.
create function private.normalize_channel_identifier(channel_type text, identifier text)
returns text
language sql
immutable
strict
set search_path = ''
as $$
  select case
    when normalize_channel_identifier.channel_type = 'email' then lower(btrim(normalize_channel_identifier.identifier))
    when normalize_channel_identifier.channel_type in ('phone', 'sms', 'whatsapp') then
      regexp_replace(
        regexp_replace(btrim(normalize_channel_identifier.identifier), '^00', '+'),
        '[\s().\-/]', '', 'g')
    else lower(btrim(normalize_channel_identifier.identifier))
  end
$$;
comment on function private.normalize_channel_identifier(text, text) is 'The matching form of a channel identifier: lower-cased e-mail, +digits phone, trimmed handle.';
grant execute on function private.normalize_channel_identifier(text, text) to authenticated, service_role;

grant execute on function private.set_updated_at() to authenticated, service_role;
