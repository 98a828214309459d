-- After an erasure the identifier exists only as keyed hashes (20251020000038): a re-import refuses
-- the subject's row as suppressed and its report line keeps the row and column, never the address
-- (a dry run's too); a repeat of the erasure by the identifier removes traces of it written since,
-- with a receipt of its own, and leaves a stranger's lines alone; nobody but the owner (or the
-- service) can remove an owner's traces.
begin;
select plan(15);

-- ============================================================================================
-- Setup (superuser): Orlaith Vexbramble is a contact of erase160_owner; a stranger's report holds
-- the same address.
-- ============================================================================================
select tests.create_supabase_user('erase160_owner');
select tests.create_supabase_user('erase160_stranger');
insert into public.contacts (id, user_id, first_name, last_name) values
  ('16000000-0000-4000-8000-000000000001', tests.get_supabase_uid('erase160_owner'), 'Orlaith', 'Vexbramble');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('erase160_owner'), '16000000-0000-4000-8000-000000000001', 'email', 'orlaith.vexbramble@example.com');
insert into public.agents (id, user_id, name) values ('a1600000-0000-4000-8000-000000000001', tests.get_supabase_uid('erase160_owner'), 'helper');

create temporary table job_ids (name text primary key, id uuid);
grant all on job_ids to service_role, authenticated;
insert into job_ids values
  ('reimport', tests.create_import_job('erase160_owner', 'leads')),
  ('preview', tests.create_import_job('erase160_owner', 'leads_preview', dry_run => true)),
  ('older', tests.create_import_job('erase160_owner', 'older')),
  ('stranger', tests.create_import_job('erase160_stranger', 'stranger'));
update public.contact_import_jobs set options = '{"force": true}' where id = (select id from job_ids where name = 'reimport');
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason) values
  (tests.get_supabase_uid('erase160_stranger'), (select id from job_ids where name = 'stranger'), 2, 'email',
   'orlaith.vexbramble@example.com', 'duplicate: a contact with this email already exists');
create temporary table receipts (label text primary key, receipt jsonb);
grant all on receipts to service_role, authenticated;
create function pg_temp.import(job text) returns jsonb language sql as $$
  select private.import_contacts_batch((select id from job_ids where name = job),
    '[{"n": 2, "k": "orlaith.vexbramble@example.com", "first_name": "Orlaith", "last_name": "Vexbramble",
       "channels": [{"t": "email", "v": "orlaith.vexbramble@example.com", "nv": "orlaith.vexbramble@example.com", "p": true, "c": null, "col": "email"}]}]'::json,
    '[]'::json, 100, 3)
$$;

-- ============================================================================================
-- Owner: erases Orlaith by her address
-- ============================================================================================
select tests.authenticate_as('erase160_owner');
insert into receipts values ('first', public.gdpr_delete_subject(identifier => 'orlaith.vexbramble@example.com'));
reset role;

-- ============================================================================================
-- Service (the import worker): the owner re-imports the list with force, and previews it
-- ============================================================================================
select tests.authenticate_as_service_role();
select is(pg_temp.import('reimport') ->> 'skipped', '1', 'the re-imported row of the erased subject is skipped');
select is(pg_temp.import('preview') ->> 'skipped', '1', 'a dry run of the list foresees the row skipped');
reset role;
select results_eq(
  $$ select e.row_number, e.column_name, e.value_excerpt, e.reason like 'suppressed:%' from public.contact_import_job_errors e
     where e.job_id = (select id from job_ids where name = 'reimport') $$,
  $$ values (2::bigint, 'email', null::text, true) $$,
  'the report line of the suppressed row names its row and column, and not the erased address');
select is((select e.value_excerpt from public.contact_import_job_errors e where e.job_id = (select id from job_ids where name = 'preview')),
  null, 'the dry run''s report line does not hold the erased address either');
select is_empty(
  $$ select 1 from public.contact_import_jobs j where j.user_id = tests.get_supabase_uid('erase160_owner') and j.dry_run_report::text like '%vexbramble%' $$,
  'no dry-run report holds the erased address');
-- The worker's own writes of report lines (rows it refuses itself) go through the same rule.
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason) values
  (tests.get_supabase_uid('erase160_owner'), (select id from job_ids where name = 'reimport'), 3, 'email',
   'orlaith.vexbramble@example.com', 'suppressed: this identifier was erased at the data subject''s request');
