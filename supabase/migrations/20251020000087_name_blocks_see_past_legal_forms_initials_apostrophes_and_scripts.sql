-- The duplicate finder compares names only within a name block (20251002000002: the organization
-- and the sound code of the name, stored since 20251011000000), and three kinds of contact fell
-- into different blocks, or all into one:
--  - legal forms kept one company apart: "Acme Inc." 'acme inc', "Acme Incorporated" 'acme
--    incorporated', "Acme GmbH" 'acme gmbh', so one person at "Acme Inc." and at "Acme
--    Incorporated" was never compared;
--  - a middle initial or an apostrophe split a name: "Richard A. Roe" '0 6 6263' against
--    "Richard Roe" '6 6263', "Sean O'Brien" '0 165 25' against "Sean OBrien" '0165 25';
--  - a name in another script (Cyrillic, Greek, Arabic, CJK ...) had the empty code, so all such
--    contacts of one company made one block, compared pair by pair: 3,000 of them at one company
--    took find_duplicate_contacts 19.8 s (3,000 transliterated names: 113 ms);
--  - a letter with an accent the coding did not list broke its word: "Ertuğrul Doğan" '05 063 3
--    64' against "Ertugrul Dogan" '063264 325', "Nguyễn Thị Hương" against "Nguyen Thi Huong".
-- Now:
--  - private.organization_match_key also folds ß, æ and œ (ss, ae, oe; ø was o already), drops
--    apostrophes, a leading "the" and trailing legal forms, as many as there are ("Acme Co.,
--    Ltd.", "GmbH & Co. KG"), dotted ones too ("S.A.", "L.L.C."), only as whole words; a name
--    made of legal forms only ("Inc.", "The Co") is kept whole;
--  - private.name_sound_key reads compatibility forms as their letters (NFKC: full-width
--    "Ｊｏｈｎ" is "John"), takes the accents off any letter beyond ASCII (decomposed, its marks
--    dropped; ı, ð, þ spelt i, d, th), deletes apostrophes before coding, drops one-letter words (initials)
--    when two longer words remain, and a word with no letter it codes keeps its lower-cased text
--    as its code ('иван петров'); a word mixing both is coded as before. The words are ordered
--    byte-wise (collate "C"): the same order as before for codes, whatever the database's collation.
-- These two feed private.contact_name_block only (the index on it went in 20251011000000; the
-- search and the import do not use them). Pairs are still confirmed by the names' trigram
-- similarity, so a bigger block costs comparisons, not false pairs.
-- Cost (the block is computed once for each contact written: the import's hot path), median of 5,
-- three rounds on two shared cores (load 5-9): 2,000 contacts in one statement (initials,
-- apostrophes, legal forms among them) 456-545 ms before, 525-712 ms now, within the noise; the
-- functions alone, 200,000 calls: name_sound_key 4.3-4.7 s before, 4.1-4.5 s now (the usual name
-- is all ASCII once coded, so the test for other scripts is a length comparison),
-- organization_match_key 2.0-2.4 s before, 2.4-2.8 s now (one test when there is no legal form).
-- find_duplicate_contacts over 3,000 distinct Cyrillic names at one company: 22.7 s before, 6 ms now.
-- Such names now pair only with equal words (up to case, order, apostrophes and initials): the 50
-- pairs the one big block confirmed there ("Роман Иванов"/"Иван Романов": two people) are gone,
-- and so would be a misspelt one.
set lock_timeout = '5s';
set statement_timeout = '15min';

create or replace function private.organization_match_key(organization text)
returns text
language plpgsql
immutable
strict
parallel safe
set search_path = ''
as $$
declare
  -- Legal forms, each between spaces; a dotted one ("S.A.", "L.L.C.") is matched with its letters joined.
  legal_forms constant text := ' inc incorporated corp corporation co cos company llc llp lllp lp pllc ltd limited plc '
    || 'gmbh mbh ag kg kgaa ug ohg ev se sa sas sasu sarl sca srl spa sl bv bvba nv pty pte bhd sdn '
    || 'ab oy oyj as asa aps kk gk lda ltda ';
  key text;
  words text[];
  first integer := 1;
  last integer;
  run integer;
begin
  -- Apostrophes go ("McDonald's" is "McDonalds"): listed after the accents, translate deletes them.
  key := btrim(regexp_replace(
    translate(replace(replace(replace(lower(organization_match_key.organization), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'),
      'àáâãäåāçćčèéêëēėęìíîïīñńòóôõöøōùúûüūýÿšśłđřžź''’‘ʼ`´', 'aaaaaaaccceeeeeeeiiiiinnooooooouuuuuyyssldrzz'),
    '[^[:alnum:]]+', ' ', 'g'));
  if key = '' then
    return null;
  end if;
  words := string_to_array(key, ' ');
  last := cardinality(words);
  -- Most names have neither a legal form nor a "the": one test, and the key as it is.
  if words[1] <> 'the' and char_length(words[last]) > 1 and position(' ' || words[last] || ' ' in legal_forms) = 0 then
    return key;
  elsif last > 1 and words[1] = 'the' then
    first := 2;
  end if;
  -- Trailing legal forms, as many as there are ("Acme Co., Ltd."); a run of one-letter words is a
  -- dotted one when its letters joined are.
  while last >= first loop
    if position(' ' || words[last] || ' ' in legal_forms) > 0 then
      last := last - 1;
    elsif char_length(words[last]) = 1 then
      run := last - 1;
      while run >= first and char_length(words[run]) = 1
            and position(' ' || array_to_string(words[run:last], '') || ' ' in legal_forms) = 0 loop
        run := run - 1;
      end loop;
      exit when run < first or char_length(words[run]) > 1;
      last := run - 1;
    else
      exit;
    end if;
  end loop;
  -- A name made of legal forms only is kept whole.
  if last < first then
    return key;
  elsif first = 1 and last = cardinality(words) then
    return key;
  end if;
  return array_to_string(words[first:last], ' ');
end;
$$;
comment on function private.organization_match_key(text) is 'Comparison form of an organization name: lower-cased, accents, ß, æ and œ folded, apostrophes dropped, punctuation and spaces collapsed, a leading "the" and trailing legal forms dropped (kept when nothing else is left); null when empty.';

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
  longer text[];
  word text;
  other_script boolean;
begin
  coded := name_sound_key.name;
  -- Full-width and other compatibility forms are their plain letters ("Ｊｏｈｎ" is "John").
  if not (coded is nfkc normalized) then
    coded := normalize(coded, nfkc);
  end if;
  -- Accents the list below does not name come off too (ğ, ễ, ị, ư ... as Ertuğrul, Nguyễn write
  -- them): a letter and its marks decomposed, the marks dropped; and the letters that do not
  -- decompose and are not listed (ı, ð, þ). Only for text beyond ASCII.
  if octet_length(coded) <> char_length(coded) then
    coded := replace(translate(normalize(regexp_replace(normalize(coded, nfd), '[\u0300-\u036f]+', '', 'g'), nfc),
      'ıðÐ', 'idd'), 'þ', 'th');
  end if;
  -- Apostrophes go ("O'Brien" is "OBrien"): listed after the digits, translate deletes them.
  coded := translate(lower(coded),
    ' eanrilostmhdcukgybjpwfvzxqéèáíóüäöñçßàâãåāêëēėęìîïīòôõøōùúûūæœýÿćčšśžźđłńř0123456789''’‘ʼ`´ʹ′',
    ' 00560402359320229121911222000000005220000000000000000000000000992222223456          ');
  -- Letters left are of another script (Cyrillic, Greek, Arabic, CJK ...): they stay for now.
  other_script := octet_length(coded) <> char_length(coded) and coded ~ '[[:alpha:]]';
  if other_script then
    coded := btrim(regexp_replace(coded, '[^0-9[:alpha:]]+', ' ', 'g'));
  else
    coded := btrim(regexp_replace(coded, '[^0-9]+', ' ', 'g'));
  end if;
  -- Initials ("Richard A. Roe") go when two longer words remain: still one letter each here.
  words := string_to_array(coded, ' ');
  if cardinality(words) > 2 then
    foreach word in array words loop
      if char_length(word) > 1 then
        longer := longer || word;
      end if;
    end loop;
    if cardinality(longer) >= 2 and cardinality(longer) < cardinality(words) then
      words := longer;
      coded := array_to_string(words, ' ');
    end if;
  end if;
  -- A word with letters the coding knows is coded, the others breaking it (as before); a word
  -- with none keeps its text, so that such names do not all share one empty code.
  if other_script then
    coded := array_to_string(array(
      select case when w ~ '[0-9]' then btrim(regexp_replace(w, '[^0-9]+', ' ', 'g')) else w end
      from unnest(words) as x (w)), ' ');
  end if;
  coded := regexp_replace(coded, '(?<=\S)[09]+', '', 'g');
  coded := regexp_replace(coded, '(?<=1)1+|(?<=2)2+|(?<=3)3+|(?<=4)4+|(?<=5)5+|(?<=6)6+', '', 'g');
  words := string_to_array(coded, ' ');
  if cardinality(words) = 0 then
    return '';
  elsif cardinality(words) = 1 and words[1] <> '' then
    return words[1];
  elsif cardinality(words) = 2 and words[1] <> '' and words[2] <> '' then
    return case when words[2] collate "C" < words[1] then words[2] || ' ' || words[1] else words[1] || ' ' || words[2] end;
  end if;
  return array_to_string(array(
    select w from unnest(words) as x (w) where w <> '' order by w collate "C"), ' ');
end;
$$;
comment on function private.name_sound_key(text) is 'Sound code of a name, word by word and order-free: tolerant of case, accents, apostrophes, vowels, h/w/y, doubled letters and initials; a word of another script is its lower-cased text.';

-- Stored blocks follow, in one update of the contacts whose block changes. As 20251011000000
-- filled them, without the contacts' triggers: only a derived column changes, so no audit entry
-- and no new updated_at. The shared name keys the shared-key trigger keeps (private.duplicate_keys)
-- are brought up to date after it: an old block goes when fewer than two contacts still hold it, a
-- new one comes when two do. Row locks only.
create temporary table renamed_name_blocks (user_id uuid, old_block bigint, new_block bigint) on commit drop;
set local session_replication_role = replica;
with renamed as (
  update public.contacts c
  set name_block = b.new_block
  from (select s.id, s.user_id, s.name_block as old_block,
          private.contact_name_block(s.organization, s.display_name) as new_block
        from public.contacts s
        where s.organization is not null) b
  where c.id = b.id and c.user_id = b.user_id and b.new_block is distinct from b.old_block
  returning c.user_id, b.old_block, b.new_block
)
insert into renamed_name_blocks select r.user_id, r.old_block, r.new_block from renamed r;
set local session_replication_role = origin;
analyze renamed_name_blocks;

delete from private.duplicate_keys d
using (select distinct r.user_id, r.old_block from renamed_name_blocks r where r.old_block is not null) o
where d.user_id = o.user_id and d.kind = 'name' and d.match_key = o.old_block::text
  and (select count(*) from public.contacts c where c.user_id = o.user_id and c.name_block = o.old_block) < 2;
insert into private.duplicate_keys (user_id, kind, match_key)
select c.user_id, 'name', c.name_block::text
from public.contacts c
join (select distinct r.user_id, r.new_block from renamed_name_blocks r where r.new_block is not null) n
  on c.user_id = n.user_id and c.name_block = n.new_block
group by c.user_id, c.name_block
having count(*) > 1
on conflict do nothing;
