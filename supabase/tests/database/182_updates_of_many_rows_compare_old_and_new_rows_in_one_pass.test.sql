-- The statement triggers of contacts and channels compare an update's new rows with its old rows
-- in one pass (20251020000063). An EXISTS over the join of the two made each new row meet every
-- old row when nothing watched had changed, and a plan kept from the session's first, one-row
-- statement did the same for the consent trigger's insert and for the look-up of remembered
-- withdrawals: 2,000 rows, 4,000,000 comparisons, 0.3 s or more per trigger (the figures are in the
-- migration; speed is for benchmarks, not tests). Here: no trigger pairs the two sets row against
-- row any more, and what they record and refuse over 2,000 rows, after one-row statements, is as
-- before.
begin;
select plan(7);

-- No trigger function pairs an update's new and old rows by a join: they are compared as sets.
select is_empty($$
  select p.proname from pg_catalog.pg_proc p
  where p.pronamespace = 'private'::regnamespace
    and p.proname in ('track_shared_contact_keys', 'track_shared_channel_keys', 'track_contact_search_words', 'record_channel_consent_updates')
    and p.prosrc ~* '(new|old)_rows\s+\w+\s+join\s+(new|old)_rows'
$$, 'the shared-key, search-word and consent triggers compare an update''s new and old rows as sets, never by a join');
select ok((select p.prosrc ~* 'lag\(' and p.prosrc !~* 'join\s+old_rows' from pg_catalog.pg_proc p
           where p.pronamespace = 'private'::regnamespace and p.proname = 'record_channel_consent_updates'),
  'the consent trigger pairs each changed channel with its old row in one sorted pass');
select ok((select p.prosrc ~* 'w\.user_id\s*=\s*any\s*\(array\(' from pg_catalog.pg_proc p
           where p.pronamespace = 'private'::regnamespace and p.proname = 'recall_withdrawn_addresses'),
  'the withdrawal look-up asks for the statement''s owners as a list, with no join to plan wrong');

-- 2,000 contacts with an e-mail channel each and no organization (so no name block), their
-- channels granted without a recorded event (written with triggers off: switching them off and on
-- drops the session's plans, so this comes before its first statements); a neighbour remembers
-- 20,000 withdrawn addresses, all the statistics know of the memory.
select tests.create_supabase_user('many_rows_owner');
select tests.create_supabase_user('many_rows_neighbour');
insert into public.contacts (user_id, first_name, last_name)
select tests.get_supabase_uid('many_rows_owner'), 'First' || i, 'Last' || i from generate_series(1, 2000) as i;
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, normalized_identifier)
select c.user_id, c.id, 'email', lower(c.first_name) || '@example.com', lower(c.first_name) || '@example.com'
from public.contacts c where c.user_id = tests.get_supabase_uid('many_rows_owner');
set local session_replication_role = replica;
update public.contact_communication_channels set consent_status = 'granted', consent_source = 'manual'
where user_id = tests.get_supabase_uid('many_rows_owner');
set local session_replication_role = origin;
insert into private.withdrawn_addresses (user_id, channel_type, identifier_hmac, withdrawn_at)
select tests.get_supabase_uid('many_rows_neighbour'), 'email', encode(sha256(i::text::bytea), 'hex'), now() - interval '1 day'
from generate_series(1, 20000) as i;
analyze private.withdrawn_addresses;

-- ============================================================================================
-- Owner (many_rows_owner) -- small statements first, as a session's first edits are
-- ============================================================================================
select tests.authenticate_as('many_rows_owner');

update public.contacts set tags = '{}' where false;
update public.contact_communication_channels set label = 'home' where normalized_identifier = 'first1@example.com';
update public.contact_communication_channels set consent_status = 'withdrawn', consent_source = 'manual'
where normalized_identifier = 'first2@example.com';

-- Then a tag on every contact, a label on every channel (nothing the key, word or consent triggers
-- watch changes), and another label on every channel with one withdrawal among them.
update public.contacts set tags = '{customer}';
update public.contact_communication_channels set label = 'work';
update public.contact_communication_channels set label = 'mobile',
  consent_status = case when normalized_identifier = 'first3@example.com' then 'withdrawn' else consent_status end;
reset role;

select is((select count(*) from public.contacts where user_id = tests.get_supabase_uid('many_rows_owner') and tags = '{customer}'),
  2000::bigint, 'the owner''s tag reaches all 2,000 contacts');
select results_eq(
  $$ select ch.normalized_identifier, e.status from public.contact_consent_events e
     join public.contact_communication_channels ch on ch.id = e.channel_id
     where e.user_id = tests.get_supabase_uid('many_rows_owner') order by 1 $$,
  $$ values ('first2@example.com', 'withdrawn'), ('first3@example.com', 'withdrawn') $$,
  'the owner''s two withdrawals are recorded, one event each, and the 1,998 channels relabelled only record none');

-- ============================================================================================
-- Owner (many_rows_owner) -- what the consent trigger records and refuses is as before
-- ============================================================================================
select tests.authenticate_as('many_rows_owner');
update public.contact_communication_channels set consent_status = 'withdrawn', consent_source = 'manual owner request'
where normalized_identifier like 'first1%@example.com';
reset role;
select is((select count(*) from public.contact_consent_events e
           where e.user_id = tests.get_supabase_uid('many_rows_owner') and e.status = 'withdrawn' and e.source_ref = 'owner request'),
  1111::bigint, 'the owner''s withdrawal of 1,111 channels records one event for each');

select tests.authenticate_as('many_rows_owner');
select throws_ok(
  $$ update public.contact_communication_channels set consent_status = 'unknown', consent_source = null
     where normalized_identifier = 'first4@example.com' $$,
  '23514', 'consent cannot go back to unknown; record a withdrawal instead',
  'the owner cannot take a channel''s consent back to unknown');
reset role;

select * from finish();
rollback;
