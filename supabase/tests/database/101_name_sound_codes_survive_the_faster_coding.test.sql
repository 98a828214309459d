begin;
select plan(4);

-- private.name_sound_key is coded without back-references since 20251014000001, for speed: every
-- stored name block was computed with the earlier coding, so the codes must not change. The
-- earlier coding is restated here as the rules it applies, and both are compared on a corpus:
-- every letter the coding knows (in both cases, alone and between other letters), real names in
-- several scripts, and random strings drawn from those letters, digits and punctuation.

-- The rules: letters to sound digits (vowels 0, h/w/y 9, then the six consonant groups), digits
-- and unknown characters to word breaks; in each word the vowels and h/w/y after its first
-- character go, then runs of one digit become one digit; the words in order.
create function pg_temp.earlier_sound_key(name text) returns text language sql immutable strict as $$
  select array_to_string(array(
    select w from unnest(string_to_array(btrim(
      regexp_replace(regexp_replace(regexp_replace(
        translate(lower(name),
          '0123456789aeiouàáâãäåāèéêëēėęìíîïīòóôõöøōùúûüūæœhwyýÿbfpvcgjkqsxzçćčßšśžźdtđlłmnñńrř',
          '          00000000000000000000000000000000000000999991111222222222222222233344555566'),
        '[^0-9]+', ' ', 'g'), '(\S)[09]+', '\1', 'g'), '(.)\1+', '\1', 'g')), ' ')) as words (w)
    where w <> '' order by w), ' ')
$$;

-- Since 20251020000087 the coding deletes apostrophes, drops one-letter words (initials) when two
-- longer words remain, and keeps a word of letters it does not know as its text. The comparison
-- below restates the first two as a step before the earlier coding, and leaves out the names with
-- letters the coding does not know (the real names in other scripts).
create function pg_temp.without_apostrophes_and_initials(name text) returns text language sql immutable strict as $$
  select coalesce(case when count(*) filter (where char_length(w) > 1) >= 2
                       then string_agg(w, ' ') filter (where char_length(w) > 1) else string_agg(w, ' ') end, '')
  from regexp_split_to_table(translate(lower(name), '''’', ''), '[^aeiouàáâãäåāèéêëēėęìíîïīòóôõöøōùúûüūæœhwyýÿbfpvcgjkqsxzçćčßšśžźdtđlłmnñńrř]+') as words (w)
  where w <> ''
$$;
create function pg_temp.in_known_letters(name text) returns boolean language sql immutable strict as $$
  select translate(lower(name), 'aeiouàáâãäåāèéêëēėęìíîïīòóôõöøōùúûüūæœhwyýÿbfpvcgjkqsxzçćčßšśžźdtđlłmnñńrř', '') !~ '[[:alpha:]]'
$$;

create temporary table corpus (name text) on commit drop;
-- Every known letter, lower and upper case, alone, doubled, and inside words.
insert into corpus
select variant
from regexp_split_to_table('aeiouàáâãäåāèéêëēėęìíîïīòóôõöøōùúûüūæœhwyýÿbfpvcgjkqsxzçćčßšśžźdtđlłmnñńrř', '') as letters (letter)
cross join lateral (values (letter), (upper(letter)), (letter || letter), ('b' || letter || 'b'), (letter || 'a' || letter),
  ('Ma' || letter || letter || 'er ' || upper(letter) || 'o'), (letter || ' ' || letter)) as variants (variant);
-- Real names.
insert into corpus values
  ('Ada Lovelace'), ('Augusta Ada King'), ('Jon Smith'), ('John Smyth'), ('Jürgen Müller'), ('Juergen Mueller'),
  ('Anne-Marie O''Brien'), ('García López'), ('Łukasz Żółć'), ('Ðorđe Šćepanović'), ('Søren Kierkegaard'),
  ('Heißler'), ('Nguyễn Văn An'), ('Zoë Saldaña'), ('Æsir Œuvre'), ('van der Berg'), ('MacDonald'), ('McDonald'),
  ('Bbbbaab'), ('Hhwwyy Ahh'), ('  9x--'), ('R2-D2'), ('3M'), (''), (' '), ('---'), ('Pfeiffer'), ('Schwarzenegger'),
  ('Tschaikowsky'), ('Dvořák'), ('Ngozi Okonjo-Iweala'), ('Li'), ('Yi'), ('Ho'), ('Wu'), ('Aaron Aaronson'),
  ('Mary-Kate Olsen-Robinson'), ('Jean-Luc Picard'), ('株式会社 Tanaka'), ('Σωκράτης'), ('Иван Петров');
-- Random strings of known letters, digits, spaces and punctuation, mixed case.
select setseed(0.42);
insert into corpus
select string_agg(substr(pool, 1 + floor(random() * char_length(pool))::integer, 1), '')
from generate_series(1, 20000) as strings (n)
cross join lateral generate_series(1, 1 + n % 24) as characters (position)
cross join (values ('aeiouàáâãäåāèéêëēėęìíîïīòóôõöøōùúûüūæœhwyýÿbfpvcgjkqsxzçćčßšśžźdtđlłmnñńrřAEIOUHWYBCDGKLMNPRSTZÜÖÄŁŠ0123456789 -''.,')) as pools (pool)
group by n;

select is((select count(*) from corpus), 20000::bigint + 41 + 7 * 74,
  'the corpus holds every letter''s variants, the real names and the random strings');
select is(
  (select count(*) from corpus
   where pg_temp.in_known_letters(name)
     and private.name_sound_key(name) is distinct from pg_temp.earlier_sound_key(pg_temp.without_apostrophes_and_initials(name))),
  0::bigint,
  'every name of the corpus in known letters has the earlier code of its name without apostrophes and initials');
select cmp_ok((select count(distinct private.name_sound_key(name)) from corpus), '>', 10000::bigint,
  'the corpus tells codes apart (it is not made of a few codes)');
select is(private.name_sound_key('John Smyth'), private.name_sound_key('Jon Smith'),
  'names that sound alike still share a code');

select * from finish();
rollback;
