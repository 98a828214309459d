-- Zenobia Quillfeather never became a contact of erase167_owner: her rows were refused as invalid,
-- a failed import kept her row as its header, a dry run sampled her. Erasure by her address
-- (20251020000045) removes all of it, suppresses the address so that a re-import cannot bring her
-- back, and answers a receipt naming no contact; an identifier nothing holds is still not found;
-- agent tokens and strangers remove nothing of the owner's.
begin;
select plan(20);

-- ============================================================================================
-- Setup (superuser): the owner's reports hold Zenobia; a stranger's report holds her too.
-- ============================================================================================
select tests.create_supabase_user('erase167_owner');
select tests.create_supabase_user('erase167_stranger');
insert into public.agents (id, user_id, name) values ('a1670000-0000-4000-8000-000000000001', tests.get_supabase_uid('erase167_owner'), 'helper');
create temporary table job_ids (name text primary key, id uuid);
grant all on job_ids to service_role, authenticated;
insert into job_ids values
  ('invalid', tests.create_import_job('erase167_owner', 'invalid')),
  ('headerless', tests.create_import_job('erase167_owner', 'headerless')),
  ('preview', tests.create_import_job('erase167_owner', 'preview', dry_run => true)),
  ('reimport', tests.create_import_job('erase167_owner', 'reimport')),
  ('stranger', tests.create_import_job('erase167_stranger', 'stranger'));
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason) values
  (tests.get_supabase_uid('erase167_owner'), (select id from job_ids where name = 'invalid'), 2, null,
   'Zenobia,Quillfeather,zenobia.quillfeather@example.com,+44 7700 900123,extra', 'too_many_fields: the row has 5 fields, the header 4'),
  (tests.get_supabase_uid('erase167_owner'), (select id from job_ids where name = 'invalid'), 3, 'email',
   'not-an-address', 'invalid_email: not an e-mail address'),
  (tests.get_supabase_uid('erase167_stranger'), (select id from job_ids where name = 'stranger'), 2, 'email',
   'zenobia.quillfeather@example.com', 'duplicate: a contact with this email already exists');
update public.contact_import_jobs set status = 'failed', error_summary = 'missing_required_column: no column holds the dedupe key (email)',
  header = '["Zenobia", "Quillfeather", "zenobia.quillfeather@example.com", "+44 7700 900123"]'
where id = (select id from job_ids where name = 'headerless');
update public.contact_import_jobs set dry_run_report = '{"new": [{"row": 2, "display_name": "Zenobia Quillfeather", "identifiers": ["zenobia.quillfeather@example.com"]}],
    "changed": [], "failing": []}'
where id = (select id from job_ids where name = 'preview');
update public.contact_import_jobs set options = '{"force": true}' where id = (select id from job_ids where name = 'reimport');
create temporary table receipts (label text primary key, receipt jsonb);
grant all on receipts to service_role, authenticated;

-- ============================================================================================
-- Agent tokens: cannot erase for the owner
-- ============================================================================================
select tests.authenticate_as_agent('erase167_owner', 'a1670000-0000-4000-8000-000000000001');
select throws_ok($$ select public.gdpr_delete_subject(identifier => 'zenobia.quillfeather@example.com') $$,
  '42501', 'agent tokens cannot act on data subject requests', 'an agent token cannot erase a subject from its owner''s reports');

-- ============================================================================================
-- Another owner: erases the address in their own reports, and only there
-- ============================================================================================
select tests.authenticate_as('erase167_stranger');
select throws_ok($$ select public.gdpr_delete_subject(identifier => 'zq.unknown@example.com') $$,
  'P0002', 'contact not found', 'an identifier nothing of the caller''s holds is still not found');
insert into receipts values ('stranger', public.gdpr_delete_subject(identifier => 'zenobia.quillfeather@example.com'));
reset role;
select is((select count(*)::int from public.contact_import_job_errors e where e.user_id = tests.get_supabase_uid('erase167_owner') and e.value_excerpt ilike '%quillfeather%'),
  1, 'another owner''s erasure leaves the owner''s report line holding the address');

