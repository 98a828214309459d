-- Erasing a subject removes them from import dry runs too (20251018000004): the entries of a dry
-- run's report that name the contact or mention its names or identifiers, and a dry run's claims
-- on its identifiers or on the contact. Other rows of the report, other claims and another owner's
-- dry runs stay; the receipt counts what went.
begin;
select plan(7);

select tests.create_supabase_user('dry_run_eraser');
select tests.create_supabase_user('dry_run_bystander');
insert into public.contacts (id, user_id, first_name, last_name, external_id) values
  ('15000000-0000-4000-8000-000000000001', tests.get_supabase_uid('dry_run_eraser'), 'Quillon', 'Ashgrove', 'CRM-1501');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary) values
  (tests.get_supabase_uid('dry_run_eraser'), '15000000-0000-4000-8000-000000000001', 'email', 'quillon@example.com', true);

create temporary table job_ids (name text primary key, id uuid) on commit drop;
insert into job_ids values
  ('preview', tests.create_import_job('dry_run_eraser', 'preview', dry_run => true)),
  ('bystander', tests.create_import_job('dry_run_bystander', 'bystander', dry_run => true));
update public.contact_import_jobs set status = 'failed', error_summary = 'stopped', dry_run_report = '{
  "new": [{"row": 2, "display_name": "Quillon A.", "identifiers": ["quillon@example.com"]},
          {"row": 3, "display_name": "Lin", "identifiers": ["lin@example.com"]}],
  "changed": [{"row": 4, "contact_id": "15000000-0000-4000-8000-000000000001", "changes": {"tags": {"from": [], "to": ["vip"]}}, "new_channels": []}],
  "failing": [{"row": 5, "column": "external_id", "value": "crm-1501", "reason": "identifier_conflict"},
              {"row": 6, "column": "email", "value": "nope", "reason": "invalid_email"}]}'
where id = (select id from job_ids where name = 'preview');
update public.contact_import_jobs set dry_run_report = '{"new": [{"row": 2, "display_name": "Quillon Ashgrove", "identifiers": ["quillon@example.com"]}], "changed": [], "failing": []}'
where id = (select id from job_ids where name = 'bystander');
insert into private.contact_import_dry_run_claims (job_id, user_id, kind, value, row_number, contact_id) values
  ((select id from job_ids where name = 'preview'), tests.get_supabase_uid('dry_run_eraser'), 'email', 'quillon@example.com', 2, null),
  ((select id from job_ids where name = 'preview'), tests.get_supabase_uid('dry_run_eraser'), 'contact', '15000000-0000-4000-8000-000000000001', 4, '15000000-0000-4000-8000-000000000001'),
  ((select id from job_ids where name = 'preview'), tests.get_supabase_uid('dry_run_eraser'), 'email', 'lin@example.com', 3, null),
  ((select id from job_ids where name = 'bystander'), tests.get_supabase_uid('dry_run_bystander'), 'email', 'quillon@example.com', 2, null);

create temporary table receipts (receipt jsonb);
grant all on receipts to authenticated;
select tests.authenticate_as('dry_run_eraser');
insert into receipts select public.gdpr_delete_subject(contact_id => '15000000-0000-4000-8000-000000000001');
reset role;

select is((select dry_run_report from public.contact_import_jobs where id = (select id from job_ids where name = 'preview')),
  '{"new": [{"row": 3, "display_name": "Lin", "identifiers": ["lin@example.com"]}], "changed": [],
    "failing": [{"row": 6, "column": "email", "value": "nope", "reason": "invalid_email"}]}'::jsonb,
  'the report loses the entries with the subject''s e-mail, contact and external id (in any case), and keeps the others');
select is_empty($$ select 1 from public.contact_import_jobs where user_id = tests.get_supabase_uid('dry_run_eraser')
    and (lower(dry_run_report::text) like '%quillon%' or dry_run_report::text like '%15000000-0000-4000-8000-000000000001%') $$,
  'no dry run of the owner names the subject any more');
-- The failed dry run's upload holds the subject, so the erasure gives it up (20251020000072) and, as
-- a cancel does, that drops its other claims too.
select is_empty($$ select kind, value from private.contact_import_dry_run_claims
    where job_id = (select id from job_ids where name = 'preview') $$,
  'the claims on the subject''s identifier and contact go, and another row''s with the dry run given up');
select isnt_empty($$ select 1 from private.contact_import_dry_run_claims where job_id = (select id from job_ids where name = 'bystander') $$,
  'another owner''s dry run keeps its claim on the same address');
select ok((select dry_run_report::text like '%quillon@example.com%' from public.contact_import_jobs where id = (select id from job_ids where name = 'bystander')),
  'and its report: the same person in another owner''s contacts is not this subject');
select ok((select receipt -> 'counts' @> '{"contact_import_jobs": 1, "contact_import_dry_run_claims": 2}' from receipts),
  'the receipt counts the dry run scrubbed and the claims removed');
select is((select count(*) from public.contact_import_jobs where user_id = tests.get_supabase_uid('dry_run_eraser')), 1::bigint,
  'the dry run itself stays, with its counts');

select * from finish();
rollback;
