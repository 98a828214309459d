-- A retention batch of interactions locks the contacts of the rows it deletes or wipes, for share,
-- and reads their hold again before it acts (20251020000025), as the contacts batch does: a hold
-- placed while it runs either shows (committed) or makes it skip the contact (under way), and one
-- placed later waits for its transaction. The race needs two sessions; this file checks that the
-- lock is taken (pgrowlocks shows this transaction's share lock on the contact's row), only on the
-- contacts acted on, and that held contacts are left whole, for delete and anonymize.
begin;
select plan(8);

-- ============================================================================================
-- Setup (superuser): owner lock_hold_owner with Free and Held (3 interactions of 400 days ago
-- each) and Quiet (one of 10 days); owner lock_wipe_owner with Wiped and Kept (2 of 400 days each).
-- ============================================================================================
select tests.create_supabase_user('lock_hold_owner');
select tests.create_supabase_user('lock_wipe_owner');
insert into public.contacts (id, user_id, display_name) values
  ('14900000-0000-4000-8000-000000000001', tests.get_supabase_uid('lock_hold_owner'), 'Free'),
  ('14900000-0000-4000-8000-000000000002', tests.get_supabase_uid('lock_hold_owner'), 'Held'),
  ('14900000-0000-4000-8000-000000000003', tests.get_supabase_uid('lock_hold_owner'), 'Quiet'),
  ('14900000-0000-4000-8000-000000000004', tests.get_supabase_uid('lock_wipe_owner'), 'Wiped'),
  ('14900000-0000-4000-8000-000000000005', tests.get_supabase_uid('lock_wipe_owner'), 'Kept');
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content, occurred_at)
select c.user_id, c.id, 'email', 'inbound', c.display_name || ' ' || n, now() - v.age * interval '1 day' - n * interval '1 minute'
from public.contacts c
join (values ('Free', 400, 3), ('Held', 400, 3), ('Quiet', 10, 1), ('Wiped', 400, 2), ('Kept', 400, 2)) as v (name, age, how_many)
  on v.name = c.display_name
cross join lateral generate_series(1, v.how_many) n
where c.id::text like '14900000-%';

-- Whether this transaction holds a share lock (or a stronger one) on the contact's row; foreign key
-- checks of the setup's writes take key share locks only.
create extension if not exists pgrowlocks with schema extensions;
create function pg_temp.share_locked(contact uuid) returns boolean
language sql as $$
  select coalesce(bool_or(l.modes && array['For Share', 'For No Key Update', 'For Update', 'Update', 'No Key Update']), false)
  from extensions.pgrowlocks('public.contacts') l
  join public.contacts c on c.ctid = l.locked_row
  where c.id = share_locked.contact
$$;

-- ============================================================================================
-- Owner: Held and Kept go on legal hold.
-- ============================================================================================
select tests.authenticate_as('lock_hold_owner');
update public.contacts set legal_hold = true, legal_hold_reason = 'Audit' where id = '14900000-0000-4000-8000-000000000002';
reset role;
select tests.authenticate_as('lock_wipe_owner');
update public.contacts set legal_hold = true, legal_hold_reason = 'Audit' where id = '14900000-0000-4000-8000-000000000005';
reset role;

-- ============================================================================================
-- service_role
-- ============================================================================================
select tests.authenticate_as_service_role();
select is((select affected from private.retention_interactions_batch(tests.get_supabase_uid('lock_hold_owner'), 'interactions', 'delete',
    now() - interval '365 days', null, null, 100, false)), 3::bigint,
  'the service''s delete batch deletes the three old interactions of the contact not under hold');
select is((select count(*) from public.contact_interactions where contact_id = '14900000-0000-4000-8000-000000000002'), 3::bigint,
  'and keeps the held contact''s');
select is((select affected from private.retention_interactions_batch(tests.get_supabase_uid('lock_wipe_owner'), 'interaction_content', 'anonymize',
    now() - interval '365 days', null, null, 100, false)), 2::bigint,
  'the service''s anonymize batch wipes the two old interactions of the contact not under hold');
select results_eq(
  $$ select count(*) filter (where content is null) from public.contact_interactions where user_id = tests.get_supabase_uid('lock_wipe_owner')
     group by contact_id order by contact_id $$,
  $$ values (2::bigint), (0::bigint) $$,
  'and leaves the held contact''s bodies as they were');
reset role;

-- The row locks this transaction holds (superuser: pgrowlocks).
select ok(pg_temp.share_locked('14900000-0000-4000-8000-000000000001'),
  'the delete batch holds its contact locked until its transaction ends (a hold placed now would wait)');
select ok(pg_temp.share_locked('14900000-0000-4000-8000-000000000004'),
  'so does the anonymize batch');
select ok(not pg_temp.share_locked('14900000-0000-4000-8000-000000000002') and not pg_temp.share_locked('14900000-0000-4000-8000-000000000005'),
  'held contacts, whose rows the batches leave, are not locked');
select ok(not pg_temp.share_locked('14900000-0000-4000-8000-000000000003'),
  'nor is a contact with nothing past retention');

select * from finish();
rollback;
