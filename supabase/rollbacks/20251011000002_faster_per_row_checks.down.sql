-- Restores the SQL versions of 20250916000000_foundation and 20251002000002_duplicate_contact_matching.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function public.is_valid_email(email text)
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

create or replace function private.organization_match_key(organization text)
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
