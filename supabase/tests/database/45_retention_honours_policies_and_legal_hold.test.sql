begin;
select plan(33);

-- apply_retention_policies: each data class and action does what its policy says to rows past
-- retain_days, dry_run only reports, contacts under legal hold (and their interactions) are never
-- touched, one owner's policies never reach another owner's rows, owner_id limits a run, and only
-- the service may run it.

-- ============================================================================================
-- Setup (superuser). Rows are made old by explicit timestamps.
--   Owner A (retention_owner), policies of 365 days:
--     c...01 Quiet Old   created 800 days ago, no interaction, an e-mail channel   -> inactive
--     c...02 Busy Old    created 800 days ago; i...01 400 days old, i...02 10 days old
--     c...03 Held Old    created 800 days ago, legal hold; i...03 400 days old
--     c...04 Fresh New   created now
--     import jobs: j...01 finished 400 days ago with an error row, j...02 finished 400 days ago
--     without errors, j...03 finished 10 days ago with an error row, j...04 pending for 800 days
--   Owner B (retention_other_owner), one policy: interactions, delete, 30 days
--     c...91 Other Quiet Old (inactive), c...92 Other Busy with i...91 400 days old,
--     j...91 finished 400 days ago with an error row
-- ============================================================================================
select tests.create_supabase_user('retention_owner');
select tests.create_supabase_user('retention_other_owner');

insert into public.contacts (id, user_id, display_name, legal_hold, legal_hold_reason, created_at, updated_at) values
  ('c0450000-0000-4000-8000-000000000001', tests.get_supabase_uid('retention_owner'), 'Quiet Old', false, null, now() - interval '800 days', now() - interval '800 days'),
  ('c0450000-0000-4000-8000-000000000002', tests.get_supabase_uid('retention_owner'), 'Busy Old', false, null, now() - interval '800 days', now() - interval '800 days'),
  ('c0450000-0000-4000-8000-000000000003', tests.get_supabase_uid('retention_owner'), 'Held Old', true, 'Pending litigation', now() - interval '800 days', now() - interval '800 days'),
  ('c0450000-0000-4000-8000-000000000004', tests.get_supabase_uid('retention_owner'), 'Fresh New', false, null, now(), now()),
  ('c0450000-0000-4000-8000-000000000091', tests.get_supabase_uid('retention_other_owner'), 'Other Quiet Old', false, null, now() - interval '800 days', now() - interval '800 days'),
  ('c0450000-0000-4000-8000-000000000092', tests.get_supabase_uid('retention_other_owner'), 'Other Busy', false, null, now() - interval '800 days', now() - interval '800 days');

insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('retention_owner'), 'c0450000-0000-4000-8000-000000000001', 'email', 'quiet.old@example.com'),
  (tests.get_supabase_uid('retention_owner'), 'c0450000-0000-4000-8000-000000000003', 'email', 'held.old@example.com'),
  (tests.get_supabase_uid('retention_other_owner'), 'c0450000-0000-4000-8000-000000000091', 'email', 'other.quiet@example.com');

insert into public.contact_interactions
  (id, user_id, contact_id, channel_type, direction, subject, content, summary, error_message, metadata, occurred_at) values
  ('b0450000-0000-4000-8000-000000000001', tests.get_supabase_uid('retention_owner'), 'c0450000-0000-4000-8000-000000000002',
    'email', 'outbound', 'Old subject', 'Old content', 'Old summary', 'Old error', '{"k": "v"}', now() - interval '400 days'),
  ('b0450000-0000-4000-8000-000000000002', tests.get_supabase_uid('retention_owner'), 'c0450000-0000-4000-8000-000000000002',
    'email', 'outbound', 'Recent subject', 'Recent content', null, null, '{"k": "recent"}', now() - interval '10 days'),
  ('b0450000-0000-4000-8000-000000000003', tests.get_supabase_uid('retention_owner'), 'c0450000-0000-4000-8000-000000000003',
    'email', 'inbound', 'Held subject', 'Held content', 'Held summary', null, '{"k": "held"}', now() - interval '400 days'),
  ('b0450000-0000-4000-8000-000000000091', tests.get_supabase_uid('retention_other_owner'), 'c0450000-0000-4000-8000-000000000092',
    'email', 'inbound', 'Other subject', 'Other old content', null, null, '{}', now() - interval '400 days');

