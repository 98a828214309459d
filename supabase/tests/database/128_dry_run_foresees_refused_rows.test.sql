-- A dry run fails the rows a real import's database would refuse (20251020000002): custom fields
-- over the 64 KB a contact holds, or more than 100 tags, once merged into the contact's own, and a
-- new contact's own over either limit. The real run refuses each of those rows with the check the
-- dry run foresees. A row after an accepted update of the same contact is a duplicate, as in the
-- real run, whatever it would add.
begin;
select plan(7);

select tests.create_supabase_user('refused_importer');
insert into public.contacts (id, user_id, first_name, tags, metadata) values
  ('12800000-0000-4000-8000-000000000001', tests.get_supabase_uid('refused_importer'), 'Tagged',
   array(select 'tag' || i from generate_series(1, 99) as i), '{}'),
  ('12800000-0000-4000-8000-000000000002', tests.get_supabase_uid('refused_importer'), 'Noted',
   '{}', jsonb_build_object('notes', repeat('n', 60000))),
  ('12800000-0000-4000-8000-000000000003', tests.get_supabase_uid('refused_importer'), 'Near',
   array(select 'tag' || i from generate_series(1, 98) as i), '{}');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('refused_importer'), '12800000-0000-4000-8000-000000000001', 'email', 'tagged@example.com'),
  (tests.get_supabase_uid('refused_importer'), '12800000-0000-4000-8000-000000000002', 'email', 'noted@example.com'),
  (tests.get_supabase_uid('refused_importer'), '12800000-0000-4000-8000-000000000003', 'email', 'near1@example.com'),
  (tests.get_supabase_uid('refused_importer'), '12800000-0000-4000-8000-000000000003', 'email', 'near2@example.com');

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to service_role;
insert into job_ids values
  ('preview', tests.create_import_job('refused_importer', 'preview', dry_run => true)),
  ('real', tests.create_import_job('refused_importer', 'real'));
update public.contact_import_jobs set options = '{"on_duplicate": "update"}', total_rows = 10 where id in (select id from job_ids);

create function pg_temp.email_row(n int, email text, extra jsonb) returns jsonb language sql as $$
  select jsonb_build_object('n', n, 'k', email,
    'channels', jsonb_build_array(jsonb_build_object('t', 'email', 'v', email, 'nv', email, 'p', true, 'c', null, 'col', 'email'))) || extra
$$;
create temporary table rows_in (name text primary key, batch json);
grant all on rows_in to service_role;
insert into rows_in values
  ('two_more_tags', json_build_array(pg_temp.email_row(2, 'tagged@example.com', '{"tags": ["new1", "new2"]}'))),
  ('more_notes', json_build_array(pg_temp.email_row(3, 'noted@example.com', jsonb_build_object('metadata', jsonb_build_object('more', repeat('m', 6000)))))),
  ('big_new', json_build_array(pg_temp.email_row(4, 'big@example.com', jsonb_build_object('metadata', jsonb_build_object('notes', repeat('b', 70000)))))),
  ('fine', json_build_array(pg_temp.email_row(5, 'fine@example.com', '{"first_name": "Fine", "tags": ["new1"]}'),
                            pg_temp.email_row(6, 'tagged@example.com', '{"tags": ["tag1"]}'))),
  ('near', json_build_array(pg_temp.email_row(7, 'near1@example.com', '{"tags": ["a1"]}'),
                            pg_temp.email_row(8, 'near2@example.com', '{"tags": ["b1", "b2", "b3"]}')));
insert into rows_in select 'all', json_agg(r order by (r ->> 'n')::int)
  from rows_in, json_array_elements(batch) as r where name <> 'all';

select tests.authenticate_as_service_role();
select is(private.import_contacts_batch((select id from job_ids where name = 'preview'), (select batch from rows_in where name = 'all'), '[]'::json, 100, 7),
  '{"created": 1, "updated": 2, "skipped": 1, "failed": 3}'::jsonb,
  'a dry run counts the rows the database would refuse as failed, and the others as before');
reset role;
select results_eq($$ select (e ->> 'row')::int, e ->> 'reason' from public.contact_import_jobs j,
    jsonb_array_elements(j.dry_run_report -> 'failing') as e where j.id = (select id from job_ids where name = 'preview') order by 1 $$,
  $$ values
    (2, 'too_many_tags: with this row the contact would have more than 100 tags'),
    (3, 'custom_fields_too_large: with this row the contact''s custom fields would exceed the 64 KB a contact holds'),
    (4, 'custom_fields_too_large: with this row the contact''s custom fields would exceed the 64 KB a contact holds') $$,
  'its report names each such row with the reason the real import gives it');

select tests.authenticate_as_service_role();
select throws_ok(format('select private.import_contacts_batch(%L, %L::json, ''[]'', 100, 3)', (select id from job_ids where name = 'real'), (select batch from rows_in where name = 'two_more_tags')),
  '23514', null, 'the real import''s database refuses the row with tags over 100 once merged');
select throws_ok(format('select private.import_contacts_batch(%L, %L::json, ''[]'', 100, 4)', (select id from job_ids where name = 'real'), (select batch from rows_in where name = 'more_notes')),
  '23514', null, 'and the row whose custom fields pass 64 KB once merged');
select throws_ok(format('select private.import_contacts_batch(%L, %L::json, ''[]'', 100, 5)', (select id from job_ids where name = 'real'), (select batch from rows_in where name = 'big_new')),
  '23514', null, 'and the new contact whose own custom fields pass 64 KB');
select is(private.import_contacts_batch((select id from job_ids where name = 'real'), (select batch from rows_in where name = 'fine'), '[]'::json, 100, 7),
  '{"created": 1, "updated": 1, "skipped": 0, "failed": 0}'::jsonb,
  'rows within the limits, a tag the contact already has included, are written as the dry run foresaw');
select is(private.import_contacts_batch((select id from job_ids where name = 'real'), (select batch from rows_in where name = 'near'), '[]'::json, 200, 9),
  '{"created": 0, "updated": 1, "skipped": 1, "failed": 0}'::jsonb,
  'the real run skips a row after an accepted update of its contact, as the dry run foresaw, whatever it would add');
reset role;

select * from finish();
rollback;
