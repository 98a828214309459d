-- A contact's display name is made from its names when none is given. An update import that changed
-- the names left it as it was, so a renamed contact kept its old name in lists, search and agents'
-- answers. The batch writer now carries a display name the row does not give along with the names
-- when it was made from them (or, without names, from the organization or a channel); one chosen
-- otherwise stays, the change log keeps the old one for undo, and a dry run shows the same
-- (20251020000101, 20251020000102).
begin;
select plan(12);

-- ============================================================================================
-- Setup (superuser): owner naming_owner with
--   Bob Smith (display made from his names), Bobby (Robert Smith, display chosen), ann@example.com
--   (an address only), Acme (an organization only), Ada (first name only), Eve Moneypenny (her first
--   name stored with blanks after it);
--   jobs: updating and renaming (on_duplicate update), filling (merge_fill_empty), previewing (dry run, update)
-- ============================================================================================
select tests.create_supabase_user('naming_owner');
insert into public.contacts (id, user_id, first_name, last_name, display_name, organization) values
  ('21200000-0000-4000-8000-000000000001', tests.get_supabase_uid('naming_owner'), 'Bob', 'Smith', null, null),
  ('21200000-0000-4000-8000-000000000002', tests.get_supabase_uid('naming_owner'), 'Robert', 'Smith', 'Bobby', null),
  ('21200000-0000-4000-8000-000000000003', tests.get_supabase_uid('naming_owner'), null, null, 'ann@example.com', null),
  ('21200000-0000-4000-8000-000000000004', tests.get_supabase_uid('naming_owner'), null, null, null, 'Acme'),
  ('21200000-0000-4000-8000-000000000005', tests.get_supabase_uid('naming_owner'), 'Ada', null, null, null),
  ('21200000-0000-4000-8000-000000000006', tests.get_supabase_uid('naming_owner'), E'Eve\t ', 'Moneypenny', null, null);
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
select tests.get_supabase_uid('naming_owner'), ('21200000-0000-4000-8000-00000000000' || n)::uuid, 'email', address
from (values (1, 'bob@example.com'), (2, 'bobby@example.com'), (3, 'ann@example.com'), (4, 'info@acme.example'),
             (5, 'ada@example.com'), (6, 'eve@example.com')) as v (n, address);

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to authenticated, service_role;
insert into job_ids
select name, (select job_id from private.create_import_job(tests.get_supabase_uid('naming_owner'), name || '.csv', 10,
  md5(name) || md5(name), 'imports/' || tests.get_supabase_uid('naming_owner') || '/' || name || '.csv', 'upload', '{}',
  jsonb_build_object('on_duplicate', policy), dry_run, 10, false))
from (values ('updating', 'update', false), ('filling', 'merge_fill_empty', false), ('renaming', 'update', false),
             ('previewing', 'update', true))
  as v (name, policy, dry_run);
update public.contact_import_jobs set status = 'processing' where id in (select id from job_ids);

-- A batch of rows, each an e-mail address with the names and display name given.
create function pg_temp.import(job text, rows jsonb) returns jsonb
language sql as $$
  select private.import_contacts_batch((select id from job_ids where name = job), (
    select json_agg(json_build_object('n', r.n + 1, 'k', r.address, 'first_name', r.first_name, 'last_name', r.last_name,
      'display_name', r.display_name,
      'channels', json_build_array(json_build_object('t', 'email', 'v', r.address, 'nv', r.address, 'p', true, 'col', 'email'))))
    from rows from (jsonb_to_recordset(rows) as (address text, first_name text, last_name text, display_name text))
      with ordinality as r (address, first_name, last_name, display_name, n)),
    '[]'::json, 100, 2 + jsonb_array_length(rows))
$$;

create function pg_temp.display_names() returns setof text
language sql as $$
  select c.display_name from public.contacts c where c.user_id = tests.get_supabase_uid('naming_owner') order by c.id
$$;

-- ============================================================================================
-- Persona: owner (naming_owner)
-- ============================================================================================
select tests.authenticate_as('naming_owner');