-- Import jobs reach "completed" through the status machine; then completed_at is moved back.
insert into public.contact_import_jobs (id, user_id, file_name, status, created_at) values
  ('e0450000-0000-4000-8000-000000000001', tests.get_supabase_uid('retention_owner'), 'old-with-errors.csv', 'pending', now() - interval '401 days'),
  ('e0450000-0000-4000-8000-000000000002', tests.get_supabase_uid('retention_owner'), 'old-clean.csv', 'pending', now() - interval '401 days'),
  ('e0450000-0000-4000-8000-000000000003', tests.get_supabase_uid('retention_owner'), 'recent-with-errors.csv', 'pending', now() - interval '11 days'),
  ('e0450000-0000-4000-8000-000000000004', tests.get_supabase_uid('retention_owner'), 'never-finished.csv', 'pending', now() - interval '800 days'),
  ('e0450000-0000-4000-8000-000000000091', tests.get_supabase_uid('retention_other_owner'), 'other-old.csv', 'pending', now() - interval '401 days');
update public.contact_import_jobs set status = 'processing'
where id in ('e0450000-0000-4000-8000-000000000001', 'e0450000-0000-4000-8000-000000000002',
             'e0450000-0000-4000-8000-000000000003', 'e0450000-0000-4000-8000-000000000091');
update public.contact_import_jobs
set status = 'completed', total_rows = 2, processed_rows = 2, created_count = 1, failed_count = 1
where id in ('e0450000-0000-4000-8000-000000000001', 'e0450000-0000-4000-8000-000000000003', 'e0450000-0000-4000-8000-000000000091');
update public.contact_import_jobs
set status = 'completed', total_rows = 1, processed_rows = 1, created_count = 1
where id = 'e0450000-0000-4000-8000-000000000002';
update public.contact_import_jobs set completed_at = now() - interval '400 days'
where id in ('e0450000-0000-4000-8000-000000000001', 'e0450000-0000-4000-8000-000000000002', 'e0450000-0000-4000-8000-000000000091');
update public.contact_import_jobs set completed_at = now() - interval '10 days'
where id = 'e0450000-0000-4000-8000-000000000003';
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason) values
  (tests.get_supabase_uid('retention_owner'), 'e0450000-0000-4000-8000-000000000001', 2, 'email', 'not-an-email', 'invalid e-mail'),
  (tests.get_supabase_uid('retention_owner'), 'e0450000-0000-4000-8000-000000000003', 3, 'email', 'also-bad', 'invalid e-mail'),
  (tests.get_supabase_uid('retention_other_owner'), 'e0450000-0000-4000-8000-000000000091', 2, 'phone', '12', 'invalid phone');

insert into public.contact_retention_policies (user_id, data_class, action, retain_days) values
  (tests.get_supabase_uid('retention_owner'), 'interactions', 'anonymize', 365),
  (tests.get_supabase_uid('retention_owner'), 'interaction_content', 'anonymize', 365),
  (tests.get_supabase_uid('retention_owner'), 'inactive_contacts', 'anonymize', 365),
  (tests.get_supabase_uid('retention_owner'), 'import_jobs', 'anonymize', 365),
  (tests.get_supabase_uid('retention_other_owner'), 'interactions', 'delete', 30);

-- Everything an owner holds that retention may touch, as one value.
create function pg_temp.owner_state(owner uuid)
returns jsonb
language sql
as $$
  select jsonb_build_object(
    'contacts', (select jsonb_agg(to_jsonb(x) - 'search_vector' order by x.id) from public.contacts x where x.user_id = owner),
    'channels', (select jsonb_agg(to_jsonb(x) order by x.id) from public.contact_communication_channels x where x.user_id = owner),
    'interactions', (select jsonb_agg(to_jsonb(x) order by x.id) from public.contact_interactions x where x.user_id = owner),
    'import_jobs', (select jsonb_agg(to_jsonb(x) order by x.id) from public.contact_import_jobs x where x.user_id = owner),
    'import_job_errors', (select jsonb_agg(to_jsonb(x) order by x.id) from public.contact_import_job_errors x where x.user_id = owner))
$$;

-- Everything about the contact under legal hold.
create function pg_temp.held_state()
returns jsonb
language sql
as $$
  select jsonb_build_object(
    'contact', (select to_jsonb(c) from public.contacts c where c.id = 'c0450000-0000-4000-8000-000000000003'),
    'channels', (select jsonb_agg(to_jsonb(x) order by x.id) from public.contact_communication_channels x
                 where x.contact_id = 'c0450000-0000-4000-8000-000000000003'),
    'interactions', (select jsonb_agg(to_jsonb(x) order by x.id) from public.contact_interactions x
                     where x.contact_id = 'c0450000-0000-4000-8000-000000000003'))
$$;

