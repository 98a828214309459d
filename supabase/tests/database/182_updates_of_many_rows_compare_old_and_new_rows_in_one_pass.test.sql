-- The statement triggers of contacts and channels compare an update's new rows with its old rows
-- in one pass (20251020000063). An EXISTS over the join of the two made each new row meet every
-- old row when nothing watched had changed, and a plan kept from the session's first, one-row
-- statement did the same for the consent trigger's insert and for the look-up of remembered
-- withdrawals: 2,000 rows, 4,000,000 comparisons, 0.3 s or more per trigger. Each trigger's time
-- (EXPLAIN ANALYZE) is weighed against the audit trigger's on the same statement, which reads the
-- same rows once: so the bound holds on any machine, loaded or not.
begin;
select plan(9);

-- Each trigger's time on a statement, as EXPLAIN ANALYZE reports it.
create function pg_temp.trigger_times(statement text)
returns table (trigger_name text, ms numeric)
language plpgsql
as $$
declare
  report json;
begin
  execute 'explain (analyze, format json) ' || trigger_times.statement into report;
  return query
    select t ->> 'Trigger Name', (t ->> 'Time')::numeric from json_array_elements(report -> 0 -> 'Triggers') as t;
end;
$$;
grant execute on all functions in schema pg_temp to authenticated;
create temporary table timings (statement text, trigger_name text, ms numeric) on commit drop;
grant all on timings to authenticated;
-- How a trigger's time compares with the audit trigger's on the same statement.
create function pg_temp.against_audit(statement text, trigger_name text)
returns numeric
language sql
as $$
  select t.ms / nullif(a.ms, 0) from timings t, timings a
  where t.statement = against_audit.statement and t.trigger_name = against_audit.trigger_name
    and a.statement = against_audit.statement and a.trigger_name like '%\_audit\_update'
$$;

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
insert into timings select 'tags', t.* from pg_temp.trigger_times($$update public.contacts set tags = '{customer}'$$) as t;
insert into timings select 'labels', t.* from pg_temp.trigger_times($$update public.contact_communication_channels set label = 'work'$$) as t;
insert into timings select 'consent', t.* from pg_temp.trigger_times(
  $$update public.contact_communication_channels set label = 'mobile',
      consent_status = case when normalized_identifier = 'first3@example.com' then 'withdrawn' else consent_status end$$) as t;
reset role;

select cmp_ok(pg_temp.against_audit('tags', 'contacts_track_shared_keys_update'), '<', 1.0,
  'the owner''s tag on 2,000 contacts costs the shared-key trigger less than the audit trigger, not a comparison of every pair');
select cmp_ok(pg_temp.against_audit('tags', 'contacts_track_search_words_update'), '<', 1.0,
  'the owner''s tag on 2,000 contacts costs the search-word trigger less than the audit trigger, not a comparison of every pair');
select cmp_ok(pg_temp.against_audit('labels', 'contact_communication_channels_track_shared_keys_update'), '<', 1.0,
  'the owner''s label on 2,000 channels costs the channel-key trigger less than the audit trigger, not a comparison of every pair');
select cmp_ok(pg_temp.against_audit('labels', 'contact_communication_channels_record_consent_update'), '<', 1.0,
  'the owner''s label on 2,000 channels costs the consent trigger less than the audit trigger, not a comparison of every pair');
select cmp_ok(pg_temp.against_audit('labels', 'contact_communication_channels_recall_withdrawn_update'), '<', 1.0,
  'the owner''s label on 2,000 channels costs the withdrawal look-up less than the audit trigger, not a pass per remembered address');
select cmp_ok(pg_temp.against_audit('consent', 'contact_communication_channels_record_consent_update'), '<', 1.0,
  'a withdrawal among 2,000 relabelled channels costs the consent trigger less than the audit trigger, after a one-row change planned it');
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
