begin;
select plan(18);

-- gdpr_delete_subject refuses what it must and repeats safely: a subject with any contact under
-- legal hold is refused with nothing changed (no deletion, no suppression, no receipt); a repeated
-- request answers the first receipt (by idempotency key, contact id or identifier) or "not found";
-- another owner's contacts are "not found"; agents and anon cannot ask at all.

-- ============================================================================================
-- Setup (superuser): Hester Vaultline has two contacts sharing a phone number (one as phone, one
-- as sms); the sms one is under legal hold. Rowan Twice and Ada Anon are asked for twice.
-- ============================================================================================
select tests.create_supabase_user('hold65_owner');
select tests.create_supabase_user('hold65_other');
insert into public.contacts (id, user_id, first_name, last_name, legal_hold, legal_hold_reason) values
  ('c0650000-0000-4000-8000-000000000001', tests.get_supabase_uid('hold65_owner'), 'Hester', 'Vaultline', false, null),
  ('c0650000-0000-4000-8000-000000000002', tests.get_supabase_uid('hold65_owner'), 'H.', 'Vaultline', true, 'Case 2026/65'),
  ('c0650000-0000-4000-8000-000000000003', tests.get_supabase_uid('hold65_owner'), 'Rowan', 'Twice', false, null),
  ('c0650000-0000-4000-8000-000000000004', tests.get_supabase_uid('hold65_owner'), 'Ada', 'Anon', false, null),
  ('c0650000-0000-4000-8000-000000000099', tests.get_supabase_uid('hold65_other'), 'Otto', 'Other', false, null);
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('hold65_owner'), 'c0650000-0000-4000-8000-000000000001', 'phone', '+34 612 345 065'),
  (tests.get_supabase_uid('hold65_owner'), 'c0650000-0000-4000-8000-000000000002', 'sms', '+34612345065'),
  (tests.get_supabase_uid('hold65_owner'), 'c0650000-0000-4000-8000-000000000003', 'email', 'rowan@twice.example'),
  (tests.get_supabase_uid('hold65_owner'), 'c0650000-0000-4000-8000-000000000004', 'email', 'ada@anon.example'),
  (tests.get_supabase_uid('hold65_other'), 'c0650000-0000-4000-8000-000000000099', 'email', 'otto@other.example');
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content) values
  (tests.get_supabase_uid('hold65_owner'), 'c0650000-0000-4000-8000-000000000001', 'phone', 'inbound', 'Hester called');
insert into public.agents (id, user_id, name) values ('a0650000-0000-4000-8000-000000000001', tests.get_supabase_uid('hold65_owner'), 'helper');

create function pg_temp.everything_of(owner uuid)
returns jsonb
language sql
as $$
  select jsonb_build_object(
    'contacts', (select jsonb_agg(to_jsonb(c) order by c.id) from public.contacts c where c.user_id = owner),
    'channels', (select jsonb_agg(to_jsonb(x) order by x.id) from public.contact_communication_channels x where x.user_id = owner),
    'interactions', (select jsonb_agg(to_jsonb(x) order by x.id) from public.contact_interactions x where x.user_id = owner),
    'suppressions', (select count(*) from public.contact_suppressions x where x.user_id = owner),
    'requests', (select count(*) from public.contact_subject_requests x where x.user_id = owner))
$$;
create temporary table snapshots as
select 'owner' as who, pg_temp.everything_of(tests.get_supabase_uid('hold65_owner')) as everything
union all select 'other', pg_temp.everything_of(tests.get_supabase_uid('hold65_other'));
create temporary table receipts (label text primary key, receipt jsonb);
grant all on table receipts to public;

-- ============================================================================================
-- Agent token and anon: never
-- ============================================================================================
select tests.authenticate_as_agent('hold65_owner', 'a0650000-0000-4000-8000-000000000001');
select throws_ok($$ select public.gdpr_delete_subject(contact_id => 'c0650000-0000-4000-8000-000000000003') $$,
  '42501', 'agent tokens cannot act on data subject requests', 'an agent token cannot erase');
select throws_ok($$ select public.gdpr_delete_subject(contact_id => 'c0650000-0000-4000-8000-000000000003', mode => 'anonymize') $$,
  '42501', 'agent tokens cannot act on data subject requests', 'an agent token cannot anonymize');
select tests.clear_authentication();
select throws_ok($$ select public.gdpr_delete_subject(contact_id => 'c0650000-0000-4000-8000-000000000003') $$,
  '42501', 'permission denied for function gdpr_delete_subject', 'anon cannot execute gdpr_delete_subject');