-- Enables exactly one of owner A's policies, with the given action.
create function pg_temp.only_policy(class text, policy_action text)
returns void
language sql
as $$
  update public.contact_retention_policies p
  set is_enabled = (p.data_class = class), action = case when p.data_class = class then policy_action else p.action end
  where p.user_id = tests.get_supabase_uid('retention_owner');
$$;

create temporary table snapshots as
select 'owner' as label, pg_temp.owner_state(tests.get_supabase_uid('retention_owner')) as state
union all select 'other owner', pg_temp.owner_state(tests.get_supabase_uid('retention_other_owner'))
union all select 'held', pg_temp.held_state();

create temporary table runs (run text, data_class text, action text, affected_rows bigint, user_id uuid);
grant all on table runs to public;

-- ============================================================================================
-- Owner (authenticated) and anon: not theirs to run
-- ============================================================================================
select tests.authenticate_as('retention_owner');

select throws_ok(
  $$ select * from public.apply_retention_policies() $$,
  '42501', 'permission denied for function apply_retention_policies',
  'an authenticated owner cannot run retention');

select throws_ok(
  $$ select * from public.apply_retention_policies(true, tests.get_supabase_uid('retention_owner')) $$,
  '42501', 'permission denied for function apply_retention_policies',
  'an authenticated owner cannot even dry-run retention for themselves');

select tests.clear_authentication();

select throws_ok(
  $$ select * from public.apply_retention_policies(true) $$,
  '42501', 'permission denied for function apply_retention_policies',
  'anon cannot run retention');

-- ============================================================================================
-- service_role: dry runs
-- ============================================================================================
select tests.authenticate_as_service_role();

select lives_ok(
  $$ insert into runs select 'dry A', r.data_class, r.action, r.affected_rows, r.user_id
     from public.apply_retention_policies(true, tests.get_supabase_uid('retention_owner')) as r $$,
  'the service role can run retention');

select results_eq(
  $$ select data_class, action, affected_rows from runs where run = 'dry A' $$,
  $$ values ('import_jobs', 'anonymize', 1::bigint), ('inactive_contacts', 'anonymize', 1::bigint),
            ('interaction_content', 'anonymize', 1::bigint), ('interactions', 'anonymize', 1::bigint) $$,
  'a dry run for owner A reports, class by class, the rows past 365 days, skipping held, recent and unfinished ones');

insert into runs select 'dry all', r.data_class, r.action, r.affected_rows, r.user_id
from public.apply_retention_policies(true) as r
where r.user_id in (tests.get_supabase_uid('retention_owner'), tests.get_supabase_uid('retention_other_owner'));

select results_eq(
  $$ select data_class, action, affected_rows from runs
     where run = 'dry all' and user_id = tests.get_supabase_uid('retention_other_owner') $$,
  $$ values ('interactions', 'delete', 1::bigint) $$,
  'a dry run without owner_id also covers owner B, with B''s own policy and rows only');

select results_eq(
  $$ select count(*) from runs where run = 'dry all' and user_id = tests.get_supabase_uid('retention_owner') $$,
  $$ values (4::bigint) $$,
  'a dry run without owner_id reports each of owner A''s four policies once');

reset role;

select is(pg_temp.owner_state(tests.get_supabase_uid('retention_owner')), (select state from snapshots where label = 'owner'),
  'dry runs change nothing of owner A''s');

select is(pg_temp.owner_state(tests.get_supabase_uid('retention_other_owner')), (select state from snapshots where label = 'other owner'),
  'dry runs change nothing of owner B''s');

-- ============================================================================================
-- service_role: each class and action in turn, for owner A only
-- ============================================================================================
-- interaction_content: anonymize
select pg_temp.only_policy('interaction_content', 'anonymize');
select tests.authenticate_as_service_role();
insert into runs select 'content anonymize', r.data_class, r.action, r.affected_rows, r.user_id
from public.apply_retention_policies(false, tests.get_supabase_uid('retention_owner')) as r;
reset role;

select results_eq(
  $$ select data_class, action, affected_rows from runs where run = 'content anonymize' $$,
  $$ values ('interaction_content', 'anonymize', 1::bigint) $$,
  'interaction_content/anonymize reports the one old interaction with a body');

select results_eq(
  $$ select subject, content, summary, error_message, metadata from public.contact_interactions
     where id = 'b0450000-0000-4000-8000-000000000001' $$,
  $$ values (null::text, null::text, null::text, 'Old error', '{"k": "v"}'::jsonb) $$,
  'interaction_content/anonymize wipes subject, content and summary of the old interaction, and only those');

select results_eq(
  $$ select content from public.contact_interactions where id = 'b0450000-0000-4000-8000-000000000002' $$,
  $$ values ('Recent content') $$,
  'interaction_content/anonymize leaves a recent interaction alone');

