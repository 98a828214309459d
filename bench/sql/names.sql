-- Name, organization and country tables the generator draws from, built without external data:
-- hand-written real names at the head of each list (rank 1 is the most common), then deterministic
-- syllable combinations for the long tail, shuffled by a hash so the tail is not alphabetical.

-- Real first names in rough order of frequency; Maria and James lead.
create table bench.first_names (rank integer primary key, name text not null unique);
-- Real surnames in rough order of frequency; Smith leads.
create table bench.last_names (rank integer primary key, name text not null unique);

-- Numbers the hand-written head 1..n, then appends the synthetic tail, skipping names that
-- collide with the head, up to `total` names.
create function bench.fill_names(target regclass, head text[], tail text[], total integer, salt bigint)
returns void
language plpgsql
as $$
begin
  execute format($sql$
    insert into %s (rank, name)
    select row_number() over (order by src, ord), name
    from (
      select 0 as src, ord, name from unnest($1) with ordinality as h (name, ord)
      union all
      select 1, ord, name from (
        select t.name, bench.rand(hashtext(t.name), $4) as ord
        from (select distinct initcap(x) as name from unnest($2) as x) t
        where t.name <> all ($1)
        order by 2
        limit $3 - cardinality($1)
      ) tail
    ) names
  $sql$, target) using head, tail, total, salt;
end;
$$;

select bench.fill_names('bench.first_names',
  array['Maria', 'James', 'John', 'Robert', 'Michael', 'David', 'Mary', 'William', 'Jennifer', 'Linda',
    'Elizabeth', 'Patricia', 'Anna', 'Jose', 'Richard', 'Joseph', 'Thomas', 'Charles', 'Barbara', 'Susan',
    'Jessica', 'Sarah', 'Karen', 'Christopher', 'Daniel', 'Matthew', 'Anthony', 'Mark', 'Juan', 'Carlos',
    'Luis', 'Ana', 'Sofia', 'Emma', 'Olivia', 'Mohammed', 'Ahmed', 'Fatima', 'Wei', 'Li',
    'Priya', 'Rahul', 'Amit', 'Hans', 'Peter', 'Klaus', 'Marie', 'Jean', 'Pierre', 'Giulia',
    'Marco', 'Luca', 'Francesca', 'Elena', 'Olga', 'Ivan', 'Dmitri', 'Yuki', 'Hiroshi', 'Aisha',
    'Nancy', 'Lisa', 'Betty', 'Margaret', 'Sandra', 'Ashley', 'Kimberly', 'Emily', 'Donna', 'Michelle',
    'Carol', 'Amanda', 'Melissa', 'Deborah', 'Stephanie', 'Rebecca', 'Laura', 'Sharon', 'Cynthia', 'Amy',
    'Angela', 'Paul', 'Andrew', 'Joshua', 'Kevin', 'Brian', 'George', 'Edward', 'Steven', 'Timothy',
    'Jason', 'Ryan', 'Jacob', 'Nicholas', 'Eric', 'Jonathan', 'Stephen', 'Justin', 'Scott', 'Benjamin',
    'Samuel', 'Frank', 'Gregory', 'Alexander', 'Patrick', 'Jack', 'Noah', 'Liam', 'Lucas', 'Mia',
    'Carmen', 'Pedro', 'Miguel', 'Marta', 'Lucia', 'Sven', 'Ingrid', 'Lars', 'Katarzyna', 'Piotr'],
  -- 45 openings x 30 endings: 1,350 combinations such as Kaleo or Brandra.
  array(select a || b
    from unnest(array['ka', 'lo', 'mi', 'ta', 'ri', 'sa', 'be', 'da', 'jo', 'ne', 'vi', 'ze', 'to', 'ro', 'fa',
      'ga', 'ha', 'ly', 'ma', 'no', 'pe', 'qui', 'sel', 'tor', 'val', 'wen', 'xan', 'yo', 'zu', 'bran',
      'cor', 'dal', 'el', 'fin', 'gil', 'hal', 'isa', 'jor', 'kel', 'lin', 'mor', 'nor', 'os', 'pal', 'ren']) a,
      unnest(array['na', 'ra', 'lia', 'ron', 'den', 'vin', 'mir', 'sha', 'tor', 'lie', 'ria', 'nus', 'dra', 'leo',
      'vio', 'ka', 'no', 'ta', 'sa', 'bel', 'rin', 'lan', 'wyn', 'gor', 'dis', 'mon', 'ric', 'ven', 'lo', 'xa']) b),
  1200, 11);

