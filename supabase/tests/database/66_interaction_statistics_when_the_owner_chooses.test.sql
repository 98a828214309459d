begin;
select plan(10);

-- PII-free interaction statistics: an owner who sets keep_interaction_statistics in
-- contact_privacy_settings keeps, for each erased contact, only counts of its interactions per
-- month, channel type, interaction type, direction and delivery status; without the setting
-- nothing remains. Settings and statistics are the owner's alone.

-- ============================================================================================
-- Setup (superuser): two owners, each with a subject of 6 interactions over two months.
-- ============================================================================================
select tests.create_supabase_user('stats66_keeper');
select tests.create_supabase_user('stats66_forgetter');
insert into public.contacts (id, user_id, first_name) values
  ('c0660000-0000-4000-8000-000000000001', tests.get_supabase_uid('stats66_keeper'), 'Keepme'),
  ('c0660000-0000-4000-8000-000000000002', tests.get_supabase_uid('stats66_keeper'), 'Keepmetoo'),
  ('c0660000-0000-4000-8000-000000000003', tests.get_supabase_uid('stats66_forgetter'), 'Forgetme');
insert into public.contact_interactions (user_id, contact_id, channel_type, interaction_type, direction, content, occurred_at)
select c.user_id, c.id, case when n <= 4 then 'email' else 'phone' end, case when n <= 4 then 'email' else 'call' end,
  'outbound', 'Private words ' || n, timestamptz '2026-03-10 12:00+00' + make_interval(days => case when n % 2 = 0 then 31 else 0 end)
from public.contacts c, generate_series(1, 6) n
where c.id in ('c0660000-0000-4000-8000-000000000001', 'c0660000-0000-4000-8000-000000000002', 'c0660000-0000-4000-8000-000000000003');
insert into public.agents (id, user_id, name) values ('a0660000-0000-4000-8000-000000000001', tests.get_supabase_uid('stats66_keeper'), 'helper');

-- ============================================================================================
-- Owner who keeps statistics
-- ============================================================================================
select tests.authenticate_as('stats66_keeper');
select lives_ok($$ insert into public.contact_privacy_settings (keep_interaction_statistics) values (true) $$,
  'the owner chooses to keep PII-free statistics of erased interactions');
select lives_ok($$ select public.gdpr_delete_subject(contact_id => 'c0660000-0000-4000-8000-000000000001') $$,
  'the owner erases a first contact');
select lives_ok($$ select public.gdpr_delete_subject(contact_id => 'c0660000-0000-4000-8000-000000000002') $$,
  'and a second');
select results_eq(
  $$ select period_start, channel_type, interaction_type, direction, delivery_status, interaction_count
     from public.contact_interaction_statistics order by 1, 2 $$,
  $$ values ('2026-03-01'::date, 'email', 'email', 'outbound', 'queued', 4::bigint),
            ('2026-03-01'::date, 'phone', 'call', 'outbound', 'queued', 2::bigint),
            ('2026-04-01'::date, 'email', 'email', 'outbound', 'queued', 4::bigint),
            ('2026-04-01'::date, 'phone', 'call', 'outbound', 'queued', 2::bigint) $$,
  'the statistics hold counts per month and kind, added up over both erased contacts (12 interactions)');
select is_empty($$ select 1 from public.contact_interactions where contact_id in
  ('c0660000-0000-4000-8000-000000000001', 'c0660000-0000-4000-8000-000000000002') $$,
  'the interactions themselves are gone');
select throws_ok($$ insert into public.contact_interaction_statistics (period_start, channel_type, interaction_type, direction, delivery_status, interaction_count)
                     values ('2026-01-01', 'email', 'email', 'outbound', 'sent', 1000) $$,
  '42501', 'permission denied for table contact_interaction_statistics', 'the owner cannot write statistics by hand');

-- ============================================================================================
-- Agent token of that owner
-- ============================================================================================
select tests.authenticate_as_agent('stats66_keeper', 'a0660000-0000-4000-8000-000000000001');
select is_empty($$ select 1 from public.contact_privacy_settings union all select 1 from public.contact_interaction_statistics $$,
  'an agent token reads neither the owner''s settings nor statistics');
select is_empty($$ update public.contact_privacy_settings set keep_interaction_statistics = false returning 1 $$,
  'an agent token cannot change the owner''s settings');

-- ============================================================================================
-- Owner who does not keep statistics
-- ============================================================================================
select tests.authenticate_as('stats66_forgetter');
select lives_ok($$ select public.gdpr_delete_subject(contact_id => 'c0660000-0000-4000-8000-000000000003') $$,
  'the other owner erases its contact, without the setting');
reset role;
select is_empty($$ select 1 from public.contact_interaction_statistics where user_id = tests.get_supabase_uid('stats66_forgetter') $$,
  'without the setting the erased interactions leave no statistics');

select * from finish();
rollback;
