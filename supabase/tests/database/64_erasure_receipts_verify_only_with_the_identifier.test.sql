begin;
select plan(13);

-- Erasure receipts: verify_subject_erasure answers "erased on <date>" to whoever holds the
-- identifier (in any format the matching accepts), and nothing to anyone else: the stored receipt
-- holds no identifier, and its hashes are keyed with the owner's secret, so they match nothing
-- another owner, or an unkeyed hash, would compute.

-- ============================================================================================
-- Setup (superuser): Thaddeus Wrenfield, erased below by e-mail; a never-erased contact.
-- ============================================================================================
select tests.create_supabase_user('verify64_owner');
select tests.create_supabase_user('verify64_other');
insert into public.contacts (id, user_id, first_name, last_name) values
  ('c0640000-0000-4000-8000-000000000001', tests.get_supabase_uid('verify64_owner'), 'Thaddeus', 'Wrenfield'),
  ('c0640000-0000-4000-8000-000000000002', tests.get_supabase_uid('verify64_owner'), 'Still', 'Here');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('verify64_owner'), 'c0640000-0000-4000-8000-000000000001', 'email', 'thaddeus@wrenfield.example'),
  (tests.get_supabase_uid('verify64_owner'), 'c0640000-0000-4000-8000-000000000001', 'phone', '+1 415 555 0164'),
  (tests.get_supabase_uid('verify64_owner'), 'c0640000-0000-4000-8000-000000000002', 'email', 'still.here@example.test');
insert into public.agents (id, user_id, name) values ('a0640000-0000-4000-8000-000000000001', tests.get_supabase_uid('verify64_owner'), 'helper');

create temporary table answers (label text primary key, answer jsonb);
grant all on table answers to public;

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('verify64_owner');
insert into answers values ('before', public.verify_subject_erasure('thaddeus@wrenfield.example'));
insert into answers values ('receipt', public.gdpr_delete_subject(identifier => 'thaddeus@wrenfield.example'));
insert into answers values ('by_email', public.verify_subject_erasure('THADDEUS@wrenfield.example'));
insert into answers values ('by_phone', public.verify_subject_erasure('+1 (415) 555-0164'));
insert into answers values ('never', public.verify_subject_erasure('still.here@example.test'));

select results_eq($$ select answer ->> 'erased', answer ->> 'message' from answers where label = 'before' $$,
  $$ values ('false', 'no erasure recorded for this identifier') $$,
  'before the erasure the identifier has no erasure recorded');
select results_eq(
  $$ select answer ->> 'erased', answer ->> 'erased_on', answer ->> 'message', answer -> 'receipts' -> 0 ->> 'request_id'
     from answers where label = 'by_email' $$,
  $$ select 'true', current_date::text, 'erased on ' || to_char(current_date, 'YYYY-MM-DD'),
       (select answer ->> 'request_id' from answers where label = 'receipt') $$,
  'with the e-mail, in another case, the owner learns "erased on <date>" and the receipt''s request id');
select results_eq($$ select answer ->> 'erased', answer ->> 'identifier_type' from answers where label = 'by_phone' $$,
  $$ values ('true', 'phone') $$,
  'the subject''s phone number, which the request did not name, verifies too (its channel was erased with the contact)');
select is((select answer ->> 'erased' from answers where label = 'never'), 'false',
  'an identifier of a contact never erased verifies as not erased');
select throws_ok($$ select public.verify_subject_erasure('Thaddeus Wrenfield') $$,
  '22023', 'identifier must be an e-mail address or a phone number in E.164 format', 'a name is not an identifier to verify');

-- ============================================================================================
-- Other owner, agent token, anon
-- ============================================================================================
select tests.authenticate_as('verify64_other');
select is((public.verify_subject_erasure('thaddeus@wrenfield.example') ->> 'erased'), 'false',
  'another owner verifying the same e-mail learns nothing about the owner''s erasures');
select is_empty($$ select 1 from public.contact_subject_requests $$, 'another owner sees none of the owner''s receipts');
select throws_ok($$ select public.verify_subject_erasure('thaddeus@wrenfield.example', tests.get_supabase_uid('verify64_owner')) $$,
  'P0002', 'contact not found', 'another owner cannot verify against the owner''s receipts by naming the owner');

select tests.authenticate_as_agent('verify64_owner', 'a0640000-0000-4000-8000-000000000001');
select throws_ok($$ select public.verify_subject_erasure('thaddeus@wrenfield.example') $$,
  '42501', 'agent tokens cannot act on data subject requests', 'an agent token cannot verify erasures');

select tests.clear_authentication();
select throws_ok($$ select public.verify_subject_erasure('thaddeus@wrenfield.example') $$,
  '42501', 'permission denied for function verify_subject_erasure', 'anon cannot verify erasures');

-- ============================================================================================
-- Superuser: the stored receipt
-- ============================================================================================
reset role;
select ok(
  (select strpos(lower(r::text), 'thaddeus') = 0 and strpos(lower(r::text), 'wrenfield') = 0 and strpos(r::text, '4155550164') = 0
   from public.contact_subject_requests r where r.id = (select (answer ->> 'request_id')::uuid from answers where label = 'receipt')),
  'the stored receipt holds no name, e-mail or phone of the subject');
select ok(
  (select not (r.identifier_hmacs && array[
      encode(extensions.digest('thaddeus@wrenfield.example', 'sha256'), 'hex'),
      encode(extensions.digest('email:thaddeus@wrenfield.example', 'sha256'), 'hex'),
      private.owner_hmac(tests.get_supabase_uid('verify64_other'), 'email:thaddeus@wrenfield.example')])
   from public.contact_subject_requests r where r.id = (select (answer ->> 'request_id')::uuid from answers where label = 'receipt')),
  'its hashes match neither an unkeyed SHA-256 of the identifier nor the same identifier under another owner''s key');
select results_eq(
  $$ select (answer -> 'actor' ->> 'role'), jsonb_typeof(answer -> 'counts'), answer ? 'processed_at' from answers where label = 'receipt' $$,
  $$ values ('owner', 'object', true) $$,
  'the receipt the owner got carries the actor, the counts per table and the time');

select * from finish();
rollback;
