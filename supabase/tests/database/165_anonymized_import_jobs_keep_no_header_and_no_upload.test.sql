-- Retention's anonymize of import jobs clears the header row a job kept (a person's row when the
-- file had no header line) and gives a failed job up, its upload queued for removal
-- (20251020000043); a job whose header holds the identifier of a contact under legal hold is
-- left whole, and a dry run of the policy changes nothing.
begin;
select plan(7);

select tests.create_supabase_user('header_owner');
create temporary table job_ids (name text primary key, id uuid) on commit drop;
insert into job_ids values
  ('headerless', tests.create_import_job('header_owner', 'headerless')),
  ('completed', tests.create_import_job('header_owner', 'completed')),
  ('held', tests.create_import_job('header_owner', 'held'));
-- A file whose first line was Zenobia's row failed; another completed; a third kept the row of a
-- contact now under legal hold.
update public.contact_import_jobs set status = 'failed', error_summary = 'missing_required_column: no e-mail column',
    header = '["Zenobia", "Quillfeather", "zenobia@example.com"]'
where id = (select id from job_ids where name = 'headerless');
update public.contact_import_jobs set status = 'completed', total_rows = 0, processed_rows = 0, completed_at = now(),
    header = '["first_name", "last_name", "email"]'
where id = (select id from job_ids where name = 'completed');
update public.contact_import_jobs set status = 'failed', header = '["Hildred", "Holdfast", "hildred@example.com"]'
where id = (select id from job_ids where name = 'held');
update public.contact_import_jobs set created_at = now() - interval '201 days', completed_at = now() - interval '200 days'
where id in (select id from job_ids);
insert into public.contacts (user_id, first_name, last_name, legal_hold, legal_hold_reason)
values (tests.get_supabase_uid('header_owner'), 'Hildred', 'Holdfast', true, 'litigation');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
select c.user_id, c.id, 'email', 'hildred@example.com' from public.contacts c where c.first_name = 'Hildred';

select is((select affected from private.retention_import_jobs_batch(tests.get_supabase_uid('header_owner'), 'anonymize',
    now() - interval '90 days', null, null, 10, true)), 2::bigint,
  'A dry run of the policy counts the two jobs it may anonymize, not the one about a held contact.');
select results_eq($$ select j.name, i.status, i.header is not null from public.contact_import_jobs i join job_ids j on j.id = i.id order by j.name $$,
  $$ values ('completed', 'completed', true), ('headerless', 'failed', true), ('held', 'failed', true) $$,
  'The dry run changes no job.');

select is((select affected from private.retention_import_jobs_batch(tests.get_supabase_uid('header_owner'), 'anonymize',
    now() - interval '90 days', null, null, 10, false)), 2::bigint,
  'The policy anonymizes the two jobs.');
select is((select header from public.contact_import_jobs where id = (select id from job_ids where name = 'headerless')), null,
  'The failed job''s header, Zenobia''s row, is gone.');
select results_eq($$ select j.name, i.status from public.contact_import_jobs i join job_ids j on j.id = i.id order by j.name $$,
  $$ values ('completed', 'completed'), ('headerless', 'cancelled'), ('held', 'failed') $$,
  'The failed job is given up as a cancel would; the completed one stays completed, the held one failed.');
select set_eq($$ select j.name from private.import_uploads_to_remove q
                 join public.contact_import_jobs i on i.storage_path = q.storage_path join job_ids j on j.id = i.id $$,
  array['completed', 'headerless'],
  'The given-up job''s upload, the whole file, is queued for removal (as the completed one''s was); the held job keeps its own.');
select isnt((select header from public.contact_import_jobs where id = (select id from job_ids where name = 'held')), null,
  'The job whose header holds a held contact''s address keeps it.');

select * from finish();
rollback;
