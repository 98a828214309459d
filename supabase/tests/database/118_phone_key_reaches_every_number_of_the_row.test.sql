-- Under the phone key every number of a row reaches a contact that holds it as a phone, SMS or
-- WhatsApp channel, not only the key number (20251018000007): a second number another contact has
-- is a conflict, and no contact is given a number another one holds under another type.
begin;
select plan(4);

select tests.create_supabase_user('numbers_owner');
insert into public.contacts (id, user_id, first_name) values
  ('18000000-0000-4000-8000-000000000001', tests.get_supabase_uid('numbers_owner'), 'Ada'),
  ('18000000-0000-4000-8000-000000000002', tests.get_supabase_uid('numbers_owner'), 'Grace');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary) values
  (tests.get_supabase_uid('numbers_owner'), '18000000-0000-4000-8000-000000000001', 'phone', '+447700900201', true),
  (tests.get_supabase_uid('numbers_owner'), '18000000-0000-4000-8000-000000000002', 'phone', '+447700900202', true);

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to service_role;
insert into job_ids values ('by_phone', tests.create_import_job('numbers_owner', 'by_phone')),
  ('by_email', tests.create_import_job('numbers_owner', 'by_email'));
update public.contact_import_jobs set options = '{"dedupe_key": "phone", "on_duplicate": "update"}' where id = (select id from job_ids where name = 'by_phone');
update public.contact_import_jobs set options = '{"dedupe_key": "email", "on_duplicate": "update"}' where id = (select id from job_ids where name = 'by_email');

select tests.authenticate_as_service_role();
select is(private.import_contacts_batch((select id from job_ids where name = 'by_phone'), $$[
  {"n": 2, "k": "+447700900201", "first_name": "Ada",
   "channels": [{"t": "phone", "v": "+447700900201", "nv": "+447700900201", "p": true, "col": "phone"},
                {"t": "sms", "v": "+447700900202", "nv": "+447700900202", "p": true, "col": "sms"}]}
]$$::json, '[]'::json, 100, 2), '{"created": 0, "updated": 0, "skipped": 0, "failed": 1}'::jsonb,
  'a row keyed by Ada''s number that gives Grace''s phone number as SMS fails');
select is((select column_name || ': ' || reason from public.contact_import_job_errors where job_id = (select id from job_ids where name = 'by_phone')),
  'sms: identifier_conflict: this sms belongs to another contact', 'the error report names the number''s column');
select is_empty($$ select 1 from public.contact_communication_channels where normalized_identifier = '+447700900202'
    and contact_id = '18000000-0000-4000-8000-000000000001' $$, 'Ada is not given the number Grace holds');

select is(private.import_contacts_batch((select id from job_ids where name = 'by_email'), $$[
  {"n": 2, "k": "lin@example.com", "first_name": "Lin",
   "channels": [{"t": "email", "v": "lin@example.com", "nv": "lin@example.com", "p": true, "col": "email"},
                {"t": "sms", "v": "+447700900202", "nv": "+447700900202", "p": true, "col": "sms"}]}
]$$::json, '[]'::json, 100, 2), '{"created": 1, "updated": 0, "skipped": 0, "failed": 0}'::jsonb,
  'under the e-mail key a number is matched by its own type only, as before');
reset role;

select * from finish();
rollback;
