-- private.name_sound_key codes every contact's name when its duplicate-finding block is stored
-- (contacts_set_name_block, once for each imported contact). Its last step put the coded words in
-- order with a query (unnest, order by, array), which plpgsql runs through the full executor: about
-- 1.6 µs of the 7.8 µs a name took. A name of one or two words, as most are, is now ordered by one
-- comparison in the same collation; longer names still go through the query. No coded word is
-- empty (each keeps its first digit), so the query's filter of empty words drops nothing here.
-- Same results on the corpus of pgTAP 178 and on 93,200 generated names, so stored blocks stay valid.
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
  words text[];
begin
  coded := translate(lower(name_sound_key.name),
    ' eanrilostmhdcukgybjpwfvzxqéèáíóüäöñçßàâãåāêëēėęìîïīòôõøōùúûūæœýÿćčšśžźđłńř0123456789',
    ' 00560402359320229121911222000000005220000000000000000000000000992222223456          ');
  coded := regexp_replace(coded, '[^0-9]+', ' ', 'g');
  coded := regexp_replace(coded, '(?<=\S)[09]+', '', 'g');
  coded := regexp_replace(coded, '(?<=1)1+|(?<=2)2+|(?<=3)3+|(?<=4)4+|(?<=5)5+|(?<=6)6+', '', 'g');
  words := string_to_array(btrim(coded), ' ');
  if cardinality(words) = 0 then
    return '';
  elsif cardinality(words) = 1 and words[1] <> '' then
    return words[1];
  elsif cardinality(words) = 2 and words[1] <> '' and words[2] <> '' then
    return case when words[2] < words[1] then words[2] || ' ' || words[1] else words[1] || ' ' || words[2] end;
  end if;
  return array_to_string(array(
    select w from unnest(words) as x (w) where w <> '' order by w), ' ');
end;
$$;
