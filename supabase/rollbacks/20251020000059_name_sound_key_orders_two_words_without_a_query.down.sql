-- Rollback of 20251020000059_name_sound_key_orders_two_words_without_a_query: the coding of
-- 20251014000001_name_sound_key_without_backreferences again (the same results).
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
    ' eanrilostmhdcukgybjpwfvzxqéèáíóüäöñçßàâãåāêëēėęìîïīòôõøōùúûūæœýÿćčšśžźđłńř0123456789',
    ' 00560402359320229121911222000000005220000000000000000000000000992222223456          ');
  coded := regexp_replace(coded, '[^0-9]+', ' ', 'g');
  coded := regexp_replace(coded, '(?<=\S)[09]+', '', 'g');
  coded := regexp_replace(coded, '(?<=1)1+|(?<=2)2+|(?<=3)3+|(?<=4)4+|(?<=5)5+|(?<=6)6+', '', 'g');
  return array_to_string(array(
    select w from unnest(string_to_array(btrim(coded), ' ')) as words (w) where w <> '' order by w), ' ');
end;
$$;