select bench.fill_names('bench.last_names',
  array['Smith', 'Garcia', 'Johnson', 'Williams', 'Brown', 'Rodriguez', 'Martinez', 'Jones', 'Miller', 'Davis',
    'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Muller', 'Schmidt', 'Kumar', 'Singh', 'Wang',
    'Zhang', 'Li', 'Nguyen', 'Kim', 'Silva', 'Santos', 'Rossi', 'Martin', 'Taylor', 'Thomas',
    'Moore', 'Jackson', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez',
    'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Hill',
    'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter',
    'Roberts', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Dubois',
    'Durand', 'Lefebvre', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Russo', 'Ferrari', 'Esposito', 'Bianchi',
    'Romano', 'Oliveira', 'Souza', 'Pereira', 'Costa', 'Fernandes', 'Sharma', 'Patel', 'Gupta', 'Liu',
    'Chen', 'Yang', 'Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Park', 'Choi', 'Ivanov', 'Smirnov',
    'Kuznetsov', 'Novak', 'Kowalski', 'Nowak', 'Jensen', 'Nielsen', 'Hansen', 'Andersson', 'Johansson', 'Larsson',
    'Murphy', 'Kelly', 'Walsh', 'Byrne', 'Evans', 'Edwards', 'Collins', 'Stewart', 'Morris', 'Murray'],
  -- 40 x 12 x 20: 9,600 combinations such as Brookinford or Thornleystein.
  array(select a || b || c
    from unnest(array['ash', 'bel', 'bran', 'cal', 'dor', 'eber', 'fal', 'gar', 'hal', 'ing', 'kes', 'lind', 'mar',
      'nor', 'ost', 'pem', 'quin', 'ros', 'stan', 'tal', 'ul', 'var', 'wes', 'yar', 'zell', 'brook', 'crest', 'dun',
      'fair', 'glen', 'hart', 'kirk', 'lang', 'mont', 'penn', 'rad', 'shel', 'thorn', 'wald', 'bex']) a,
      unnest(array['', 'er', 'en', 'in', 'ow', 'ing', 'ham', 'el', 'is', 'ar', 'on', 'ley']) b,
      unnest(array['son', 'ton', 'berg', 'field', 'ford', 'man', 'stein', 'wood', 'ridge', 'ski', 'sen', 'ez',
      'ova', 'ley', 'well', 'worth', 'by', 'dale', 'holm', 'mann']) c),
  6000, 13);

-- Organizations: a few fictional household names first, then syllable brands, each with a legal
-- form that also decides the e-mail domain's TLD, so (brand, form) and the domain are both unique.
create table bench.organizations (rank integer primary key, name text not null unique, domain text not null unique);
insert into bench.organizations (rank, name, domain)
select row_number() over (order by src, ord), name, domain
from (
  select 0 as src, ord, h.name, lower(regexp_replace(h.name, '[^A-Za-z]', '', 'g')) || '.com' as domain
  from unnest(array['Acme Corporation', 'Globex', 'Initech', 'Umbrella Corporation', 'Stark Industries',
    'Wayne Enterprises', 'Hooli', 'Vandelay Industries', 'Wonka Industries', 'Soylent', 'Cyberdyne Systems',
    'Tyrell Corporation', 'Massive Dynamic', 'Pied Piper', 'Aperture Science', 'Black Mesa', 'Oscorp',
    'Gringotts', 'Dunder Mifflin', 'Sterling Cooper']) with ordinality as h (name, ord)
  union all
  select 1, bench.rand(hashtext(brand || form), 17), initcap(brand) || ' ' || form, brand || tld
  from unnest(array['vel', 'nor', 'zen', 'quant', 'ar', 'lum', 'kor', 'sol', 'tera', 'omni', 'hex', 'nova', 'vert',
      'axi', 'bright', 'cloud', 'data', 'blue', 'iron', 'green', 'swift', 'true', 'deep', 'open', 'sky', 'peak',
      'core', 'flux', 'pixel', 'signal', 'harbor', 'summit', 'cobalt', 'amber', 'cedar', 'delta', 'echo', 'fable',
      'granite', 'helix', 'indigo', 'jade', 'kite', 'lyra', 'maple', 'nimbus', 'orbit', 'prism', 'quartz', 'river',
      'sable', 'tidal', 'umber', 'vivid', 'willow', 'xeno', 'yonder', 'zephyr', 'atlas', 'boreal']) brand_root,
    unnest(array['tech', 'soft', 'works', 'data', 'logic', 'labs', 'net', 'ware', 'gen', 'ify', 'corp', 'sys',
      'tronix', 'wave', 'point', 'forge', 'stack', 'mind', 'link', 'scale', 'path', 'base', 'grid', 'hub', 'ly']) brand_tail,
    lateral (select brand_root || brand_tail as brand) b,
    unnest(array['Inc', 'GmbH'], array['.com', '.de']) as forms (form, tld)
  where brand_root <> brand_tail
) orgs
order by src, ord
limit 3000;

