-- Erasure finds the subject in import error lines and dry-run entries only as a whole mention
-- (20251019000002): a name or identifier not inside a longer word, address or number. Lines of
-- other people that merely contain the text stay in the owner's reports; the subject's go, in any
-- case, alone or within a whole unreadable line.
begin;
select plan(4);

select tests.create_supabase_user('whole_eraser');
insert into public.contacts (id, user_id, first_name, last_name) values
  ('12100000-0000-4000-8000-000000000001', tests.get_supabase_uid('whole_eraser'), 'Ann', 'Lee');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('whole_eraser'), '12100000-0000-4000-8000-000000000001', 'email', 'ann.lee@acme.com'),
  (tests.get_supabase_uid('whole_eraser'), '12100000-0000-4000-8000-000000000001', 'phone', '+447700900121');

create temporary table job_ids (name text primary key, id uuid) on commit drop;
insert into job_ids values
  ('upload', tests.create_import_job('whole_eraser', 'upload')),
  ('preview', tests.create_import_job('whole_eraser', 'preview', dry_run => true));
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
select tests.get_supabase_uid('whole_eraser'), (select id from job_ids where name = 'upload'), n, 'email', v, 'duplicate_in_file'
from (values
  (2, 'ANN LEE'),
  (3, 'Ann,Lee,ann.lee@acme.com'),
  (4, 'tel: +447700900121'),
  (5, 'joann.lee@acme.com'),
  (6, 'ann.lee@acme.community'),
  (7, '+4477009001210'),
  (8, 'Joanna Leeds')) as x (n, v);
update public.contact_import_jobs set dry_run_report = '{
  "new": [{"row": 2, "display_name": "Ann Lee", "identifiers": ["ann.lee@acme.com"]},
          {"row": 3, "display_name": "Joanna Leeds", "identifiers": ["joann.lee@acme.com"]}],
  "changed": [],
  "failing": [{"row": 4, "column": "phone", "value": "+4477009001210", "reason": "invalid_phone"}]}'
where id = (select id from job_ids where name = 'preview');

create temporary table receipts (receipt jsonb);
grant all on receipts to authenticated;
select tests.authenticate_as('whole_eraser');
insert into receipts select public.gdpr_delete_subject(contact_id => '12100000-0000-4000-8000-000000000001');
reset role;

select results_eq(
  $$ select row_number::int from public.contact_import_job_errors where job_id = (select id from job_ids where name = 'upload') order by 1 $$,
  $$ values (5), (6), (7), (8) $$,
  'the lines holding the subject''s name, address or number as a whole go; a longer address, number or name that contains them stays');
select is(
  (select jsonb_path_query_array(dry_run_report, '$.*[*].row') from public.contact_import_jobs where id = (select id from job_ids where name = 'preview')),
  '[3, 4]'::jsonb,
  'the dry run keeps the entries of the other person and of the longer number');
select ok((select receipt -> 'counts' @> '{"contact_import_job_errors": 3, "contact_import_jobs": 1}' from receipts),
  'the receipt counts the three lines and the dry run it scrubbed');
select ok(private.mentions_whole('Call O''Neil (Jr.) today', array['o''neil (jr.)']) and not private.mentions_whole('x.yz', array['x.y']),
  'mentions holding characters a pattern would read (quotes, parentheses, dots) are matched literally');

select * from finish();
rollback;
