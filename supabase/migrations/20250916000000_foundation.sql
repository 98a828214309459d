-- Foundation: the private schema that holds internals (never exposed through the API), the
-- extensions the contacts schema uses, and the small helpers every later migration shares.
set lock_timeout = '5s';
set statement_timeout = '5min';

create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_trgm with schema extensions;

-- private: trigger functions and security-definer helpers. PostgREST does not expose it, and anon
-- cannot even resolve names in it. Every function in it is revoked from PUBLIC one by one (a schema's
-- default privileges cannot take back the global EXECUTE that PUBLIC holds).
create schema private;
comment on schema private is 'Internals of the contacts subsystem: triggers and security-definer helpers. Not exposed through the API.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

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
revoke execute on function private.normalize_channel_identifier(text, text) from public;
grant execute on function private.normalize_channel_identifier(text, text) to authenticated, service_role;

revoke execute on function private.set_updated_at() from public;
grant execute on function private.set_updated_at() to authenticated, service_role;

-- Keyed hashes of personal identifiers (search logs, suppression lists): HMAC-SHA-256 with a
-- secret per owner, so a hash cannot be reversed by hashing guesses, and differs between owners.
create table private.owner_keys (
  user_id uuid primary key references auth.users (id) on delete cascade,
  hmac_key bytea not null default extensions.gen_random_bytes(32),
  created_at timestamptz not null default now()
);
comment on table private.owner_keys is 'Per-owner HMAC secrets for keyed hashes of identifiers. Never exposed.';

-- Security definer: callers never read the keys; they only get hashes. Creates the owner's key on
-- first use.
create function private.owner_hmac(owner_id uuid, value text)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  secret bytea;
begin
  insert into private.owner_keys (user_id) values (owner_hmac.owner_id) on conflict (user_id) do nothing;
  select k.hmac_key into strict secret from private.owner_keys k where k.user_id = owner_hmac.owner_id;
  return encode(extensions.hmac(convert_to(owner_hmac.value, 'UTF8'), secret, 'sha256'), 'hex');
end;
$$;
comment on function private.owner_hmac(uuid, text) is 'HMAC-SHA-256 (hex) of a value under the owner''s secret key.';
revoke execute on function private.owner_hmac(uuid, text) from public;
grant execute on function private.owner_hmac(uuid, text) to authenticated, service_role;
