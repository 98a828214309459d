-- Zoë Quillfeather (her legal name is Zoë Brontë) is a contact of nfc192_owner, stored in NFC as
-- every name is. The owner's other records spell her with a combining diaeresis (NFD, as a macOS
-- export writes it): a refused row's report line and a headerless file's first line holding her
-- handle, a dry run's sample and claim, a group's name, description and rule. Since 20251020000076
-- the matchers compare in NFC: the export lists each of them and erasure removes or rewrites each,
-- as it does for the NFC spelling; the group of her namesake Zoë Brontë (another contact) and
-- another owner's group naming her stay as they were.
begin;
select plan(15);

-- ============================================================================================
-- Setup (superuser): Zoë, her namesake, her traces in NFD, another owner's group
-- ============================================================================================
select tests.create_supabase_user('nfc192_owner');
select tests.create_supabase_user('nfc192_stranger');
insert into public.contacts (id, user_id, display_name, first_name, last_name, external_id) values
  ('19200000-0000-4000-8000-000000000001', tests.get_supabase_uid('nfc192_owner'), normalize('Zoë Quillfeather', nfc),
   normalize('Zoë', nfc), normalize('Brontë', nfc), 'ZQ-192'),
  ('19200000-0000-4000-8000-000000000002', tests.get_supabase_uid('nfc192_owner'), null, normalize('Zoë', nfd), normalize('Brontë', nfd), null);
-- One handle typed composed, one decomposed (identifiers are kept as given).
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('nfc192_owner'), '19200000-0000-4000-8000-000000000001', 'other', normalize('@zoë.q192:matrix.example', nfc)),
  (tests.get_supabase_uid('nfc192_owner'), '19200000-0000-4000-8000-000000000001', 'webchat', normalize('zoë-web192', nfd));
create temporary table job_ids (name text primary key, id uuid);
grant all on job_ids to service_role, authenticated;
insert into job_ids values
  ('invalid', tests.create_import_job('nfc192_owner', 'invalid')),
  ('headerless', tests.create_import_job('nfc192_owner', 'headerless')),
  ('preview', tests.create_import_job('nfc192_owner', 'preview', dry_run => true));
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
select tests.get_supabase_uid('nfc192_owner'), (select id from job_ids where name = 'invalid'), r.n, r.c, r.v, 'duplicate'
from (values (2, 'other', normalize(' @Zoë.Q192:matrix.example', nfd)), (3, 'webchat', normalize('zoë-web192', nfc)),
             (4, 'name', normalize('Zoë Quillfeather', nfd)), (5, 'other', 'bart@matrix.example')) as r (n, c, v);
update public.contact_import_jobs set status = 'failed', error_summary = 'missing_required_column: no column holds the dedupe key',
  header = jsonb_build_array(normalize('Zoë', nfd), 'Quillfeather', normalize('@zoë.q192:matrix.example', nfd))
where id = (select id from job_ids where name = 'headerless');
update public.contact_import_jobs set dry_run_report = jsonb_build_object('new', jsonb_build_array(
    jsonb_build_object('row', 2, 'display_name', 'Z. Q.', 'identifiers', jsonb_build_array(normalize('@zoë.q192:matrix.example', nfd))),
    jsonb_build_object('row', 3, 'display_name', 'Bartholomew Ostrander', 'identifiers', jsonb_build_array('bart@matrix.example'))),
  'changed', '[]'::jsonb, 'failing', '[]'::jsonb)
where id = (select id from job_ids where name = 'preview');
insert into private.contact_import_dry_run_claims (job_id, user_id, kind, value, row_number)
select (select id from job_ids where name = 'preview'), tests.get_supabase_uid('nfc192_owner'), 'other', v, 2
from unnest(array[normalize('@zoë.q192:matrix.example', nfd), 'bart@matrix.example']) as v;
insert into public.contact_groups (id, user_id, name, description, group_type, criteria) values
  ('19200000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('nfc192_owner'), normalize('Friends of Zoë Quillfeather', nfd),
   normalize('ask Zoë Quillfeather first', nfd), 'static', null),
  ('19200000-0000-4000-8000-0000000000b2', tests.get_supabase_uid('nfc192_owner'), 'VIP', 'by name', 'smart',
   jsonb_build_object('rules', jsonb_build_array(jsonb_build_object('field', 'display_name', 'op', 'equals', 'value', normalize('Zoë Quillfeather', nfd))))),
  ('19200000-0000-4000-8000-0000000000b3', tests.get_supabase_uid('nfc192_owner'), normalize('Zoë Quillfeather composed', nfc),
   normalize('ask Zoë Quillfeather', nfc), 'static', null),
  ('19200000-0000-4000-8000-0000000000b4', tests.get_supabase_uid('nfc192_owner'), normalize('Readers of Zoë Brontë', nfd), null, 'static', null),
  ('19200000-0000-4000-8000-0000000000b5', tests.get_supabase_uid('nfc192_owner'), 'Zoe Quillfeather fans', 'another person', 'static', null),
  ('19200000-0000-4000-8000-0000000000c1', tests.get_supabase_uid('nfc192_stranger'), normalize('Friends of Zoë Quillfeather', nfd), null, 'static', null);