select is(pg_temp.import('previewing', '[
  {"address": "bob@example.com", "first_name": "Robert"},
  {"address": "ann@example.com", "first_name": "Ann", "last_name": "Lee"}]'),
  '{"created": 0, "updated": 2, "skipped": 0, "failed": 0}'::jsonb, 'a dry run of two updates counts them');
select results_eq(
  $$ select c -> 'changes' -> 'display_name' from public.contact_import_jobs j, jsonb_array_elements(j.dry_run_report -> 'changed') c
     where j.id = (select id from job_ids where name = 'previewing') order by (c ->> 'row')::int $$,
  $$ values ('{"from": "Bob Smith", "to": "Robert Smith"}'::jsonb), ('{"from": "ann@example.com", "to": "Ann Lee"}'::jsonb) $$,
  'the dry run shows each display name following the names');
select results_eq($$ select * from pg_temp.display_names() $$,
  $$ values ('Bob Smith'), ('Bobby'), ('ann@example.com'), ('Acme'), ('Ada'), ('Eve Moneypenny') $$, 'and writes none');

select is(pg_temp.import('updating', '[
  {"address": "bob@example.com", "first_name": "Robert"},
  {"address": "bobby@example.com", "first_name": "Rob"},
  {"address": "ann@example.com", "first_name": "Ann", "last_name": "Lee"},
  {"address": "info@acme.example", "first_name": "Carl", "last_name": "Acme"},
  {"address": "eve@example.com", "first_name": "Evelyn"}]'),
  '{"created": 0, "updated": 5, "skipped": 0, "failed": 0}'::jsonb, 'an update import renames five contacts');
select results_eq($$ select * from pg_temp.display_names() $$,
  $$ values ('Robert Smith'), ('Bobby'), ('Ann Lee'), ('Carl Acme'), ('Ada'), ('Evelyn Moneypenny') $$,
  'the display names made from names (blanks around them too), an address or an organization follow the new names; Bobby, chosen, stays');
select results_eq(
  $$ select c.previous -> 'display_name' from public.contact_import_changes c
     where c.job_id = (select id from job_ids where name = 'updating') and c.previous ? 'display_name' order by c.contact_id $$,
  $$ values ('"Bob Smith"'::jsonb), ('"ann@example.com"'::jsonb), ('"Acme"'::jsonb), ('"Eve Moneypenny"'::jsonb) $$,
  'the change log keeps each display name the import replaced');

select is(pg_temp.import('filling', '[
  {"address": "ada@example.com", "last_name": "Lovelace"},
  {"address": "bob@example.com", "first_name": "Bert", "last_name": "Jones"}]'),
  '{"created": 0, "updated": 2, "skipped": 0, "failed": 0}'::jsonb, 'a merge_fill_empty import meets Ada and Robert');
select results_eq($$ select * from pg_temp.display_names() $$,
  $$ values ('Robert Smith'), ('Bobby'), ('Ann Lee'), ('Carl Acme'), ('Ada Lovelace'), ('Evelyn Moneypenny') $$,
  'filling Ada''s empty last name extends her display name; Robert''s names are kept, and so is his display name');

select is(pg_temp.import('renaming', '[{"address": "ada@example.com", "first_name": "Augusta", "display_name": "Countess"}]'),
  '{"created": 0, "updated": 1, "skipped": 0, "failed": 0}'::jsonb, 'a row that gives a display name updates Ada');
select is((select display_name from public.contacts where id = '21200000-0000-4000-8000-000000000005'), 'Countess',
  'the display name the row gives wins over the names');

-- The worker (the service) completes the jobs; the owner undoes the update import.
select tests.authenticate_as_service_role();
update public.contact_import_jobs set status = 'completed', total_rows = processed_rows
where id in (select id from job_ids where name <> 'previewing');
select tests.authenticate_as('naming_owner');
select is(private.undo_import_job((select id from job_ids where name = 'updating')),
  '{"done": true, "kept": 0, "removed": 0, "restored": 5}'::jsonb, 'undoing the first update import restores its five contacts');
select results_eq($$ select * from pg_temp.display_names() $$,
  $$ values ('Bob Smith'), ('Bobby'), ('ann@example.com'), ('Acme'), ('Countess'), ('Eve Moneypenny') $$,
  'each is shown under its old display name again, the address-only and organization-only contacts too');

select * from finish();
rollback;
