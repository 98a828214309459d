begin;
select plan(4);

-- Every table, index, policy and function of the project's schemas carries a `comment on`, so
-- that the generated schema docs (npm run docs:schema, docs/schema.md) say what each one is for:
-- which query an index serves (those behind primary keys and unique constraints too), whom a
-- policy lets in, why a function needs definer rights. Catalog assertions only: no personas.

select is_empty($$
  select c.oid::regclass from pg_catalog.pg_class c
  where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace) and c.relkind in ('r', 'p', 'v', 'm')
    and coalesce(obj_description(c.oid, 'pg_class'), '') = ''
$$, 'every table and view in public and private has a comment');

select is_empty($$
  select c.oid::regclass from pg_catalog.pg_class c
  where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace) and c.relkind = 'i'
    and coalesce(obj_description(c.oid, 'pg_class'), '') = ''
$$, 'every index in public and private (those behind keys included) says which query it serves');

select is_empty($$
  select p.polname, p.polrelid::regclass from pg_catalog.pg_policy p
  join pg_catalog.pg_class c on c.oid = p.polrelid
  where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
    and coalesce(obj_description(p.oid, 'pg_policy'), '') = ''
$$, 'every RLS policy has a comment saying whom it lets in');

select is_empty($$
  select p.oid::regprocedure from pg_catalog.pg_proc p
  where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
    and coalesce(obj_description(p.oid, 'pg_proc'), '') = ''
$$, 'every function in public and private has a comment');

select * from finish();
rollback;
