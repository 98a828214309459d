begin;
select plan(10);

-- public.is_valid_email was rewritten for speed (20251011000002): it must accept exactly the
-- addresses its first definition accepted. The oracle below is that definition's expression; the
-- corpus mixes well-formed addresses with every edge the domain rules have (label lengths 1 and
-- 61-65, hyphens at label edges, one-letter and 63/64-letter top-level domains, several @).

create temporary table oracle_cases on commit drop as
with parts as (
  select g,
    -- labels of 0-3 or 60-66 characters, from letters, digits and an occasional hyphen or dot
    array(select substr(repeat(case (g * 7 + l) % 5 when 0 then 'a' when 1 then 'Z9' when 2 then 'b-c' when 3 then '7' else 'x.' end, 70),
                        1 + (g + l) % 2,
                        (array[0, 1, 2, 3, 60, 61, 62, 63, 64, 65, 66])[1 + (g * 3 + l * 5) % 11])
          from generate_series(1, 1 + g % 4) as ls (l)) as labels,
    (array['a', 'Z', 'ab', 'COM', repeat('q', 63), repeat('q', 64), 'c0m', 'x-y', ''])[1 + g % 9] as tld,
    (array['ada', 'ada.lovelace', 'a+b', 'o''brien', '.ada', 'ada.', 'a..b', repeat('l', 64), repeat('l', 65), '', 'a@b', 'x_y{z}'])[1 + (g / 9) % 12] as local_part
  from generate_series(1, 6000) as gs (g)
)
select p.local_part || case when p.g % 13 = 0 then '@@' else '@' end
       || array_to_string(p.labels, '.') || case when p.g % 17 = 0 then '' else '.' end || p.tld as email
from parts p
union all
select v from (values ('ada@example.com'), ('ADA.LOVELACE+crm@mail.example.co.uk'), ('a@b.c'), ('a@-b.com'), ('a@b-.com'),
  ('a@b.com.'), ('a@.com'), ('a@b..com'), ('@b.com'), ('a@b'), ('a b@c.com'), ('a@b.c0m')) as extra (v);

select ok((select count(*) from oracle_cases) > 6000, 'the corpus holds the generated and the hand-picked addresses');
select is(
  (select count(*) from oracle_cases c
   where public.is_valid_email(c.email) is distinct from (
     char_length(c.email) <= 254
     and c.email ~ '^[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$'
     and char_length(split_part(c.email, '@', 1)) <= 64)),
  0::bigint, 'is_valid_email agrees with its first definition on every address of the corpus');
select ok((select count(*) filter (where public.is_valid_email(c.email)) from oracle_cases c) > 100,
  'more than a hundred addresses of the corpus are valid, so agreement is not only on rejections');

select ok(public.is_valid_email('ada@' || repeat('a', 63) || '.com'), 'a 63-character label is valid');
select ok(not public.is_valid_email('ada@' || repeat('a', 64) || '.com'), 'a 64-character label is not');
select ok(public.is_valid_email('ada@example.' || repeat('q', 63)), 'a 63-letter top-level domain is valid');
select ok(not public.is_valid_email('ada@example.' || repeat('q', 64)), 'a 64-letter top-level domain is not');
select ok(not public.is_valid_email('ada@example.c'), 'a one-letter top-level domain is not');
select ok(not public.is_valid_email(repeat('l', 65) || '@example.com'), 'a 65-character local part is not');

select is(
  (select count(*) from (values ('Analytical Engines'), ('  ÀÉÎÕÜ  & Søns, Ink '), ('!!!'), (''), ('Ça Va—Łódź')) as o (name)
   where private.organization_match_key(o.name) is distinct from nullif(btrim(regexp_replace(
     translate(lower(o.name), 'àáâãäåāçćčèéêëēėęìíîïīñńòóôõöøōùúûüūýÿšśłđřžź', 'aaaaaaaccceeeeeeeiiiiinnooooooouuuuuyyssldrzz'),
     '[^[:alnum:]]+', ' ', 'g')), '')),
  0::bigint, 'organization_match_key gives the keys of its first definition to names without legal forms (20251020000087 drops those)');

select * from finish();
rollback;
