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
  specific_grants integer not null,
  fingerprint text not null,
  generation_seconds numeric not null,
  generated_at timestamptz not null default now()
);

-- Bulk loading: indexes that back no constraint are dropped before the load and built afterwards,
-- which is several times faster than maintaining them (the GIN ones above all) row by row. The
-- exact definitions and comments are kept, so the schema after the load is the migrations' own;
-- unique indexes among them re-check uniqueness when they are built. Constraint indexes stay: the
-- foreign keys of the load need them.
create table bench.deferred_indexes (
  table_name regclass not null,
  index_name text not null,
  definition text not null,
  comment text
);

create function bench.defer_indexes(tables regclass[])
returns void
language plpgsql
as $$
declare
  deferred record;
begin
  insert into bench.deferred_indexes (table_name, index_name, definition, comment)
  select i.indrelid::regclass, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), obj_description(i.indexrelid, 'pg_class')
  from pg_index i
  where i.indrelid = any (defer_indexes.tables)
    and not exists (select from pg_constraint c where c.conindid = i.indexrelid);
  for deferred in select index_name from bench.deferred_indexes loop
    execute format('drop index %s', deferred.index_name);
  end loop;
end;
$$;

create function bench.restore_indexes()
returns void
language plpgsql
as $$
declare
  deferred record;
begin
  for deferred in delete from bench.deferred_indexes returning * loop
    execute deferred.definition;
    if deferred.comment is not null then
      execute format('comment on index %s is %L', deferred.index_name, deferred.comment);
    end if;
  end loop;
end;
$$;
