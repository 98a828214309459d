-- The channel triggers read only the statement's owners' rows (20251020000066): the pre-checks of
-- recall_withdrawn_addresses and reject_suppressed_channels scanned every owner's remembered
-- addresses and suppressions when the statistics said few owners hold any, the suppression check
-- merged the new rows with every owner's suppressions, and keep_agent_channels_within_their_grants
-- looked up each channel of the touched contacts in the new rows one by one (500 channels: 125,000
-- comparisons). The timings are in the migration; speed is for benchmarks. Here: the functions plan
-- without sequential scans and probe by owner, the agent check groups instead of pairing, and what
-- they refuse and record, for one row and for many, is as before.
begin;
select plan(12);

-- Plans: no sequential scan, a probe per owner and per key, no channel looked up in the new rows.
select ok((select 'enable_seqscan=off' = any (p.proconfig) from pg_catalog.pg_proc p
           where p.oid = 'private.recall_withdrawn_addresses()'::regprocedure),
  'the withdrawal look-up plans without a sequential scan of every owner''s remembered addresses');
select ok((select 'enable_seqscan=off' = any (p.proconfig) from pg_catalog.pg_proc p
           where p.oid = 'private.reject_suppressed_channels()'::regprocedure),
  'the suppression check plans without a sequential scan of every owner''s suppressions');
select ok((select p.prosrc !~* 'user_id\s+in\s*\(select' and
                  (select count(*) from regexp_matches(p.prosrc,
                     'cross join lateral \(select 1 from public\.contact_suppressions s\s+where s\.user_id = \w\.user_id and s\.lifted_at is null', 'g')) = 2 and
                  (select count(*) from regexp_matches(p.prosrc, 'limit 1\) s', 'g')) = 2
           from pg_catalog.pg_proc p where p.oid = 'private.reject_suppressed_channels()'::regprocedure),
  'the suppression check probes one suppression per owner, and one per owner and key, and joins no owner''s list whole');
select ok((select 'enable_seqscan=off' = any (p.proconfig) from pg_catalog.pg_proc p
           where p.oid = 'private.keep_agent_channels_within_their_grants()'::regprocedure),
  'the agent channel check plans without a sequential scan');
select ok((select p.prosrc !~* 'exists\s*\(\s*select 1 from new_rows' and p.prosrc ~* 'bool_or\(a\.is_new\)'
           from pg_catalog.pg_proc p where p.oid = 'private.keep_agent_channels_within_their_grants()'::regprocedure),
  'the agent channel check tells new channels by grouping them with the new rows, never by a look-up per channel');

-- An owner with one suppressed and one remembered withdrawn address; a neighbour with 2,000 of
-- each (all the statistics know of both tables), and a suppression of an address the owner adds.
select tests.create_supabase_user('probing_owner');
select tests.create_supabase_user('probing_neighbour');
insert into public.contacts (id, user_id, first_name) values
  ('18400000-0000-4000-8000-000000000001', tests.get_supabase_uid('probing_owner'), 'Ada'),
  ('18400000-0000-4000-8000-000000000002', tests.get_supabase_uid('probing_owner'), 'Ben');
insert into private.owner_keys (user_id)
values (tests.get_supabase_uid('probing_owner')), (tests.get_supabase_uid('probing_neighbour')) on conflict do nothing;
insert into public.contact_suppressions (user_id, identifier_type, identifier_hmac)
select k.user_id, 'email', encode(extensions.hmac(convert_to(key.value, 'UTF8'), k.hmac_key, 'sha256'), 'hex')
from private.owner_keys k
cross join lateral unnest(private.channel_identifier_keys('email', case when k.user_id = tests.get_supabase_uid('probing_owner')
  then 'erased@example.com' else 'shared@example.com' end)) as key (value)
where k.user_id in (tests.get_supabase_uid('probing_owner'), tests.get_supabase_uid('probing_neighbour'));
insert into public.contact_suppressions (user_id, identifier_type, identifier_hmac)
select tests.get_supabase_uid('probing_neighbour'), 'email', encode(sha256(('s' || i)::bytea), 'hex') from generate_series(1, 2000) as i;
insert into private.withdrawn_addresses (user_id, channel_type, identifier_hmac, withdrawn_at)
select k.user_id, 'email',
  encode(extensions.hmac(convert_to(private.channel_address_key('email', 'left@example.com'), 'UTF8'), k.hmac_key, 'sha256'), 'hex'),
  now() - interval '1 day'