-- ============================================================================================
-- Owner: erases Zenobia by her address
-- ============================================================================================
select tests.authenticate_as('erase167_owner');
insert into receipts values ('first', public.gdpr_delete_subject(identifier => 'Zenobia.Quillfeather@example.com'));
select is((select receipt -> 'contact_ids' from receipts where label = 'first'), '[]'::jsonb,
  'the receipt names no contact: she never was one');
select is((select receipt -> 'counts' from receipts where label = 'first') - 'contact_groups',
  '{"contact_import_job_errors": 1, "contact_import_jobs": 1, "contact_import_headers": 1, "contact_import_dry_run_claims": 0, "agent_contact_access_log": 0,
    "withdrawn_addresses": 0, "import_uploads": 1}'::jsonb,
  'the receipt counts the report line, the dry-run report and the header it removed, and the failed import whose upload held her');
select is(jsonb_array_length((select receipt -> 'identifier_hashes' from receipts where label = 'first')) > 0, true,
  'the receipt holds the address as keyed hashes only');
select is((public.verify_subject_erasure('zenobia.quillfeather@example.com') -> 'receipts')::text like '%' || (select receipt ->> 'request_id' from receipts where label = 'first') || '%',
  true, 'the receipt verifies with the address');
insert into receipts values ('again', public.gdpr_delete_subject(identifier => 'zenobia.quillfeather@example.com'));
select is((select receipt ->> 'request_id' from receipts where label = 'again'), (select receipt ->> 'request_id' from receipts where label = 'first'),
  'a repeat with nothing left to remove answers the first receipt');
reset role;

select is_empty(
  $$ select 1 from public.contact_import_job_errors e where e.user_id = tests.get_supabase_uid('erase167_owner') and e.value_excerpt ilike '%quillfeather%' $$,
  'no report line of the owner holds Zenobia any more');
select is((select header from public.contact_import_jobs where id = (select id from job_ids where name = 'headerless')), null,
  'the failed import no longer keeps her row as its header');
select is((select dry_run_report::text like '%quillfeather%' from public.contact_import_jobs where id = (select id from job_ids where name = 'preview')), false,
  'the dry run no longer samples her');
select is((select value_excerpt from public.contact_import_job_errors e where e.job_id = (select id from job_ids where name = 'invalid') and e.row_number = 3),
  'not-an-address', 'the report line of another row stays');

-- ============================================================================================
-- Service (the import worker): a re-import of her row with force
-- ============================================================================================
select tests.authenticate_as_service_role();
select is(private.import_contacts_batch((select id from job_ids where name = 'reimport'),
    '[{"n": 2, "k": "zenobia.quillfeather@example.com", "first_name": "Zenobia", "last_name": "Quillfeather",
       "channels": [{"t": "email", "v": "zenobia.quillfeather@example.com", "nv": "zenobia.quillfeather@example.com", "p": true, "c": null, "col": "email"}]}]'::json,
    '[]'::json, 100, 3) ->> 'skipped', '1',
  'the erased address is suppressed: a re-import of her row is skipped');
reset role;
select is_empty($$ select 1 from public.contacts c where c.user_id = tests.get_supabase_uid('erase167_owner') $$,
  'no contact was created for her');

-- ============================================================================================
-- Owner: Wendell withdrew, and his contact was deleted since; the owner remembers the withdrawal
-- (20251020000044) as a keyed hash. Erasure by his address removes that hash too.
-- ============================================================================================
insert into public.contacts (id, user_id, display_name) values
  ('c1670000-0000-4000-8000-000000000001', tests.get_supabase_uid('erase167_owner'), 'Wendell Withdrawn');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, consent_status, consent_source) values
  (tests.get_supabase_uid('erase167_owner'), 'c1670000-0000-4000-8000-000000000001', 'email', 'wendell@example.com', 'withdrawn', 'manual');