-- E.164 numbers for contact i, in seven countries weighted roughly like a European/American
-- customer base (US 35%, GB 15%, DE 15%, FR 10%, ES 8%, BR 9%, IN 8%). The last seven digits are
-- i times an odd multiplier prime to 10, i.e. a bijection mod 10^7: no two contacts of any owner
-- share a number (the channels table keeps numbers unique per owner), without a dedupe pass.
create function bench.phone_e164(i bigint)
returns text
language sql
immutable
parallel safe
as $$
  select case
    when country < 0.35 then '+1' || (201 + floor(area * 789))::integer || subscriber
    when country < 0.50 then '+447' || lpad(floor(area * 100)::integer::text, 2, '0') || subscriber
    when country < 0.65 then '+49' || bench.pick(area, array['151', '152', '157', '160', '162', '170', '171', '172', '176', '177']) || subscriber
    when country < 0.75 then '+33' || bench.pick(area, array['6', '7']) || floor(bench.rand(i, 22) * 10)::integer || subscriber
    when country < 0.83 then '+346' || floor(area * 10)::integer || subscriber
    when country < 0.92 then '+55' || bench.pick(area, array['11', '21', '31', '41', '51', '61', '71', '81']) || '9'
      || floor(bench.rand(i, 22) * 10)::integer || subscriber
    else '+91' || bench.pick(area, array['9', '8', '7']) || lpad(floor(bench.rand(i, 22) * 100)::integer::text, 2, '0') || subscriber
  end
  from (select bench.rand(i, 20) as country, bench.rand(i, 21) as area,
    lpad(((i * 2654435761) % 10000000)::text, 7, '0') as subscriber) draws
$$;

-- The national written form of an E.164 number of the countries above: trunk prefix, grouping,
-- parentheses and dashes as people type them, e.g. +14155550123 -> (415) 555-0123.
create function bench.national_format(e164 text)
returns text
language sql
immutable
as $$
  select case
    when e164 like '+1%' then format('(%s) %s-%s', substr(e164, 3, 3), substr(e164, 6, 3), substr(e164, 9))
    when e164 like '+44%' then format('0%s %s', substr(e164, 4, 4), substr(e164, 8))
    when e164 like '+49%' then format('0%s %s', substr(e164, 4, 3), substr(e164, 7))
    when e164 like '+33%' then format('0%s %s %s %s %s', substr(e164, 4, 1), substr(e164, 5, 2), substr(e164, 7, 2),
      substr(e164, 9, 2), substr(e164, 11, 2))
    when e164 like '+34%' then format('%s %s %s', substr(e164, 4, 3), substr(e164, 7, 3), substr(e164, 10))
    when e164 like '+55%' then format('(%s) %s-%s', substr(e164, 4, 2), substr(e164, 6, 5), substr(e164, 11))
    when e164 like '+91%' then format('0%s %s', substr(e164, 4, 5), substr(e164, 9))
  end
$$;
