-- Under dedupe_key=phone the number identifies the contact however it is stored: a row giving it as
-- WhatsApp matches the contact that has it as a phone, in the tables and in a dry run's claims, as
-- the function already settled such rows within one batch (20251018000002). A number two contacts
-- hold is a conflict; the other keys still match a channel of their own type only.
begin;
select plan(8);

select tests.create_supabase_user('phone_key_owner');
insert into public.contacts (id, user_id, first_name) values
  ('13000000-0000-4000-8000-000000000001', tests.get_supabase_uid('phone_key_owner'), 'Ada'),
  ('13000000-0000-4000-8000-000000000002', tests.get_supabase_uid('phone_key_owner'), 'Grace'),
  ('13000000-0000-4000-8000-000000000003', tests.get_supabase_uid('phone_key_owner'), 'Hedy');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary) values
  (tests.get_supabase_uid('phone_key_owner'), '13000000-0000-4000-8000-000000000001', 'phone', '+447700900001', true),
  (tests.get_supabase_uid('phone_key_owner'), '13000000-0000-4000-8000-000000000001', 'phone', '+447700900003', false),
  (tests.get_supabase_uid('phone_key_owner'), '13000000-0000-4000-8000-000000000002', 'sms', '+447700900002', true),
  (tests.get_supabase_uid('phone_key_owner'), '13000000-0000-4000-8000-000000000003', 'phone', '+447700900002', true);

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to service_role;
insert into job_ids values
  ('by_phone', tests.create_import_job('phone_key_owner', 'by_phone')),
  ('by_email', tests.create_import_job('phone_key_owner', 'by_email')),
  ('dry_by_phone', tests.create_import_job('phone_key_owner', 'dry_by_phone', dry_run => true));
update public.contact_import_jobs set options = '{"dedupe_key": "phone", "on_duplicate": "update"}'
where id in (select id from job_ids where name in ('by_phone', 'dry_by_phone'));
update public.contact_import_jobs set options = '{"dedupe_key": "email", "on_duplicate": "update"}'
where id = (select id from job_ids where name = 'by_email');

create function pg_temp.row_with(n int, key text, channel_type text, number text, email text default null) returns json language sql as $$
  select json_build_object('n', n, 'k', key, 'first_name', 'Row ' || n, 'channels',
    json_build_array(json_build_object('t', channel_type, 'v', number, 'nv', number, 'p', true, 'col', channel_type))::jsonb
      || case when email is null then '[]'::jsonb
              else jsonb_build_array(jsonb_build_object('t', 'email', 'v', email, 'nv', email, 'p', true, 'col', 'email')) end)
$$;

select tests.authenticate_as_service_role();
select is(private.import_contacts_batch((select id from job_ids where name = 'by_phone'),
    json_build_array(pg_temp.row_with(2, '+447700900001', 'whatsapp', '+447700900001')), '[]'::json, 100, 2),
  '{"created": 0, "updated": 1, "skipped": 0, "failed": 0}'::jsonb,
  'a row giving as WhatsApp the number a contact has as a phone updates that contact');
select results_eq($$ select channel_type from public.contact_communication_channels
    where contact_id = '13000000-0000-4000-8000-000000000001' and normalized_identifier = '+447700900001' order by 1 $$,
  $$ values ('phone'), ('whatsapp') $$, 'the contact gains the WhatsApp channel beside its phone');

select is(private.import_contacts_batch((select id from job_ids where name = 'by_phone'),
    json_build_array(pg_temp.row_with(3, '+447700900002', 'whatsapp', '+447700900002')), '[]'::json, 200, 3),
  '{"created": 0, "updated": 0, "skipped": 0, "failed": 1}'::jsonb,
  'a number two contacts hold (as a phone and as SMS) is a conflict, not a guess');
select is((select reason from public.contact_import_job_errors where job_id = (select id from job_ids where name = 'by_phone') and row_number = 3),
  'identifier_conflict: this whatsapp belongs to another contact', 'the error report says which identifier conflicts');

select is(private.import_contacts_batch((select id from job_ids where name = 'by_email'),
    json_build_array(pg_temp.row_with(2, 'lin@example.com', 'whatsapp', '+447700900003', 'lin@example.com')), '[]'::json, 100, 2),
  '{"created": 1, "updated": 0, "skipped": 0, "failed": 0}'::jsonb,
  'under the e-mail key a WhatsApp number is held only by a WhatsApp channel: the row creates its contact');

select is(private.import_contacts_batch((select id from job_ids where name = 'dry_by_phone'),
    json_build_array(pg_temp.row_with(2, '+447700900009', 'phone', '+447700900009')), '[]'::json, 100, 2),
  '{"created": 1, "updated": 0, "skipped": 0, "failed": 0}'::jsonb, 'a dry run counts a new number as a new contact');
select is(private.import_contacts_batch((select id from job_ids where name = 'dry_by_phone'),
    json_build_array(pg_temp.row_with(3, '+447700900009', 'sms', '+447700900009')), '[]'::json, 200, 3),
  '{"created": 0, "updated": 0, "skipped": 1, "failed": 0}'::jsonb,
  'a later batch of the dry run giving that number as SMS is the same contact: skipped');
select is((select reason from public.contact_import_job_errors where job_id = (select id from job_ids where name = 'dry_by_phone') and row_number = 3),
  'duplicate_in_file: an earlier row of this file matched the same contact', 'as the real import would skip it');
reset role;

select * from finish();
rollback;
