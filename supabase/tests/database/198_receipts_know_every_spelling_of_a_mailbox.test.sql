-- Ada's contact holds ada+crm@example.com; the owner erases her by ada+zz@example.com. Since
-- 20251020000082 the receipt names her mailbox too, and the check, a repeat request and an
-- idempotency key compare a request's identifier by its mailbox: asked by ada+yy@example.com or
-- ADA@example.com, each finds that receipt. Another mailbox (a.da@example.com outside Gmail, Bob's)
-- and another owner do not; a plain address's receipt holds no more hashes than before, and
-- lifting the plain spelling still leaves the tagged one erased refused.
begin;
select plan(11);

-- ============================================================================================
-- Setup (superuser): Ada under a tag, Bob plainly, a stranger
-- ============================================================================================
select tests.create_supabase_user('receipt198_owner');
select tests.create_supabase_user('receipt198_stranger');
insert into public.contacts (id, user_id, display_name) values
  ('19800000-0000-4000-8000-000000000001', tests.get_supabase_uid('receipt198_owner'), 'Ada Tagged'),
  ('19800000-0000-4000-8000-000000000002', tests.get_supabase_uid('receipt198_owner'), 'Bob Plain');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('receipt198_owner'), '19800000-0000-4000-8000-000000000001', 'email', 'ada+crm@example.com'),
  (tests.get_supabase_uid('receipt198_owner'), '19800000-0000-4000-8000-000000000002', 'email', 'bob@example.com');
create temporary table answers (label text primary key, answer jsonb);
grant all on answers to service_role, authenticated;

-- ============================================================================================
-- Owner: erases Ada by one tag, asks by others
-- ============================================================================================
select tests.authenticate_as('receipt198_owner');
insert into answers values
  ('erase', public.gdpr_delete_subject(identifier => 'ada+zz@example.com', idempotency_key => '19800000-0000-4000-8000-0000000000e1')),
  ('bob', public.gdpr_delete_subject(identifier => 'bob@example.com'));
select is(jsonb_array_length((select answer -> 'identifier_hashes' from answers where label = 'erase')), 3,
  'the receipt of the erasure by ada+zz@example.com names the request''s address, the contact''s and their mailbox');
select is(jsonb_array_length((select answer -> 'identifier_hashes' from answers where label = 'bob')), 1,
  'the receipt of an erasure by a plain address names that address alone, as before');
select is(public.verify_subject_erasure('ada+yy@example.com') ->> 'erased', 'true',
  'the owner''s check by another tag of the mailbox, ada+yy@example.com, says erased');
select is(public.verify_subject_erasure('ADA@example.com') ->> 'erased', 'true',
  'the owner''s check by the mailbox''s own spelling says erased');
select is(public.verify_subject_erasure('a.da@example.com') ->> 'message', 'no erasure recorded for this identifier',
  'the owner''s check by a.da@example.com, another mailbox outside Gmail, finds no erasure');
select is(public.gdpr_delete_subject(identifier => 'ada+yy@example.com') ->> 'request_id',
  (select answer ->> 'request_id' from answers where label = 'erase'),
  'a repeat erasure by another tag of the mailbox answers the first receipt');
select is(public.gdpr_delete_subject(identifier => 'ada@example.com', idempotency_key => '19800000-0000-4000-8000-0000000000e1') ->> 'request_id',
  (select answer ->> 'request_id' from answers where label = 'erase'),
  'the same idempotency key with the mailbox''s own spelling answers the same receipt');
select throws_ok($$ select public.gdpr_delete_subject(identifier => 'bob@example.com', idempotency_key => '19800000-0000-4000-8000-0000000000e1') $$,
  '22023', 'this idempotency key belongs to another request',
  'the same idempotency key with another mailbox is still another request');

-- Lifting the mailbox's own spelling lifts its entries; the tagged spelling erased stays refused.
select ok(public.lift_contact_suppression('ada@example.com', 'asked to hear from us again') > 0,
  'the owner lifts the suppression of ada@example.com');
select ok(private.is_suppressed(tests.get_supabase_uid('receipt198_owner'), 'email', 'ada+zz@example.com')
          and not private.is_suppressed(tests.get_supabase_uid('receipt198_owner'), 'email', 'ada+new@example.com'),
  'ada+zz@example.com, erased in that spelling, stays refused while another tag is let back');
reset role;

-- ============================================================================================
-- Another owner: the owner's receipt is not theirs
-- ============================================================================================
select tests.authenticate_as('receipt198_stranger');
select is(public.verify_subject_erasure('ada+yy@example.com') ->> 'message', 'no erasure recorded for this identifier',
  'another owner''s check by ada+yy@example.com finds no erasure of theirs');
reset role;

select * from finish();
rollback;