create temporary table groups_before on commit drop as select g.* from public.contact_groups g;
create temporary table answers (label text primary key, answer jsonb);
grant all on answers to service_role, authenticated;

-- ============================================================================================
-- Owner: the export lists what the owner's records hold of her, in either form
-- ============================================================================================
select tests.authenticate_as('nfc192_owner');
insert into answers values ('export', public.export_subject_data(contact_id => '19200000-0000-4000-8000-000000000001') -> 'subjects' -> 0);
select is((select array_agg((e ->> 'row_number')::int order by (e ->> 'row_number')::int) from answers, jsonb_array_elements(answer -> 'contact_import_job_errors') as e where label = 'export'),
  array[2, 3], 'the owner''s export lists the report lines holding her handle decomposed and her other handle composed, stored the other way round');
select is((select jsonb_array_length(answer -> 'contact_import_headers') from answers where label = 'export'), 1,
  'the owner''s export lists the header row holding her handle decomposed');
select is((select array_agg(e -> 'entry' ->> 'row') from answers, jsonb_array_elements(answer -> 'contact_import_dry_run_entries') as e where label = 'export'),
  array['2'], 'the owner''s export lists the dry-run entry holding her handle decomposed, not the other one');
select is((select array_agg(e ->> 'group_id' order by e ->> 'group_id') from answers, jsonb_array_elements(answer -> 'groups_mentioning_subject') as e where label = 'export'),
  array['19200000-0000-4000-8000-0000000000b1', '19200000-0000-4000-8000-0000000000b2', '19200000-0000-4000-8000-0000000000b3'],
  'the owner''s export lists the groups naming her decomposed (name and description, rule value) and composed, not her namesake''s or another person''s');

-- ============================================================================================
-- Owner: erasure removes or rewrites what the export listed, in either form
-- ============================================================================================
insert into answers values ('erase', public.gdpr_delete_subject(contact_id => '19200000-0000-4000-8000-000000000001'));
select is((select array_agg(e.row_number order by e.row_number) from public.contact_import_job_errors e where e.user_id = tests.get_supabase_uid('nfc192_owner')),
  array[5::bigint], 'the owner''s erasure removes the report lines holding her handles or her name in either form, and keeps the other person''s');
select is((select header from public.contact_import_jobs where id = (select id from job_ids where name = 'headerless')), null::jsonb,
  'the owner''s erasure drops the header row holding her in the decomposed form');
select is((select array_agg(e ->> 'row') from public.contact_import_jobs j, jsonb_array_elements(j.dry_run_report -> 'new') as e
           where j.id = (select id from job_ids where name = 'preview')),
  array['3'], 'the owner''s erasure removes the dry-run entry holding her handle decomposed and keeps the other one');
-- Claims live in private, out of the owner's reach: read as the superuser.
reset role;
select is((select array_agg(d.value) from private.contact_import_dry_run_claims d where d.user_id = tests.get_supabase_uid('nfc192_owner')),
  array['bart@matrix.example'], 'the owner''s erasure removes the dry run''s claim on her handle decomposed and keeps the other one');
select tests.authenticate_as('nfc192_owner');
select is((select array[g.name, g.description] from public.contact_groups g where g.id = '19200000-0000-4000-8000-0000000000b1'),
  array['Friends of [erased]', 'ask [erased] first'], 'the owner''s erasure rewrites her decomposed name in a group''s name and description');
select is((select g.criteria -> 'rules' -> 0 ->> 'value' from public.contact_groups g where g.id = '19200000-0000-4000-8000-0000000000b2'),
  '[erased]', 'the owner''s erasure makes a rule whose value is her decomposed name a tombstone');
select is((select array[g.name, g.description] from public.contact_groups g where g.id = '19200000-0000-4000-8000-0000000000b3'),
  array['[erased] composed', 'ask [erased]'], 'the owner''s erasure rewrites her composed name as before');
select is((select g.name from public.contact_groups g where g.id = '19200000-0000-4000-8000-0000000000b4'), normalize('Readers of Zoë Brontë', nfd),
  'the owner''s erasure leaves the group naming her namesake byte for byte as it was');
select is((select g.name from public.contact_groups g where g.id = '19200000-0000-4000-8000-0000000000b5'), 'Zoe Quillfeather fans',
  'the owner''s erasure leaves a group naming a person without the diaeresis as it was');
select is((select (answer -> 'counts' ->> 'contact_groups')::int from answers where label = 'erase'), 3,
  'the owner''s erasure receipt counts the three groups rewritten');
reset role;

-- ============================================================================================
-- Another owner: a group naming her in the stranger's records is not the owner's to rewrite
-- ============================================================================================
select tests.authenticate_as('nfc192_stranger');
select is((select g.name from public.contact_groups g where g.id = '19200000-0000-4000-8000-0000000000c1'),
  normalize('Friends of Zoë Quillfeather', nfd), 'another owner''s group naming her stays as it was after the owner''s erasure');
reset role;

select * from finish();
rollback;
