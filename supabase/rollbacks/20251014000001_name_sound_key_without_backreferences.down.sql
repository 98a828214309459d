-- Rollback of 20251014000001_name_sound_key_without_backreferences: the coding of
-- 20251002000002_duplicate_contact_matching again (the same results).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.name_sound_key(name text)
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