select tests.authenticate_as('erase167_owner');
delete from public.contacts where id = 'c1670000-0000-4000-8000-000000000001';
insert into receipts values ('remembered', public.gdpr_delete_subject(identifier => 'wendell@example.com'));
select is((select (receipt -> 'counts' ->> 'withdrawn_addresses')::int from receipts where label = 'remembered'), 1,
  'an address no contact holds, but whose withdrawal the owner remembers, is erased: the receipt counts the hash');
reset role;
select is_empty($$ select 1 from private.withdrawn_addresses w where w.user_id = tests.get_supabase_uid('erase167_owner') $$,
  'the remembered withdrawal is gone: only the suppression''s hashes remain');
select ok((select private.is_suppressed(tests.get_supabase_uid('erase167_owner'), 'email', 'wendell@example.com')),
  'the address is suppressed, as an erasure suppresses a contact''s');

-- ============================================================================================
-- Owner: Zed was erased, the suppression lifted, and a withdrawal of his address remembered since;
-- a second erasure suppresses it again and removes the hash. Xia's WhatsApp number was withdrawn
-- and deleted, her SMS kept: erasing her counts the remembered withdrawal it removes.
-- ============================================================================================
insert into public.contacts (id, user_id, display_name) values
  ('c1670000-0000-4000-8000-000000000002', tests.get_supabase_uid('erase167_owner'), 'Zed'),
  ('c1670000-0000-4000-8000-000000000003', tests.get_supabase_uid('erase167_owner'), 'Xia');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, consent_status, consent_source) values
  (tests.get_supabase_uid('erase167_owner'), 'c1670000-0000-4000-8000-000000000002', 'email', 'zed@example.com', 'unknown', null),
  (tests.get_supabase_uid('erase167_owner'), 'c1670000-0000-4000-8000-000000000003', 'whatsapp', '+14155550101', 'withdrawn', 'manual'),
  (tests.get_supabase_uid('erase167_owner'), 'c1670000-0000-4000-8000-000000000003', 'sms', '+14155550101', 'unknown', null);
select tests.authenticate_as('erase167_owner');
delete from public.contact_communication_channels where channel_type = 'whatsapp' and contact_id = 'c1670000-0000-4000-8000-000000000003';
insert into receipts values ('zed', public.gdpr_delete_subject(identifier => 'zed@example.com'));
select public.lift_contact_suppression('zed@example.com', 'asked to be contacted again');
reset role;
insert into public.contacts (id, user_id, display_name) values
  ('c1670000-0000-4000-8000-000000000004', tests.get_supabase_uid('erase167_owner'), 'Zed again');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, consent_status, consent_source) values
  (tests.get_supabase_uid('erase167_owner'), 'c1670000-0000-4000-8000-000000000004', 'email', 'zed@example.com', 'withdrawn', 'manual');
select tests.authenticate_as('erase167_owner');
delete from public.contacts where id = 'c1670000-0000-4000-8000-000000000004';
insert into receipts values ('zed again', public.gdpr_delete_subject(identifier => 'zed@example.com'));
insert into receipts values ('xia', public.gdpr_delete_subject(identifier => '+14155550101'));
reset role;
select isnt((select receipt ->> 'request_id' from receipts where label = 'zed again'), (select receipt ->> 'request_id' from receipts where label = 'zed'),
  'a second erasure after the lift, finding a remembered withdrawal, answers a receipt of its own');
select ok(private.is_suppressed(tests.get_supabase_uid('erase167_owner'), 'email', 'zed@example.com')
    and not exists (select 1 from private.withdrawn_addresses w where w.user_id = tests.get_supabase_uid('erase167_owner')),
  'the address is suppressed again and no remembered withdrawal is left');
select is((select (receipt -> 'counts' ->> 'withdrawn_addresses')::int from receipts where label = 'xia'), 1,
  'erasing a contact counts the remembered withdrawal of its number on another channel type');

select * from finish();
rollback;