select is((select e.value_excerpt from public.contact_import_job_errors e where e.job_id = (select id from job_ids where name = 'reimport') and e.row_number = 3),
  null, 'a suppressed row''s line written by another path keeps no value either');

-- Traces of the address written since the erasure by rows refused before the suppression check
-- (a malformed row quoted whole; a dry-run entry), and a line of another address, which stays.
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason) values
  (tests.get_supabase_uid('erase160_owner'), (select id from job_ids where name = 'older'), 2, null,
   'Orlaith,Vexbramble,Orlaith.Vexbramble@Example.com,extra', 'too_many_fields: the row has 4 fields, the header 3'),
  (tests.get_supabase_uid('erase160_owner'), (select id from job_ids where name = 'older'), 3, 'email',
   'orla.vexbramble@example.com', 'duplicate: a contact with this email already exists');
update public.contact_import_jobs set dry_run_report = '{"new": [{"row": 2, "display_name": "O. V.", "identifiers": ["orlaith.vexbramble@example.com"]}],
    "changed": [], "failing": []}'
where id = (select id from job_ids where name = 'older');

-- ============================================================================================
-- Agent tokens and other owners: cannot remove the owner's traces
-- ============================================================================================
select tests.authenticate_as_agent('erase160_owner', 'a1600000-0000-4000-8000-000000000001');
select throws_ok($$ select private.forget_traces(tests.get_supabase_uid('erase160_owner'), null, array['orla.vexbramble@example.com']) $$,
  'P0002', 'contact not found', 'an agent token cannot remove its owner''s traces');
select tests.authenticate_as('erase160_stranger');
select throws_ok($$ select private.forget_traces(tests.get_supabase_uid('erase160_owner'), null, array['orla.vexbramble@example.com']) $$,
  'P0002', 'contact not found', 'another owner cannot remove the owner''s traces');
-- (Since 20251020000045 an erasure by an address the caller's own reports hold removes those: the
-- stranger asks for an address only the owner's reports hold.)
select throws_ok($$ select public.gdpr_delete_subject(identifier => 'orla.vexbramble@example.com') $$,
  'P0002', 'contact not found', 'another owner''s erasure of an address only the owner''s reports hold finds nothing of theirs to answer for');

-- ============================================================================================
-- Owner: asks again to erase the address
-- ============================================================================================
select tests.authenticate_as('erase160_owner');
insert into receipts values ('repeat', public.gdpr_delete_subject(identifier => 'orlaith.vexbramble@example.com'));
select isnt((select receipt ->> 'request_id' from receipts where label = 'repeat'), (select receipt ->> 'request_id' from receipts where label = 'first'),
  'the repeat that removed traces answers a receipt of its own');
select is((select receipt -> 'counts' from receipts where label = 'repeat'),
  '{"contact_import_job_errors": 1, "contact_import_jobs": 1, "contact_import_headers": 0, "contact_import_dry_run_claims": 0, "agent_contact_access_log": 0,
    "contact_groups": 0, "withdrawn_addresses": 0, "import_uploads": 0}'::jsonb,
  'the repeat''s receipt counts the report line and the dry-run report it removed, and nothing else');
select is((select receipt -> 'contact_ids' from receipts where label = 'repeat'), (select receipt -> 'contact_ids' from receipts where label = 'first'),
  'the repeat''s receipt names the contact the subject was');
select is((public.verify_subject_erasure('orlaith.vexbramble@example.com') -> 'receipts')::text like '%' || (select receipt ->> 'request_id' from receipts where label = 'repeat') || '%',
  true, 'the repeat''s receipt verifies with the address');
insert into receipts values ('again', public.gdpr_delete_subject(identifier => 'orlaith.vexbramble@example.com'));
reset role;
select is((select count(*)::int from public.contact_subject_requests where user_id = tests.get_supabase_uid('erase160_owner') and request_type = 'erase'), 2,
  'a third request, with nothing left to remove, answers an earlier receipt and records none');

-- ============================================================================================
-- Superuser: what is left
-- ============================================================================================
select results_eq(
  $$ select e.value_excerpt from public.contact_import_job_errors e where e.value_excerpt ilike '%vexbramble%' order by e.user_id = tests.get_supabase_uid('erase160_owner') $$,
  $$ values ('orlaith.vexbramble@example.com'), ('orla.vexbramble@example.com') $$,
  'the owner''s line of another address stays, and so does the stranger''s line of the erased one');

select * from finish();
rollback;