-- interactions: anonymize
select pg_temp.only_policy('interactions', 'anonymize');
select tests.authenticate_as_service_role();
insert into runs select 'interactions anonymize', r.data_class, r.action, r.affected_rows, r.user_id
from public.apply_retention_policies(false, tests.get_supabase_uid('retention_owner')) as r;
reset role;

select results_eq(
  $$ select data_class, action, affected_rows from runs where run = 'interactions anonymize' $$,
  $$ values ('interactions', 'anonymize', 1::bigint) $$,
  'interactions/anonymize reports the old interaction that still has an error text and metadata');

select results_eq(
  $$ select subject, content, summary, error_message, metadata from public.contact_interactions
     where id = 'b0450000-0000-4000-8000-000000000001' $$,
  $$ values (null::text, null::text, null::text, null::text, '{}'::jsonb) $$,
  'interactions/anonymize also wipes the error text and metadata, keeping the row');

-- interactions: delete
select pg_temp.only_policy('interactions', 'delete');
select tests.authenticate_as_service_role();
insert into runs select 'interactions delete', r.data_class, r.action, r.affected_rows, r.user_id
from public.apply_retention_policies(false, tests.get_supabase_uid('retention_owner')) as r;
reset role;

select results_eq(
  $$ select data_class, action, affected_rows from runs where run = 'interactions delete' $$,
  $$ values ('interactions', 'delete', 1::bigint) $$,
  'interactions/delete reports the one old interaction not under legal hold');

select set_eq(
  $$ select id from public.contact_interactions where user_id = tests.get_supabase_uid('retention_owner') $$,
  $$ values ('b0450000-0000-4000-8000-000000000002'::uuid), ('b0450000-0000-4000-8000-000000000003'::uuid) $$,
  'interactions/delete removes the old interaction and keeps the recent one and the held one');

-- inactive_contacts: anonymize
select pg_temp.only_policy('inactive_contacts', 'anonymize');
select tests.authenticate_as_service_role();
insert into runs select 'inactive anonymize', r.data_class, r.action, r.affected_rows, r.user_id
from public.apply_retention_policies(false, tests.get_supabase_uid('retention_owner')) as r;
reset role;

select results_eq(
  $$ select data_class, action, affected_rows from runs where run = 'inactive anonymize' $$,
  $$ values ('inactive_contacts', 'anonymize', 1::bigint) $$,
  'inactive_contacts/anonymize reports the one old contact without recent interactions');

select results_eq(
  $$ select display_name, status, (select count(*) from public.contact_communication_channels ch where ch.contact_id = c.id)
     from public.contacts c where c.user_id = tests.get_supabase_uid('retention_owner') order by c.id $$,
  $$ values ('Anonymized contact', 'anonymized', 0::bigint), ('Busy Old', 'active', 0::bigint),
            ('Held Old', 'active', 1::bigint), ('Fresh New', 'active', 0::bigint) $$,
  'inactive_contacts/anonymize wipes the quiet contact and its channel; busy, held and new contacts keep theirs');

-- inactive_contacts: delete
select pg_temp.only_policy('inactive_contacts', 'delete');
select tests.authenticate_as_service_role();
insert into runs select 'inactive delete', r.data_class, r.action, r.affected_rows, r.user_id
from public.apply_retention_policies(false, tests.get_supabase_uid('retention_owner')) as r;
reset role;

select results_eq(
  $$ select data_class, action, affected_rows from runs where run = 'inactive delete' $$,
  $$ values ('inactive_contacts', 'delete', 1::bigint) $$,
  'inactive_contacts/delete reports the quiet contact (anonymized or not, it is still inactive)');

select set_eq(
  $$ select id from public.contacts where user_id = tests.get_supabase_uid('retention_owner') $$,
  $$ values ('c0450000-0000-4000-8000-000000000002'::uuid), ('c0450000-0000-4000-8000-000000000003'::uuid),
            ('c0450000-0000-4000-8000-000000000004'::uuid) $$,
  'inactive_contacts/delete removes the quiet contact and keeps the busy, held and new ones');

-- import_jobs: anonymize
select pg_temp.only_policy('import_jobs', 'anonymize');
select tests.authenticate_as_service_role();
insert into runs select 'jobs anonymize', r.data_class, r.action, r.affected_rows, r.user_id
from public.apply_retention_policies(false, tests.get_supabase_uid('retention_owner')) as r;
reset role;

select results_eq(
  $$ select data_class, action, affected_rows from runs where run = 'jobs anonymize' $$,
  $$ values ('import_jobs', 'anonymize', 1::bigint) $$,
  'import_jobs/anonymize reports the one old finished job that has error rows');

