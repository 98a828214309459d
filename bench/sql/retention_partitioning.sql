-- Time partitioning of contact_interactions, measured on a sample of the retention benchmark's
-- interactions (every row whose id's first byte is below :sample_byte, of 256): the same rows in a
-- plain table with the indexes of contact_interactions, and in a table partitioned by month of
-- occurred_at (a partition per month of the data, a default partition for rows routed out of
-- dropped months; the primary key must then include occurred_at). Measured, each way:
--   load      inserting the sample (what converting the table costs per row), indexes built after
--   purge     removing the rows past :retain_days not under legal hold: plain, one DELETE ... WHERE;
--             partitioned, every month wholly past the cutoff detached, its held rows inserted
--             again (they land in the default partition), the month dropped, then a DELETE of the
--             month that straddles the cutoff
--   erase     deleting the interactions of 200 contacts one contact at a time (gdpr-delete's shape)
--   lookup    2000 interactions read by id (the shape of an update or a merge by id)
-- Results in bench_partitioning.timings; the caller reads them and drops the schema.
select set_config('bench.sample_byte', :'sample_byte', false), set_config('bench.retain_days', :'retain_days', false);
drop schema if exists bench_partitioning cascade;
create schema bench_partitioning;
create table bench_partitioning.timings (measure text primary key, plain_ms numeric, partitioned_ms numeric, plain_rows bigint, partitioned_rows bigint);

create table bench_partitioning.plain (like public.contact_interactions including defaults);
create table bench_partitioning.parted (like public.contact_interactions including defaults) partition by range (occurred_at);
do $$
declare
  month timestamptz;
begin
  for month in
    select generate_series(date_trunc('month', min(occurred_at)), date_trunc('month', max(occurred_at)), interval '1 month')
    from public.contact_interactions
  loop
    execute format('create table bench_partitioning.%I partition of bench_partitioning.parted for values from (%L) to (%L)',
      'parted_' || to_char(month, 'YYYY_MM'), month, month + interval '1 month');
  end loop;
end
$$;
create table bench_partitioning.parted_default partition of bench_partitioning.parted default;

do $$
declare
  started timestamptz;
  plain_ms numeric;
  plain_rows bigint;
  rows bigint;
begin
  started := clock_timestamp();
  insert into bench_partitioning.plain select * from public.contact_interactions where get_byte(uuid_send(id), 0) < current_setting('bench.sample_byte')::int;
  get diagnostics plain_rows = row_count;
  alter table bench_partitioning.plain add primary key (id);
  create index on bench_partitioning.plain (contact_id, user_id, occurred_at desc);
  create index on bench_partitioning.plain (user_id, occurred_at);
  plain_ms := extract(epoch from clock_timestamp() - started) * 1000;
  started := clock_timestamp();
  insert into bench_partitioning.parted select * from public.contact_interactions where get_byte(uuid_send(id), 0) < current_setting('bench.sample_byte')::int;
  get diagnostics rows = row_count;
  alter table bench_partitioning.parted add primary key (id, occurred_at);
  create index on bench_partitioning.parted (contact_id, user_id, occurred_at desc);
  create index on bench_partitioning.parted (user_id, occurred_at);
  insert into bench_partitioning.timings values ('load', plain_ms, extract(epoch from clock_timestamp() - started) * 1000, plain_rows, rows);
end
$$;
analyze bench_partitioning.plain;
analyze bench_partitioning.parted;
create table bench_partitioning.sample_contacts as
select x.contact_id, x.user_id from (select distinct contact_id, user_id from bench_partitioning.plain) x
order by md5(x.contact_id::text) limit 200;

do $$
declare
  cutoff constant timestamptz := now() - make_interval(days => current_setting('bench.retain_days')::int);
  started timestamptz;
  plain_ms numeric;
  plain_rows bigint;
  rows bigint := 0;
  moved bigint;
  part record;
begin
  started := clock_timestamp();
  delete from bench_partitioning.plain i where i.occurred_at < cutoff
    and not exists (select 1 from public.contacts c where c.id = i.contact_id and c.user_id = i.user_id and c.legal_hold);
  get diagnostics plain_rows = row_count;
  plain_ms := extract(epoch from clock_timestamp() - started) * 1000;

  started := clock_timestamp();
  for part in
    select c.oid::regclass as partition, (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz as upper_bound
    from pg_inherits h join pg_class c on c.oid = h.inhrelid
    where h.inhparent = 'bench_partitioning.parted'::regclass and c.relname <> 'parted_default'
    order by 2
  loop
    exit when part.upper_bound > cutoff;
    execute format('select count(*) from %s', part.partition) into moved;
    execute format('alter table bench_partitioning.parted detach partition %s', part.partition);
    rows := rows + moved;
    execute format('insert into bench_partitioning.parted select i.* from %s i where exists (
      select 1 from public.contacts c where c.id = i.contact_id and c.user_id = i.user_id and c.legal_hold)', part.partition);
    get diagnostics moved = row_count;
    rows := rows - moved;
    execute format('drop table %s', part.partition);
  end loop;
  delete from bench_partitioning.parted i where i.occurred_at < cutoff
    and not exists (select 1 from public.contacts c where c.id = i.contact_id and c.user_id = i.user_id and c.legal_hold);
  get diagnostics moved = row_count;
  insert into bench_partitioning.timings values ('purge', plain_ms, extract(epoch from clock_timestamp() - started) * 1000, plain_rows, rows + moved);
end
$$;

do $$
declare
  started timestamptz;
  plain_ms numeric;
  plain_rows bigint := 0;
  rows bigint := 0;
  n bigint;
  subject record;
begin
  started := clock_timestamp();
  for subject in select * from bench_partitioning.sample_contacts loop
    delete from bench_partitioning.plain i where i.contact_id = subject.contact_id and i.user_id = subject.user_id;
    get diagnostics n = row_count;
    plain_rows := plain_rows + n;
  end loop;
  plain_ms := extract(epoch from clock_timestamp() - started) * 1000;
  started := clock_timestamp();
  for subject in select * from bench_partitioning.sample_contacts loop
    delete from bench_partitioning.parted i where i.contact_id = subject.contact_id and i.user_id = subject.user_id;
    get diagnostics n = row_count;
    rows := rows + n;
  end loop;
  insert into bench_partitioning.timings values ('erase', plain_ms, extract(epoch from clock_timestamp() - started) * 1000, plain_rows, rows);
end
$$;

do $$
declare
  started timestamptz;
  plain_ms numeric;
  plain_rows bigint := 0;
  rows bigint := 0;
  ids uuid[];
  one uuid;
begin
  select array_agg(id) into ids from (select id from bench_partitioning.plain order by md5(id::text) limit 2000) x;
  started := clock_timestamp();
  foreach one in array ids loop
    plain_rows := plain_rows + (select count(*) from bench_partitioning.plain i where i.id = one);
  end loop;
  plain_ms := extract(epoch from clock_timestamp() - started) * 1000;
  started := clock_timestamp();
  foreach one in array ids loop
    rows := rows + (select count(*) from bench_partitioning.parted i where i.id = one);
  end loop;
  insert into bench_partitioning.timings values ('lookup', plain_ms, extract(epoch from clock_timestamp() - started) * 1000, plain_rows, rows);
end
$$;
