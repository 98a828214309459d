-- Test helpers, on the model of supabase-test-helpers (same names and behaviour): users with
-- memorable names, role switching local to the test's transaction, and an agent-scoped variant.
-- This file sorts first and commits the `tests` schema, so every later file (each one a single
-- transaction that rolls back) can use it. Never installed by a migration.
create extension if not exists pgtap with schema extensions;

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;
alter default privileges in schema tests grant execute on functions to anon, authenticated, service_role;

-- Creates a user in auth.users tagged with a test identifier; returns its id.
create or replace function tests.create_supabase_user(identifier text, email text default null, phone text default null, metadata jsonb default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  user_id uuid := gen_random_uuid();
begin
  insert into auth.users (id, aud, role, email, phone, raw_user_meta_data, raw_app_meta_data, created_at, updated_at)
  values (
    user_id, 'authenticated', 'authenticated',
    coalesce(create_supabase_user.email, concat(create_supabase_user.identifier, '@test.example')),
    create_supabase_user.phone,
    jsonb_build_object('test_identifier', create_supabase_user.identifier) || coalesce(create_supabase_user.metadata, '{}'::jsonb),
    '{"provider": "email", "providers": ["email"]}'::jsonb,
    now(), now());
  return user_id;
end;
$$;

create or replace function tests.get_supabase_user(identifier text)
returns json
language sql
stable
security definer
set search_path = ''
as $$
  select json_build_object('id', u.id, 'email', u.email, 'phone', u.phone,
    'raw_user_meta_data', u.raw_user_meta_data, 'raw_app_meta_data', u.raw_app_meta_data)
  from auth.users u
  where u.raw_user_meta_data ->> 'test_identifier' = get_supabase_user.identifier
$$;

create or replace function tests.get_supabase_uid(identifier text)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  user_id uuid;
begin
  select u.id into user_id from auth.users u where u.raw_user_meta_data ->> 'test_identifier' = get_supabase_uid.identifier;
  if user_id is null then
    raise exception 'user with identifier % not found', get_supabase_uid.identifier;
  end if;
  return user_id;
end;
$$;

-- Becomes the user as PostgREST would: role authenticated, claims in request.jwt.claims (with the
-- role claim), both local to the transaction. extra_claims adds claims such as agent_id.
create or replace function tests.authenticate_as(identifier text, extra_claims jsonb default '{}'::jsonb)
returns void
language plpgsql
set search_path = ''
as $$
declare
  user_data json := tests.get_supabase_user(authenticate_as.identifier);
begin
  if user_data is null or user_data ->> 'id' is null then
    raise exception 'user with identifier % not found', authenticate_as.identifier;
  end if;
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims', (jsonb_build_object(
    'sub', user_data ->> 'id',
    'role', 'authenticated',
    'aud', 'authenticated',
    'email', user_data ->> 'email',
    'phone', user_data ->> 'phone',
    'user_metadata', user_data -> 'raw_user_meta_data',
    'app_metadata', user_data -> 'raw_app_meta_data') || authenticate_as.extra_claims)::text, true);
end;
$$;

-- An agent-scoped token: the owner's JWT carrying the agent_id claim.
create or replace function tests.authenticate_as_agent(identifier text, agent_id uuid)
returns void
language sql
set search_path = ''
as $$
  select tests.authenticate_as(authenticate_as_agent.identifier, jsonb_build_object('agent_id', authenticate_as_agent.agent_id))
$$;

create or replace function tests.authenticate_as_service_role()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'service_role', true);
  perform set_config('request.jwt.claims', '{"role": "service_role"}', true);
end;
$$;

create or replace function tests.clear_authentication()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'anon', true);
  perform set_config('request.jwt.claims', '{"role": "anon"}', true);
end;
$$;

-- One assertion: RLS is enabled on every table of a schema (or on one table). pgTAP's is() and ok()
-- call each other unqualified, so extensions must be on the path.
create or replace function tests.rls_enabled(testing_schema text)
returns text
language sql
set search_path = extensions, pg_catalog
as $$
  select extensions.is(
    (select count(*)::integer from pg_catalog.pg_tables t where t.schemaname = rls_enabled.testing_schema and not t.rowsecurity),
    0,
    format('every table in schema %I has row level security enabled', rls_enabled.testing_schema))
$$;

create or replace function tests.rls_enabled(testing_schema text, testing_table text)
returns text
language sql
set search_path = extensions, pg_catalog
as $$
  select extensions.ok(
    (select t.rowsecurity from pg_catalog.pg_tables t
     where t.schemaname = rls_enabled.testing_schema and t.tablename = rls_enabled.testing_table),
    format('table %I.%I has row level security enabled', rls_enabled.testing_schema, rls_enabled.testing_table))
$$;

-- An import job of the user with this identifier, for file `job_name`.csv in their imports folder,
-- created as the function creates it and started as its worker starts it (status processing).
create or replace function tests.create_import_job(identifier text, job_name text, dry_run boolean default false, source text default 'upload')
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  owner_id uuid := tests.get_supabase_uid(identifier);
  job_id uuid;
begin
  select j.job_id into job_id from private.create_import_job(owner_id, job_name || '.csv', 1, md5(job_name) || md5(job_name),
    'imports/' || owner_id || '/' || job_name || '.csv', create_import_job.source, '{}', '{}', create_import_job.dry_run, 2, false) j;
  update public.contact_import_jobs set status = 'processing' where id = job_id;
  return job_id;
end;
$$;

begin;
select plan(7);

select has_function('tests', 'create_supabase_user', 'the helpers install tests.create_supabase_user, with which the tests create their users');
select lives_ok($$ select tests.create_supabase_user('helpers_probe') $$, 'a test user can be created');
select lives_ok($$ select tests.authenticate_as('helpers_probe') $$, 'a test user can be authenticated as');
select is(auth.uid(), tests.get_supabase_uid('helpers_probe'), 'authenticate_as sets the sub claim read by auth.uid()');
select is(current_role::text, 'authenticated', 'authenticate_as switches to the authenticated role');
select is(auth.jwt() ->> 'role', 'authenticated', 'authenticate_as sets the role claim');
select tests.clear_authentication();
select is(current_role::text, 'anon', 'clear_authentication switches back to anon');

select * from finish();
rollback;
