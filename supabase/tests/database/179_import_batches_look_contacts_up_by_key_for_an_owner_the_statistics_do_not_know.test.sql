-- An import batch looks each row's contact up by key whatever the statistics know of its owner
-- (20251020000060). Planned with the owner's id as a constant, an owner the statistics had not yet
-- seen (the tables analyzed before its first rows) counted as no rows, and an update batch walked
-- all of that owner's contacts once per row: the functions that lock and write contacts now plan
-- generic. The identifier match plans for each call, with the real owner: planned generic, it
-- walked a big owner's channels per row. Here the statistics know only a neighbour, the owner's 300
-- contacts arrive, and a forced re-import updates them: the contacts' index entries it reads stay
-- a few per row, not the owner's all per row.
begin;
select plan(7);

-- The functions that lock and write contacts plan generic (the owner is a parameter, priced as an
-- average owner), the identifier match for each call; none with JIT.
select ok((select array['plan_cache_mode=force_custom_plan', 'jit=off'] <@ p.proconfig from pg_proc p
           where p.oid = 'private.import_contacts_batch(uuid, json, json, bigint, bigint)'::regprocedure),
  'private.import_contacts_batch(uuid, json, json, bigint, bigint) plans each call with the real owner, and without JIT');
select ok((select array['plan_cache_mode=force_generic_plan', 'jit=off'] <@ p.proconfig from pg_proc p where p.oid = f.f::regprocedure),
  format('%s plans generic and without JIT', f.f))
from (values
  ('private.import_settle_batch(public.contact_import_jobs, private.contact_import_plan[], text, text)'),
  ('private.import_apply_batch(public.contact_import_jobs, private.contact_import_plan[], text, uuid)'),
  ('private.import_dry_run_batch(public.contact_import_jobs, private.contact_import_plan[], text, json)')
) as f (f);

create function pg_temp.batch(first_name text) returns json
language sql
as $$
  select json_agg(json_build_object('n', i, 'k', 'p' || i || '@example.com', 'first_name', batch.first_name, 'last_name', 'L' || i,
    'channels', json_build_array(json_build_object('t', 'email', 'v', 'p' || i || '@example.com', 'nv', 'p' || i || '@example.com',
      'p', true, 'col', 'email'))) order by i)
  from generate_series(2, 301) as i
$$;
-- Index entries a table's indexes returned so far in this transaction.
create function pg_temp.index_reads(tbl regclass) returns bigint
language sql
as $$
  select sum(pg_stat_get_xact_tuples_returned(i.indexrelid))::bigint from pg_catalog.pg_index i where i.indrelid = index_reads.tbl
$$;
grant execute on all functions in schema pg_temp to service_role;

create temporary table jobs (name text primary key, id uuid) on commit drop;
create temporary table reads (name text primary key, contacts bigint, changes bigint) on commit drop;
grant all on jobs, reads to service_role;

-- The neighbour's contacts are all the statistics know.
select tests.create_supabase_user('stats_neighbour');
select tests.create_supabase_user('stats_newcomer');
insert into jobs
select v.name, j.job_id
from (values ('neighbour', 'stats_neighbour', false), ('first', 'stats_newcomer', false), ('again', 'stats_newcomer', true)) as v (name, who, force)
cross join lateral private.create_import_job(tests.get_supabase_uid(v.who), v.name || '.csv', 1, repeat('1', 64),
  'imports/' || tests.get_supabase_uid(v.who) || '/' || v.name || '.csv', 'upload', '{}', '{"on_duplicate": "update"}', false, 300, v.force) as j;
update public.contact_import_jobs set status = 'processing' where id in (select id from jobs);
select private.import_contacts_batch((select id from jobs where name = 'neighbour'), pg_temp.batch('N'), '[]', 100, 302);
analyze public.contacts, public.contact_communication_channels, public.contact_import_changes;

-- ============================================================================================
-- Service (the import worker) -- the newcomer's first import, then a forced re-import of it
-- ============================================================================================
select tests.authenticate_as_service_role();

select is(private.import_contacts_batch((select id from jobs where name = 'first'), pg_temp.batch('A'), '[]', 100, 302),
  '{"created": 300, "updated": 0, "skipped": 0, "failed": 0}'::jsonb,
  'the service imports 300 contacts for an owner the statistics have not seen');

insert into reads values ('before', pg_temp.index_reads('public.contacts'), pg_temp.index_reads('public.contact_import_changes'));
select is(private.import_contacts_batch((select id from jobs where name = 'again'), pg_temp.batch('B'), '[]', 100, 302),
  '{"created": 0, "updated": 300, "skipped": 0, "failed": 0}'::jsonb,
  'the service''s forced re-import updates the owner''s 300 contacts');
insert into reads values ('after', pg_temp.index_reads('public.contacts'), pg_temp.index_reads('public.contact_import_changes'));

-- A walk of the owner's rows per row reads 300 x 300 entries at least; by key, a few per row.
select cmp_ok((select a.contacts - b.contacts from reads a, reads b where a.name = 'after' and b.name = 'before'), '<', 3000::bigint,
  'the re-import read a few contacts per row, not all of the owner''s contacts per row');

select * from finish();
rollback;
