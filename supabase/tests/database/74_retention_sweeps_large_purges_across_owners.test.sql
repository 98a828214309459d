-- Retention sweeps: a run with at least contacts.retention_sweep_min_rows interactions to delete
-- sweeps them across owners, window of time by window, instead of owner by owner. The sweep deletes exactly
-- what the keyset batches delete: the rows past each owner's own cutoff, never those of a contact
-- under legal hold, never those of an owner without an interactions/delete policy; a dry run only
-- counts; a run stopped mid-sweep is taken over where it stopped; a run with little to do
-- keeps to the keyset batches.
begin;
select plan(14);

-- ============================================================================================
-- Setup (superuser):
--   sweep_owner: 365-day interactions/delete policy; Chatty (20 interactions 400 days old, a
--     minute apart, 2 of 10 days), Held (legal hold, 5 of 400 days), Burst (6 written at one
--     instant 500 days ago)
--   sweep_short_owner: 30-day interactions/delete policy; Brief (10 of 40 days, 3 of 10 days)
--   sweep_anonymizer: 365-day interactions/anonymize policy; Kept (4 of 400 days): not swept
--   sweep_no_policy: no policy; Untouched (10 of 400 days)
-- ============================================================================================
select tests.create_supabase_user('sweep_owner');
select tests.create_supabase_user('sweep_short_owner');
select tests.create_supabase_user('sweep_anonymizer');
select tests.create_supabase_user('sweep_no_policy');
insert into public.contacts (id, user_id, display_name, legal_hold, legal_hold_reason) values
  ('c0740000-0000-4000-8000-000000000001', tests.get_supabase_uid('sweep_owner'), 'Chatty', false, null),
  ('c0740000-0000-4000-8000-000000000002', tests.get_supabase_uid('sweep_owner'), 'Held', true, 'Pending litigation'),
  ('c0740000-0000-4000-8000-000000000003', tests.get_supabase_uid('sweep_short_owner'), 'Brief', false, null),
  ('c0740000-0000-4000-8000-000000000004', tests.get_supabase_uid('sweep_anonymizer'), 'Kept', false, null),
  ('c0740000-0000-4000-8000-000000000005', tests.get_supabase_uid('sweep_no_policy'), 'Untouched', false, null),
  ('c0740000-0000-4000-8000-000000000006', tests.get_supabase_uid('sweep_owner'), 'Burst', false, null);
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
select c.user_id, c.id, 'email', 'inbound', c.display_name || ' ' || n || ' ' || v.age, now() - v.age * interval '1 day' - n * interval '1 minute'
from public.contacts c
join (values ('Chatty', 400, 20), ('Chatty', 10, 2), ('Held', 400, 5), ('Brief', 40, 10), ('Brief', 10, 3),
             ('Kept', 400, 4), ('Untouched', 400, 10)) as v (name, age, how_many) on v.name = c.display_name
cross join lateral generate_series(1, v.how_many) n
where c.id::text like 'c0740000-%';
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
select tests.get_supabase_uid('sweep_owner'), 'c0740000-0000-4000-8000-000000000006', 'email', 'inbound', 'burst ' || n,
  date_trunc('second', now()) - interval '500 days'
from generate_series(1, 6) n;
insert into public.contact_retention_policies (user_id, data_class, action, retain_days) values
  (tests.get_supabase_uid('sweep_owner'), 'interactions', 'delete', 365),
  (tests.get_supabase_uid('sweep_short_owner'), 'interactions', 'delete', 30),
  (tests.get_supabase_uid('sweep_anonymizer'), 'interactions', 'anonymize', 365);

create temporary table runs (label text primary key, id bigint);
grant all on table runs to service_role;
create temporary view swept_counts as
select u.label, count(i.id) as remaining
from (values ('sweep_owner'), ('sweep_short_owner'), ('sweep_anonymizer'), ('sweep_no_policy')) as u (label)
left join public.contact_interactions i on i.user_id = tests.get_supabase_uid(u.label)
group by u.label;
grant select on swept_counts to service_role;

-- ============================================================================================
-- service_role: sweeps forced by a threshold of one row
-- ============================================================================================
select tests.authenticate_as_service_role();
select set_config('contacts.retention_sweep_min_rows', '1', true);

insert into runs values ('dry', private.retention_run_start(true, null, null, 'sql', 20, false));
select results_eq(
  $$ select r.sweep_next_at, r.sweep_end_at from private.retention_runs r where r.id = (select id from runs where label = 'dry') $$,
  $$ select (select min(i.occurred_at) from public.contact_interactions i join private.retention_run_items it
               on it.user_id = i.user_id and it.run_id = (select id from runs where label = 'dry') and it.swept
             where i.occurred_at < it.cutoff),
            (select max(it.cutoff) from private.retention_run_items it where it.run_id = (select id from runs where label = 'dry') and it.swept) $$,
  'a run with enough interactions to delete sweeps from the oldest of them to the latest cutoff of its swept policies');