from private.owner_keys k where k.user_id = tests.get_supabase_uid('probing_owner');
insert into private.withdrawn_addresses (user_id, channel_type, identifier_hmac, withdrawn_at)
select tests.get_supabase_uid('probing_neighbour'), 'email', encode(sha256(('w' || i)::bytea), 'hex'), now() - interval '1 day'
from generate_series(1, 2000) as i;
analyze public.contact_suppressions;
analyze private.withdrawn_addresses;

-- ============================================================================================
-- Owner (probing_owner) -- a one-row statement first, as a session's first edit is
-- ============================================================================================
select tests.authenticate_as('probing_owner');
select throws_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('18400000-0000-4000-8000-000000000001', 'email', 'Erased@Example.com') $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'the owner adding an address they had erased is refused');
select throws_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    select '18400000-0000-4000-8000-000000000002'::uuid, 'email', 'many' || i || '@example.com' from generate_series(1, 1999) as i
    union all select '18400000-0000-4000-8000-000000000002'::uuid, 'email', 'erased@example.com' $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'the owner''s 2,000 channels with an erased address among them are refused');
select lives_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    select '18400000-0000-4000-8000-000000000002'::uuid, 'email', 'many' || i || '@example.com' from generate_series(1, 1998) as i
    union all values ('18400000-0000-4000-8000-000000000002'::uuid, 'email', 'shared@example.com'),
                     ('18400000-0000-4000-8000-000000000002'::uuid, 'email', 'left@example.com') $$,
  'the owner''s 2,000 channels go in, one of them at an address only a neighbour erased');
select results_eq($$ select ch.consent_status, count(*) from public.contact_communication_channels ch
    where ch.contact_id = '18400000-0000-4000-8000-000000000002' group by 1 order by 1 $$,
  $$ values ('unknown'::text, 1999::bigint), ('withdrawn', 1) $$,
  'among the owner''s 2,000 new channels only the one at the address they remember withdrawn is withdrawn');

-- ============================================================================================
-- Agent tokens (write on both contacts; a group grant on a smart group matching WhatsApp, which
-- Ben is already in)
-- ============================================================================================
select tests.clear_authentication();
reset role;
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('probing_owner'), '18400000-0000-4000-8000-000000000002', 'whatsapp', '+442079460301');
insert into public.contact_groups (id, user_id, name, group_type, criteria) values
  ('18400000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('probing_owner'), 'On WhatsApp', 'smart',
   '{"rules": [{"field": "channel_type", "op": "has", "value": "whatsapp"}]}');
insert into public.agents (id, user_id, name) values
  ('18400000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('probing_owner'), 'bulk writer');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('probing_owner'), '18400000-0000-4000-8000-0000000000b1', 'all_contacts', 'write');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, group_id, permission_level) values
  (tests.get_supabase_uid('probing_owner'), '18400000-0000-4000-8000-0000000000b1', 'group', '18400000-0000-4000-8000-0000000000a1', 'message');

select tests.authenticate_as_agent('probing_owner', '18400000-0000-4000-8000-0000000000b1');
select lives_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    values ('18400000-0000-4000-8000-000000000001', 'email', 'first@example.org') $$,
  'an agent''s first channel, of a type the group does not match on, goes through');
select throws_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    select '18400000-0000-4000-8000-000000000001'::uuid, 'email', 'agent' || i || '@example.org' from generate_series(1, 499) as i
    union all select '18400000-0000-4000-8000-000000000001'::uuid, 'whatsapp', '+442079460302' $$,
  '42501', 'an agent cannot bring a contact into a group that grants it access',
  'an agent''s 500 channels that give a contact the group''s channel type among them are refused');
select lives_ok($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
    select '18400000-0000-4000-8000-000000000002'::uuid, 'email', 'agent' || i || '@example.org' from generate_series(1, 499) as i
    union all select '18400000-0000-4000-8000-000000000002'::uuid, 'whatsapp', '+442079460303' $$,
  'an agent''s 500 channels on a contact that already has the group''s channel type go through');

select * from finish();
rollback;