select results_eq(
  $$ select j.id, (select count(*) from public.contact_import_job_errors e where e.job_id = j.id)
     from public.contact_import_jobs j where j.user_id = tests.get_supabase_uid('retention_owner') order by j.id $$,
  $$ values ('e0450000-0000-4000-8000-000000000001'::uuid, 0::bigint), ('e0450000-0000-4000-8000-000000000002'::uuid, 0::bigint),
            ('e0450000-0000-4000-8000-000000000003'::uuid, 1::bigint), ('e0450000-0000-4000-8000-000000000004'::uuid, 0::bigint) $$,
  'import_jobs/anonymize removes the old job''s error rows, keeps every job and the recent job''s errors');

-- import_jobs: delete
select pg_temp.only_policy('import_jobs', 'delete');
select tests.authenticate_as_service_role();
insert into runs select 'jobs delete', r.data_class, r.action, r.affected_rows, r.user_id
from public.apply_retention_policies(false, tests.get_supabase_uid('retention_owner')) as r;
reset role;

select results_eq(
  $$ select data_class, action, affected_rows from runs where run = 'jobs delete' $$,
  $$ values ('import_jobs', 'delete', 2::bigint) $$,
  'import_jobs/delete reports both old finished jobs');

select set_eq(
  $$ select id from public.contact_import_jobs where user_id = tests.get_supabase_uid('retention_owner') $$,
  $$ values ('e0450000-0000-4000-8000-000000000003'::uuid), ('e0450000-0000-4000-8000-000000000004'::uuid) $$,
  'import_jobs/delete keeps the recent job and the unfinished one, however old');

-- ============================================================================================
-- Superuser: legal hold and owner B after all of owner A's runs
-- ============================================================================================
select is(pg_temp.held_state(), (select state from snapshots where label = 'held'),
  'the contact under legal hold, its channel and its 400-day-old interaction are exactly as before every run');

select is(pg_temp.owner_state(tests.get_supabase_uid('retention_other_owner')), (select state from snapshots where label = 'other owner'),
  'owner_id limited every run to owner A: owner B''s rows, old interaction included, are exactly as before');

select is(
  (select count(*) from runs where run not like 'dry%' and user_id <> tests.get_supabase_uid('retention_owner')),
  0::bigint,
  'runs limited by owner_id report only that owner''s policies');

-- ============================================================================================
-- service_role: a run for every owner; A's policies must not reach B's rows
-- ============================================================================================
update public.contact_retention_policies set is_enabled = true, action = 'delete'
where user_id = tests.get_supabase_uid('retention_owner') and data_class in ('inactive_contacts', 'import_jobs');

select tests.authenticate_as_service_role();
insert into runs select 'all owners', r.data_class, r.action, r.affected_rows, r.user_id
from public.apply_retention_policies() as r
where r.user_id in (tests.get_supabase_uid('retention_owner'), tests.get_supabase_uid('retention_other_owner'));
reset role;

select results_eq(
  $$ select data_class, action, affected_rows from runs
     where run = 'all owners' and user_id = tests.get_supabase_uid('retention_other_owner') $$,
  $$ values ('interactions', 'delete', 1::bigint) $$,
  'a run for every owner applies owner B''s own policy to B''s old interaction');

select is_empty(
  $$ select 1 from public.contact_interactions where id = 'b0450000-0000-4000-8000-000000000091' $$,
  'owner B''s 400-day-old interaction is deleted by B''s 30-day policy');

select results_eq(
  $$ select display_name, status from public.contacts where id = 'c0450000-0000-4000-8000-000000000091' $$,
  $$ values ('Other Quiet Old', 'active') $$,
  'owner A''s inactive-contacts policy never deletes owner B''s inactive contact');

select results_eq(
  $$ select count(*) from public.contact_import_job_errors where job_id = 'e0450000-0000-4000-8000-000000000091' $$,
  $$ values (1::bigint) $$,
  'owner A''s import-jobs policy never deletes owner B''s old job or its error row');

select results_eq(
  $$ select data_class, action, affected_rows from runs
     where run = 'all owners' and user_id = tests.get_supabase_uid('retention_owner') $$,
  $$ values ('import_jobs', 'delete', 0::bigint), ('inactive_contacts', 'delete', 0::bigint) $$,
  'owner A''s policies find nothing more of A''s to delete, and count nothing of B''s');

select is(pg_temp.held_state(), (select state from snapshots where label = 'held'),
  'the contact under legal hold is still untouched after a run for every owner');

select * from finish();
rollback;