select set_eq(
  $$ select u.email, i.data_class, i.action from private.retention_run_items i join auth.users u on u.id = i.user_id
     where i.run_id = (select id from runs where label = 'dry') and i.swept and u.email like 'sweep%' $$,
  $$ values ('sweep_owner@test.example', 'interactions', 'delete'), ('sweep_short_owner@test.example', 'interactions', 'delete') $$,
  'only interactions/delete policies are swept (anonymizing keeps to the keyset batches)');
select private.retention_run_step((select id from runs where label = 'dry')) from generate_series(1, 5);
select set_eq(
  $$ select u.email, i.affected_rows, i.finished_at is not null from private.retention_run_items i join auth.users u on u.id = i.user_id
     where i.run_id = (select id from runs where label = 'dry') and u.email like 'sweep%' and i.data_class = 'interactions' $$,
  $$ values ('sweep_owner@test.example', 26::bigint, true), ('sweep_short_owner@test.example', 10::bigint, true),
            ('sweep_anonymizer@test.example', 4::bigint, true) $$,
  'a dry sweep counts each owner''s rows past that owner''s own cutoff, held rows left out');
select set_eq($$ select label, remaining from swept_counts $$,
  $$ values ('sweep_owner', 33::bigint), ('sweep_short_owner', 13::bigint), ('sweep_anonymizer', 4::bigint), ('sweep_no_policy', 10::bigint) $$,
  'the dry sweep deleted nothing');
select private.retention_run_finish((select id from runs where label = 'dry'));

-- A run stopped after one step with its sweep half done (its position set back to the middle of its
-- span). Batch size 2: a statement deletes at most 4 rows, so windows are narrowed down to the
-- instant of the burst, whose rows go 4 at a time.
insert into runs values ('stopped', private.retention_run_start(false, null, 1, 'sql', 2, false));
select private.retention_run_step((select id from runs where label = 'stopped'));
reset role;
update private.retention_runs set sweep_next_at = sweep_end_at - interval '200 days' where id = (select id from runs where label = 'stopped');
update private.retention_run_items set finished_at = null where run_id = (select id from runs where label = 'stopped') and swept;
select tests.authenticate_as_service_role();
select is((select status from private.retention_run_finish((select id from runs where label = 'stopped'))), 'stopped',
  'a run stopped by max_batches before its sweep ended is resumable');

insert into runs values ('resumed', private.retention_run_start(false, null, null, 'sql', 2, false));
select results_eq(
  $$ select r.resumed_run_id, r.sweep_next_at, r.sweep_end_at, r.sweep_window from private.retention_runs r where r.id = (select id from runs where label = 'resumed') $$,
  $$ select (select id from runs where label = 'stopped'), r.sweep_next_at, r.sweep_end_at, r.sweep_window from private.retention_runs r
     where r.id = (select id from runs where label = 'stopped') $$,
  'the next run takes over the sweep where the stopped run left it');
select is(
  (select array_agg(i.cutoff order by i.policy_id) from private.retention_run_items i where i.run_id = (select id from runs where label = 'resumed') and i.swept),
  (select array_agg(i.cutoff order by i.policy_id) from private.retention_run_items i where i.run_id = (select id from runs where label = 'stopped') and i.swept),
  'with the stopped run''s cutoffs');
select private.retention_run_step((select id from runs where label = 'resumed')) from generate_series(1, 20);
select is((select status from private.retention_run_finish((select id from runs where label = 'resumed'))), 'completed',
  'the resumed run completes');

select set_eq($$ select label, remaining from swept_counts $$,
  $$ values ('sweep_owner', 7::bigint), ('sweep_short_owner', 3::bigint), ('sweep_anonymizer', 4::bigint), ('sweep_no_policy', 10::bigint) $$,
  'stopped and resumed, the sweeps leave the recent and held interactions, the anonymized ones and those of the owner without a policy (the burst is gone)');
select is(
  (select count(*) from public.contact_interactions where contact_id = 'c0740000-0000-4000-8000-000000000002'), 5::bigint,
  'the interactions of the contact under legal hold are all kept');
select is(
  (select count(*) from public.contact_interactions
   where contact_id = 'c0740000-0000-4000-8000-000000000004' and content is null), 4::bigint,
  'the anonymize policy of the same runs wiped its interactions by keyset batches');
select is(
  (select sum(i.affected_rows) from private.retention_run_items i
   where i.run_id in (select id from runs where label in ('stopped', 'resumed')) and i.data_class = 'interactions' and i.action = 'delete'),
  36::numeric, 'the two runs deleted the 36 rows past retention once between them');

-- With the threshold back to its default, a run with little to do keeps to the keyset batches.
select set_config('contacts.retention_sweep_min_rows', '', true);
insert into runs values ('after', private.retention_run_start(false, null, null, 'sql', 20, false));
select is((select sweep_end_at from private.retention_runs where id = (select id from runs where label = 'after')), null::timestamptz,
  'a run with fewer rows to delete than a twentieth of the table (at least 10,000) does not sweep');
select private.retention_run_step((select id from runs where label = 'after')) from generate_series(1, 5);
select results_eq(
  $$ select r.status, r.affected_rows from private.retention_run_finish((select id from runs where label = 'after')) r $$,
  $$ values ('completed', 0::bigint) $$,
  'and finds nothing left to delete');

select * from finish();
rollback;
