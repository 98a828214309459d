-- An import records the consent a row gives on channels the contact already has (20251019000006,
-- 20251019000009, 20251019000010): under update the file's value; under merge_fill_empty a
-- withdrawal always and a grant over unknown only. Each change is a consent event with source
-- import and the job id, and the change log keeps the consent before. A dry run shows the change;
-- undo restores the fields and keeps the consent.
begin;
select plan(9);

select tests.create_supabase_user('consent_importer');
insert into public.contacts (id, user_id, first_name) values
  ('12400000-0000-4000-8000-000000000001', tests.get_supabase_uid('consent_importer'), 'Una'),
  ('12400000-0000-4000-8000-000000000002', tests.get_supabase_uid('consent_importer'), 'Bo');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier, consent_status, consent_source) values
  ('12400000-0000-4000-8000-0000000000e1', tests.get_supabase_uid('consent_importer'), '12400000-0000-4000-8000-000000000001', 'email', 'una@example.com', 'granted', 'form signup'),
  ('12400000-0000-4000-8000-0000000000e2', tests.get_supabase_uid('consent_importer'), '12400000-0000-4000-8000-000000000002', 'email', 'bo@example.com', 'granted', 'form signup'),
  ('12400000-0000-4000-8000-0000000000f2', tests.get_supabase_uid('consent_importer'), '12400000-0000-4000-8000-000000000002', 'phone', '+442079460124', 'unknown', null),
  ('12400000-0000-4000-8000-0000000000f3', tests.get_supabase_uid('consent_importer'), '12400000-0000-4000-8000-000000000002', 'sms', '+442079460125', 'withdrawn', 'phoned');

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to service_role;
insert into job_ids values
  ('preview', tests.create_import_job('consent_importer', 'preview', dry_run => true)),
  ('update', tests.create_import_job('consent_importer', 'update')),
  ('merge', tests.create_import_job('consent_importer', 'merge'));
update public.contact_import_jobs set options = '{"on_duplicate": "update"}' where id in (select id from job_ids where name in ('preview', 'update'));
update public.contact_import_jobs set options = '{"on_duplicate": "merge_fill_empty"}' where id = (select id from job_ids where name = 'merge');

create temporary table rows_in (name text primary key, batch json);
grant all on rows_in to service_role;
insert into rows_in values
  ('una', '[{"n": 2, "k": "una@example.com", "first_name": "Unity",
     "channels": [{"t": "email", "v": "una@example.com", "nv": "una@example.com", "p": true, "c": "withdrawn", "col": "email"}]}]'),
  ('bo', '[{"n": 2, "k": "bo@example.com",
     "channels": [{"t": "email", "v": "bo@example.com", "nv": "bo@example.com", "p": true, "c": "withdrawn", "col": "email"},
                  {"t": "phone", "v": "+442079460124", "nv": "+442079460124", "p": false, "c": "granted", "col": "phone"},
                  {"t": "sms", "v": "+442079460125", "nv": "+442079460125", "p": false, "c": "granted", "col": "sms"}]}]');

select tests.authenticate_as_service_role();
select private.import_contacts_batch((select id from job_ids where name = 'preview'), (select batch from rows_in where name = 'una'), '[]'::json, 100, 2);
reset role;
select is((select dry_run_report -> 'changed' -> 0 -> 'changes' -> 'consent' from public.contact_import_jobs where id = (select id from job_ids where name = 'preview')),
  '{"from": [{"type": "email", "identifier": "una@example.com", "status": "granted"}],
    "to": [{"type": "email", "identifier": "una@example.com", "status": "withdrawn"}]}'::jsonb,
  'a dry run shows the consent the row would record on an existing channel');
select is((select consent_status from public.contact_communication_channels where id = '12400000-0000-4000-8000-0000000000e1'), 'granted',
  'and records nothing');

select tests.authenticate_as_service_role();
select private.import_contacts_batch((select id from job_ids where name = 'update'), (select batch from rows_in where name = 'una'), '[]'::json, 100, 2);
select private.import_contacts_batch((select id from job_ids where name = 'merge'), (select batch from rows_in where name = 'bo'), '[]'::json, 100, 2);
reset role;

select results_eq($$ select ch.consent_status, e.source, e.source_ref from public.contact_communication_channels ch
    join lateral (select * from public.contact_consent_events e where e.channel_id = ch.id order by e.id desc limit 1) as e on true
    where ch.id = '12400000-0000-4000-8000-0000000000e1' $$,
  $$ values ('withdrawn', 'import', (select id::text from job_ids where name = 'update')) $$,
  'under update the file''s opt-out is recorded on the existing channel, as an import event naming the job');
select is((select previous -> 'channel_consent' from public.contact_import_changes where job_id = (select id from job_ids where name = 'update')),
  '{"12400000-0000-4000-8000-0000000000e1": {"status": "granted", "source": "form signup"}}'::jsonb,
  'the change log keeps the consent before');
select results_eq($$ select channel_type, consent_status from public.contact_communication_channels
    where contact_id = '12400000-0000-4000-8000-000000000002' order by channel_type $$,
  $$ values ('email', 'withdrawn'), ('phone', 'granted'), ('sms', 'withdrawn') $$,
  'under merge_fill_empty an opt-out always applies, a grant fills unknown consent and never overrides an opt-out');

update public.contact_import_jobs set status = 'completed', total_rows = processed_rows where id = (select id from job_ids where name = 'update');
select is((private.undo_import_job((select id from job_ids where name = 'update')) ->> 'restored')::int, 1,
  'undo restores the contact: the import''s own consent change is not a change made since');
select is((select first_name from public.contacts where id = '12400000-0000-4000-8000-000000000001'), 'Una', 'its name comes back');
select is((select consent_status from public.contact_communication_channels where id = '12400000-0000-4000-8000-0000000000e1'), 'withdrawn',
  'the recorded opt-out stays (consent history is append-only)');
select ok(private.import_consent_applies('update', 'withdrawn', 'granted') and not private.import_consent_applies('merge_fill_empty', 'granted', 'granted')
  and not private.import_consent_applies('update', 'granted', null), 'the rule: a value to record, different from the current one');

select * from finish();
rollback;
