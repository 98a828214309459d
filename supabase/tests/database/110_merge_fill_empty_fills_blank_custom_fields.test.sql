-- Under merge_fill_empty an import fills a contact's custom fields (metadata) that are missing, null
-- or blank, as it fills its empty scalar fields, and keeps those that hold a value; under update the
-- file's values win (20251017000001). Undo restores the custom fields as they were.
begin;
select plan(7);

select tests.create_supabase_user('custom_fields_owner');
insert into public.contacts (id, user_id, first_name, metadata) values
  ('11000000-0000-4000-8000-000000000001', tests.get_supabase_uid('custom_fields_owner'), 'Ada',
   '{"industry": "", "region": null, "tier": "  ", "source": "fair", "score": 3}');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary) values
  (tests.get_supabase_uid('custom_fields_owner'), '11000000-0000-4000-8000-000000000001', 'email', 'ada@example.com', true);

select is(private.import_merged_metadata('merge_fill_empty', '{"a": "", "b": "x", "c": null, "d": " "}', '{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}'),
  '{"a": "1", "b": "x", "c": "3", "d": "4", "e": "5"}'::jsonb,
  'merge_fill_empty fills custom fields that are blank, null or missing, and keeps one with a value');
select is(private.import_merged_metadata('update', '{"a": "", "b": "x"}', '{"b": "2"}'), '{"a": "", "b": "2"}'::jsonb,
  'update: the file''s values win, and fields the file does not name stay');
select is(private.import_merged_metadata('merge_fill_empty', '{"a": "x"}', null), '{"a": "x"}'::jsonb,
  'a row without custom fields leaves them as they are');

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to service_role;
insert into job_ids values ('fill', tests.create_import_job('custom_fields_owner', 'fill'));
update public.contact_import_jobs set options = '{"on_duplicate": "merge_fill_empty"}' where id = (select id from job_ids);

select tests.authenticate_as_service_role();
select is(private.import_contacts_batch((select id from job_ids), $$[
  {"n": 2, "k": "ada@example.com", "first_name": "Ada",
   "metadata": {"industry": "Aviation", "region": "EU", "tier": "gold", "source": "webinar", "score": "9", "team": "ops"},
   "channels": [{"t": "email", "v": "ada@example.com", "nv": "ada@example.com", "p": true, "col": "email"}]}
]$$::json, '[]'::json, 100, 2), '{"created": 0, "updated": 1, "skipped": 0, "failed": 0}'::jsonb,
  'the row updates the existing contact');
select is((select metadata from public.contacts where id = '11000000-0000-4000-8000-000000000001'),
  '{"industry": "Aviation", "region": "EU", "tier": "gold", "source": "fair", "score": 3, "team": "ops"}'::jsonb,
  'the blank, null and missing custom fields are filled from the file; those with a value keep it');

update public.contact_import_jobs set status = 'completed', total_rows = processed_rows where id = (select id from job_ids);
select is((private.undo_import_job((select id from job_ids), 100)) ->> 'restored', '1', 'undo restores the updated contact');
select is((select metadata from public.contacts where id = '11000000-0000-4000-8000-000000000001'),
  '{"industry": "", "region": null, "tier": "  ", "source": "fair", "score": 3}'::jsonb,
  'undo puts the custom fields back as they were, blanks included');
reset role;

select * from finish();
rollback;
