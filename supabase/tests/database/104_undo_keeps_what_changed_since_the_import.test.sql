-- Undo of an import leaves what was changed after it (20251015000002, 20251015000003): a created
-- contact that since gained a channel, an interaction, another group or a consent change is kept,
-- with all of it; a channel the import added to an existing contact is kept once changed, while the
-- contact's fields are restored; a contact whose old external id another contact has taken is kept;
-- and a job whose undo has begun cannot be resumed.
begin;
select plan(14);

do $$
declare
  owner_id uuid := tests.create_supabase_user('undo_owner');
begin
  insert into public.contacts (id, user_id, first_name, external_id) values
    ('10400000-0000-4000-8000-000000000001', owner_id, 'Eve', null),
    ('10400000-0000-4000-8000-000000000002', owner_id, 'Ed', 'A1');
  insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary) values
    (owner_id, '10400000-0000-4000-8000-000000000001', 'email', 'eve@example.com', true),
    (owner_id, '10400000-0000-4000-8000-000000000002', 'email', 'ed@example.com', true);
  insert into public.contact_groups (id, user_id, name, group_type) values
    ('10400000-0000-4000-8000-0000000000a1', owner_id, 'Imported', 'static'),
    ('10400000-0000-4000-8000-0000000000a2', owner_id, 'Customers', 'static');
end
$$;

-- Owner: imports five new contacts and updates two
select tests.authenticate_as('undo_owner');
create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to authenticated, service_role;
insert into job_ids select 'main', job_id from private.create_import_job(tests.get_supabase_uid('undo_owner'), 'u.csv', 1,
  repeat('a', 64), 'imports/' || tests.get_supabase_uid('undo_owner') || '/u.csv', 'upload', '{}',
  '{"on_duplicate": "update", "group_id": "10400000-0000-4000-8000-0000000000a1"}', false, 8, false);
update public.contact_import_jobs set status = 'processing' where id = (select id from job_ids where name = 'main');
select is(private.import_contacts_batch((select id from job_ids where name = 'main'), $$[
  {"n": 2, "k": "c1@example.com", "first_name": "Untouched", "channels": [{"t": "email", "v": "c1@example.com", "nv": "c1@example.com", "p": true, "col": "email"}]},
  {"n": 3, "k": "c2@example.com", "first_name": "GotPhone", "channels": [{"t": "email", "v": "c2@example.com", "nv": "c2@example.com", "p": true, "col": "email"}]},
  {"n": 4, "k": "c3@example.com", "first_name": "Talked", "channels": [{"t": "email", "v": "c3@example.com", "nv": "c3@example.com", "p": true, "col": "email"}]},
  {"n": 5, "k": "c4@example.com", "first_name": "Grouped", "channels": [{"t": "email", "v": "c4@example.com", "nv": "c4@example.com", "p": true, "col": "email"}]},
  {"n": 6, "k": "c5@example.com", "first_name": "Consented", "channels": [{"t": "email", "v": "c5@example.com", "nv": "c5@example.com", "p": true, "col": "email"}]},
  {"n": 7, "k": "eve@example.com", "first_name": "Evelyn", "channels": [{"t": "email", "v": "eve@example.com", "nv": "eve@example.com", "p": true, "col": "email"},
    {"t": "phone", "v": "+442079460031", "nv": "+442079460031", "p": true, "col": "phone"}]},
  {"n": 8, "k": "ed@example.com", "first_name": "Edward", "external_id": "B1", "xcol": "id", "channels": [{"t": "email", "v": "ed@example.com", "nv": "ed@example.com", "p": true, "col": "email"}]}
]$$::json, '[]'::json, 100, 9), '{"created": 5, "updated": 2, "skipped": 0, "failed": 0}'::jsonb,
  'the import creates five contacts and updates Eve (a phone, her first name) and Ed (his external id)');
-- The worker (the service) completes the job.
select tests.authenticate_as_service_role();
update public.contact_import_jobs set status = 'completed', total_rows = processed_rows where id = (select id from job_ids where name = 'main');
-- Owner
select tests.authenticate_as('undo_owner');

-- The import happened an hour ago (one transaction has one now()): its rows and change log move back.
reset role;
set local session_replication_role = replica;
update public.contacts set updated_at = updated_at - interval '1 hour' where user_id = tests.get_supabase_uid('undo_owner');
update public.contact_communication_channels set created_at = created_at - interval '1 hour', updated_at = updated_at - interval '1 hour'
where user_id = tests.get_supabase_uid('undo_owner');
update public.contact_import_changes set contact_updated_at = contact_updated_at - interval '1 hour', created_at = created_at - interval '1 hour'
where user_id = tests.get_supabase_uid('undo_owner');
set local session_replication_role = origin;