-- ============================================================================================
-- Other owner
-- ============================================================================================
select tests.authenticate_as('hold65_other');
select throws_ok($$ select public.gdpr_delete_subject(contact_id => 'c0650000-0000-4000-8000-000000000003') $$,
  'P0002', 'contact not found', 'another owner''s contact id is not found, and not erased');
select throws_ok($$ select public.gdpr_delete_subject(identifier => 'rowan@twice.example') $$,
  'P0002', 'contact not found', 'another owner''s subject is not found by identifier either');
select throws_ok($$ select public.gdpr_delete_subject(contact_id => 'c0650000-0000-4000-8000-000000000003',
                     owner_id => tests.get_supabase_uid('hold65_owner')) $$,
  'P0002', 'contact not found', 'naming the owner does not help another owner');

-- ============================================================================================
-- Owner: legal hold
-- ============================================================================================
select tests.authenticate_as('hold65_owner');
select throws_ok($$ select public.gdpr_delete_subject(identifier => '+34612345065') $$,
  '55000', 'contact is under legal hold and cannot be erased or anonymized',
  'a subject one of whose contacts is under legal hold cannot be erased');
select throws_ok($$ select public.gdpr_delete_subject(identifier => '+34612345065', mode => 'anonymize') $$,
  '55000', 'contact is under legal hold and cannot be erased or anonymized',
  'the owner cannot anonymize a subject one of whose contacts is under legal hold either');

-- ============================================================================================
-- Superuser: nothing changed
-- ============================================================================================
reset role;
select is(pg_temp.everything_of(tests.get_supabase_uid('hold65_owner')), (select everything from snapshots where who = 'owner'),
  'after the refused and forbidden requests the owner''s contacts, channels, interactions, suppressions and requests are as before');
select is(pg_temp.everything_of(tests.get_supabase_uid('hold65_other')), (select everything from snapshots where who = 'other'),
  'the other owner''s data is as before');

-- ============================================================================================
-- Owner: repeats
-- ============================================================================================
select tests.authenticate_as('hold65_owner');
insert into receipts values ('first', public.gdpr_delete_subject(contact_id => 'c0650000-0000-4000-8000-000000000003',
  idempotency_key => 'f0650000-0000-4000-8000-000000000001'));
insert into receipts values ('same_key', public.gdpr_delete_subject(contact_id => 'c0650000-0000-4000-8000-000000000003',
  idempotency_key => 'f0650000-0000-4000-8000-000000000001'));
insert into receipts values ('same_id', public.gdpr_delete_subject(contact_id => 'c0650000-0000-4000-8000-000000000003'));
insert into receipts values ('same_identifier', public.gdpr_delete_subject(identifier => 'Rowan@Twice.example'));
insert into receipts values ('anonymized', public.gdpr_delete_subject(contact_id => 'c0650000-0000-4000-8000-000000000004', mode => 'anonymize'));
insert into receipts values ('anonymized_again', public.gdpr_delete_subject(contact_id => 'c0650000-0000-4000-8000-000000000004', mode => 'anonymize'));

select is((select receipt from receipts where label = 'same_key'), (select receipt from receipts where label = 'first'),
  'repeating a request with its idempotency key answers exactly the first receipt');
select is((select receipt from receipts where label = 'same_id'), (select receipt from receipts where label = 'first'),
  'repeating the erasure of a contact id answers the receipt that erased it');
select is((select receipt from receipts where label = 'same_identifier'), (select receipt from receipts where label = 'first'),
  'erasing an identifier whose subject is already erased answers that receipt');
select is((select receipt from receipts where label = 'anonymized_again'), (select receipt from receipts where label = 'anonymized'),
  'anonymizing an already anonymized contact again answers the first receipt');
select throws_ok($$ select public.gdpr_delete_subject(contact_id => 'c0650000-0000-4000-8000-000000000003', mode => 'anonymize',
                     idempotency_key => 'f0650000-0000-4000-8000-000000000001') $$,
  '22023', 'this idempotency key belongs to another request', 'an idempotency key cannot be reused for another request');
select throws_ok($$ select public.gdpr_delete_subject(contact_id => 'c0650000-0000-4000-8000-0000000000ff') $$,
  'P0002', 'contact not found', 'a contact id never erased and not found answers not found');
select throws_ok($$ select public.gdpr_delete_subject(contact_id => 'c0650000-0000-4000-8000-000000000003', mode => 'shred') $$,
  '22023', 'mode must be erase or anonymize', 'an unknown mode is rejected');

reset role;
select is((select count(*) from public.contact_subject_requests where user_id = tests.get_supabase_uid('hold65_owner')), 2::bigint,
  'six requests, two of which did something: two receipts stored');

select * from finish();
rollback;
