-- Ada's contact holds ada+crm@example.com, Hans's a Telegram channel "+49 030 1234567", Gina's
-- gina@gmail.com. The owner's import reports hold them in other spellings: the plain address a
-- request gives, another tag, the number without its trunk zero, Gina's address with dots under
-- googlemail.com in a headerless file's first line; Zed, whom no contact holds, is in a line as
-- zed@example.com. Since 20251020000080 export and erasure match every spelling of a mailbox or
-- a number, the request's as the contact's: one request lists and removes each trace, a
-- different mailbox (a dotted one outside Gmail) and another owner's lines stay. A dry run's
-- claim on another tag of Ada's mailbox goes with the lines. Sam's Telegram username @sales is
-- not the word "sales": erasing Sam leaves the "Sales leads" group, Bob's sales@acme.com line and
-- a failed upload whose header names a "sales" column as they were.
begin;
select plan(16);

-- ============================================================================================
-- Setup (superuser): the contacts, the report lines and header holding other spellings
-- ============================================================================================
select tests.create_supabase_user('trace196_owner');
select tests.create_supabase_user('trace196_stranger');
insert into public.contacts (id, user_id, display_name) values
  ('19600000-0000-4000-8000-000000000001', tests.get_supabase_uid('trace196_owner'), 'Ada Tagged'),
  ('19600000-0000-4000-8000-000000000002', tests.get_supabase_uid('trace196_owner'), 'Hans Telegram'),
  ('19600000-0000-4000-8000-000000000003', tests.get_supabase_uid('trace196_owner'), 'Gina Gmail'),
  ('19600000-0000-4000-8000-000000000004', tests.get_supabase_uid('trace196_owner'), 'Sam Telegram');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('trace196_owner'), '19600000-0000-4000-8000-000000000001', 'email', 'ada+crm@example.com'),
  (tests.get_supabase_uid('trace196_owner'), '19600000-0000-4000-8000-000000000002', 'telegram', '+49 030 1234567'),
  (tests.get_supabase_uid('trace196_owner'), '19600000-0000-4000-8000-000000000003', 'email', 'gina@gmail.com'),
  (tests.get_supabase_uid('trace196_owner'), '19600000-0000-4000-8000-000000000004', 'telegram', '@sales');
create temporary table job_ids (name text primary key, id uuid);
grant all on job_ids to service_role, authenticated;
insert into job_ids values
  ('report', tests.create_import_job('trace196_owner', 'report')),
  ('headerless', tests.create_import_job('trace196_owner', 'headerless')),
  ('preview', tests.create_import_job('trace196_owner', 'preview', dry_run => true)),
  ('resumable', tests.create_import_job('trace196_owner', 'resumable')),
  ('stranger', tests.create_import_job('trace196_stranger', 'stranger'));
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
select tests.get_supabase_uid('trace196_owner'), (select id from job_ids where name = 'report'), r.n, r.c, r.v, 'identifier_conflict: x'
from (values (2, 'email', 'ada@example.com'), (3, 'email', 'ADA+news@example.com'), (4, 'email', 'a.da@example.com'),
             (5, 'phone', '+49 30 1234567'), (6, 'email', 'zed@example.com'), (7, 'email', 'sales@acme.com')) as r (n, c, v);
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
values (tests.get_supabase_uid('trace196_stranger'), (select id from job_ids where name = 'stranger'), 2, 'email', 'ada@example.com', 'identifier_conflict: x');
update public.contact_import_jobs set status = 'failed', error_summary = 'missing_required_column: no column holds the dedupe key',
  header = jsonb_build_array('Gina', 'G.I.N.A@googlemail.com')
where id = (select id from job_ids where name = 'headerless');
insert into private.contact_import_dry_run_claims (job_id, user_id, kind, value, row_number)
select (select id from job_ids where name = 'preview'), tests.get_supabase_uid('trace196_owner'), 'email', v, 2
from unnest(array['ada+news@example.com', 'bob@example.com']) as v;
update public.contact_import_jobs set status = 'failed', error_summary = 'processing_failed: the import stopped on an internal error',
  storage_path = 'imports/' || tests.get_supabase_uid('trace196_owner') || '/' || gen_random_uuid() || '.csv',
  header = jsonb_build_array('name', 'email', 'sales'), resume_offset = 120