-- Since then, the owner worked with the contacts.
select tests.authenticate_as('undo_owner');
insert into public.contact_communication_channels (contact_id, channel_type, identifier)
select id, 'phone', '+442079460032' from public.contacts where first_name = 'GotPhone';
insert into public.contact_interactions (contact_id, channel_id, channel_type, direction, content)
select c.id, ch.id, 'email', 'inbound', 'Hello' from public.contacts c join public.contact_communication_channels ch on ch.contact_id = c.id
where c.first_name = 'Talked';
insert into public.contact_group_memberships (group_id, contact_id)
select '10400000-0000-4000-8000-0000000000a2', id from public.contacts where first_name = 'Grouped';
update public.contact_communication_channels set consent_status = 'granted', consent_source = 'form'
where normalized_identifier in ('c5@example.com', '+442079460031');
insert into public.contacts (first_name, external_id) values ('Newcomer', 'A1');

select is(private.undo_import_job((select id from job_ids where name = 'main')),
  '{"done": true, "kept": 5, "removed": 1, "restored": 1}'::jsonb,
  'undo removes the untouched contact, restores Eve and keeps the four changed contacts and Ed');
select is((select count(*)::int from public.contacts where first_name = 'Untouched'), 0, 'the contact nothing changed is removed');
select results_eq($$ select first_name from public.contacts where first_name in ('GotPhone', 'Talked', 'Grouped', 'Consented') order by 1 $$,
  $$ values ('Consented'::text), ('GotPhone'), ('Grouped'), ('Talked') $$,
  'contacts given a channel, an interaction, a group or a consent change since are kept');
select is((select count(*)::int from public.contact_communication_channels ch join public.contacts c on c.id = ch.contact_id
  where c.first_name = 'GotPhone'), 2, 'the kept contact still has the phone added since');
select is((select count(*)::int from public.contact_interactions i join public.contacts c on c.id = i.contact_id
  where c.first_name = 'Talked'), 1, 'the kept contact still has its interaction');
select is((select count(*)::int from public.contact_group_memberships m join public.contacts c on c.id = m.contact_id
  where c.first_name = 'Grouped'), 2, 'the kept contact is still in both groups');
select is((select first_name from public.contacts where id = '10400000-0000-4000-8000-000000000001'), 'Eve',
  'Eve''s first name is restored');
select results_eq($$ select consent_status from public.contact_communication_channels where normalized_identifier = '+442079460031' $$,
  $$ values ('granted'::text) $$, 'the phone the import gave Eve stays: its consent changed since');
select results_eq($$ select first_name, external_id from public.contacts where id = '10400000-0000-4000-8000-000000000002' $$,
  $$ values ('Edward'::text, 'B1'::text) $$, 'Ed is kept as imported: his old external id now belongs to another contact');
select is((select external_id from public.contacts where first_name = 'Newcomer'), 'A1', 'and that contact keeps it');

-- A failed job whose undo has begun stays finished.
insert into job_ids select 'failed', job_id from private.create_import_job(tests.get_supabase_uid('undo_owner'), 'f.csv', 1,
  repeat('f', 64), 'imports/' || tests.get_supabase_uid('undo_owner') || '/f.csv', 'upload', '{}', '{}', false, 9, false);
update public.contact_import_jobs set status = 'processing' where id = (select id from job_ids where name = 'failed');
select is(private.import_contacts_batch((select id from job_ids where name = 'failed'), $$[
  {"n": 2, "k": "f1@example.com", "first_name": "F1", "channels": [{"t": "email", "v": "f1@example.com", "nv": "f1@example.com", "p": true, "col": "email"}]},
  {"n": 3, "k": "f2@example.com", "first_name": "F2", "channels": [{"t": "email", "v": "f2@example.com", "nv": "f2@example.com", "p": true, "col": "email"}]}
]$$::json, '[]'::json, 100, 4), '{"created": 2, "updated": 0, "skipped": 0, "failed": 0}'::jsonb, 'a job imports two rows, then fails');
update public.contact_import_jobs set status = 'failed' where id = (select id from job_ids where name = 'failed');
select is(private.undo_import_job((select id from job_ids where name = 'failed'), 1) ->> 'done', 'false',
  'its undo begins: one contact of two is undone');
select throws_ok($$ update public.contact_import_jobs set status = 'processing' where id = (select id from job_ids where name = 'failed') $$,
  '55000', 'this import was undone (or its undo has begun): it cannot be resumed; import the file again instead',
  'a job whose undo has begun cannot be resumed');

select * from finish();
rollback;
