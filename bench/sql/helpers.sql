-- Helpers of the benchmark data generator, in a `bench` schema of the scratch database only (never
-- in a migration). Randomness is a hash of (row number, salt) rather than random(): every value is a
-- pure function of its row, so the data is the same whatever order or chunks rows are generated
-- in (a later 1M run may load in batches, or in parallel) and no setseed() state has to be threaded.
create schema bench;

-- Uniform in [0, 1): 53 bits of a 64-bit hash (hashint8extended is the hash partitioning uses, so it
-- is stable across platforms and minor versions).
create function bench.rand(i bigint, salt bigint)
returns double precision
language sql
immutable
parallel safe
as $$
  select ((hashint8extended(i, salt) >> 11) & 9007199254740991)::double precision / 9007199254740992.0
$$;

-- A rank in 1..k with Zipf-Mandelbrot frequencies, P(r) ~ 1 / (r + q): the inverse CDF of the
-- continuous 1/x density on [1 + q, k + 1 + q]. q flattens the head: with q = 0 rank 1 would take
-- ln 2 / ln k of all draws (8% of surnames would be Smith); q of 5..10 gives the 1-3% real name
-- statistics show for the most common names.
create function bench.zipf(u double precision, k integer, q double precision)
returns integer
language sql
immutable
parallel safe
as $$
  select least(k, greatest(1, floor((1 + q) * power((k + 1 + q) / (1 + q), u) - q)::integer))
$$;

-- Picks one element of a text array by a uniform draw.
create function bench.pick(u double precision, options text[])
returns text
language sql
immutable
parallel safe
as $$
  select options[1 + floor(u * cardinality(options))::integer]
$$;

-- What the cache compares: a dataset is reused only when it has the requested size and was built
-- by the same generator from the same schema (fingerprint of generator and migration files).
create table bench.dataset (
  contacts integer not null,
  owners integer not null,
  big_owner_share numeric not null,
  fingerprint text not null,
  generation_seconds numeric not null,
  generated_at timestamptz not null default now()
);