where id = (select id from job_ids where name = 'resumable');
insert into public.contact_groups (id, user_id, name, description, group_type, criteria) values
  ('19600000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('trace196_owner'), 'Sales leads', 'for the sales team', 'static', null);
create temporary table answers (label text primary key, answer jsonb);
grant all on answers to service_role, authenticated;
create function pg_temp.lines(label text) returns int[] language sql as $$
  select array(select (e ->> 'row_number')::int from answers a, jsonb_array_elements(a.answer -> 'subjects' -> 0 -> 'contact_import_job_errors') as e
               where a.label = lines.label order by 1)
$$;

-- ============================================================================================
-- Owner: the export by identifier lists the traces in every spelling of it
-- ============================================================================================
select tests.authenticate_as('trace196_owner');
insert into answers values
  ('ada', public.export_subject_data(identifier => 'ada@example.com')),
  ('hans', public.export_subject_data(identifier => '+49 30 1234567')),
  ('gina', public.export_subject_data(contact_id => '19600000-0000-4000-8000-000000000003')),
  ('zed', public.export_subject_data(identifier => 'zed+promo@example.com'));
select is(pg_temp.lines('ada'), array[2, 3],
  'the owner''s export by ada@example.com lists the lines holding it and ADA+news@example.com, not a.da@example.com (another mailbox)');
select is(pg_temp.lines('hans'), array[5],
  'the owner''s export by +49 30 1234567 lists the line holding it, the contact''s Telegram channel keeping its trunk zero');
select is((select jsonb_array_length(answer -> 'subjects' -> 0 -> 'contact_import_headers') from answers where label = 'gina'), 1,
  'the owner''s export of gina@gmail.com''s contact lists the header row holding G.I.N.A@googlemail.com');
select is((select array(select (e ->> 'row_number')::int from jsonb_array_elements(answer -> 'traces' -> 'contact_import_job_errors') as e)
           from answers where label = 'zed'), array[6],
  'the owner''s export by zed+promo@example.com, whom no contact holds, lists the line holding zed@example.com as a trace');

-- ============================================================================================
-- Owner: one erasure removes what the export listed, the first time
-- ============================================================================================
insert into answers values
  ('erase ada', public.gdpr_delete_subject(identifier => 'ada@example.com')),
  ('erase hans', public.gdpr_delete_subject(identifier => '+49 30 1234567')),
  ('erase gina', public.gdpr_delete_subject(contact_id => '19600000-0000-4000-8000-000000000003')),
  ('erase zed', public.gdpr_delete_subject(identifier => 'zed+promo@example.com')),
  ('erase sam', public.gdpr_delete_subject(contact_id => '19600000-0000-4000-8000-000000000004'));
select is((select (answer -> 'counts' ->> 'contact_import_job_errors')::int from answers where label = 'erase ada'), 2,
  'the owner''s erasure by ada@example.com counts the two lines holding the mailbox');
select is((select array_agg(e.row_number order by e.row_number) from public.contact_import_job_errors e
           where e.job_id = (select id from job_ids where name = 'report')),
  array[4::bigint, 7], 'the owner''s erasures leave only the lines of other mailboxes, a.da@example.com and sales@acme.com');
select is((select answer -> 'counts' from answers where label = 'erase sam') @> '{"contact_import_job_errors": 0, "contact_groups": 0, "import_uploads": 0}', true,
  'the erasure of the contact whose Telegram username is @sales removes no line, rewrites no group and gives up no upload');
select is((select array[g.name, g.description] from public.contact_groups g where g.id = '19600000-0000-4000-8000-0000000000b1'),
  array['Sales leads', 'for the sales team'], 'the group "Sales leads" is left as it was: the word sales is not @sales');
select is((select status || ' ' || (header ->> 2) from public.contact_import_jobs where id = (select id from job_ids where name = 'resumable')),
  'failed sales', 'the failed upload whose header names a sales column keeps its header and stays resumable');
select is((select header from public.contact_import_jobs where id = (select id from job_ids where name = 'headerless')), null::jsonb,
  'the erasure of gina@gmail.com''s contact drops the header row holding G.I.N.A@googlemail.com');
select is((select (answer -> 'counts' ->> 'contact_import_job_errors')::int from answers where label = 'erase zed'), 1,
  'the owner''s erasure by zed+promo@example.com removes the line holding zed@example.com');
select is(public.verify_subject_erasure('ada@example.com') ->> 'erased', 'true',
  'the owner''s erasure check says ada@example.com is erased');
select is(public.gdpr_delete_subject(identifier => 'ada@example.com') ->> 'request_id', (select answer ->> 'request_id' from answers where label = 'erase ada'),
  'a repeat request by ada@example.com answers the first receipt: nothing was left behind for a second one');
reset role;

-- Claims live in private, out of the owner's reach: read as the superuser.
reset role;
select is((select array_agg(d.value) from private.contact_import_dry_run_claims d where d.user_id = tests.get_supabase_uid('trace196_owner')),
  array['bob@example.com'], 'the erasure by ada@example.com removes the dry run''s claim on ada+news@example.com and keeps Bob''s');

-- ============================================================================================
-- Another owner: the owner's erasure leaves the stranger's line holding the same address
-- ============================================================================================
select tests.authenticate_as('trace196_stranger');
select is((select array_agg(e.value_excerpt) from public.contact_import_job_errors e), array['ada@example.com'],
  'another owner''s report line holding ada@example.com survives the owner''s erasure');
reset role;

-- ============================================================================================
-- Helpers: the words and the value matcher
-- ============================================================================================
select ok(private.is_identifier_value(' Ada+News@Example.com ', array['ada@example.com'])
          and not private.is_identifier_value('a.da@example.com', array['ada@example.com'])
          and private.is_identifier_value('a.d.a+x@googlemail.com', array['ada@gmail.com'])
          and not private.is_identifier_value('+ada@example.com', array['ada@example.com']),
  'an address is the subject''s when its mailbox is: a +tag and Gmail dots fold, a dot elsewhere does not, nor does a + that starts it');

select * from finish();
rollback;
