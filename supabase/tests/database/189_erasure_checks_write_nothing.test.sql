-- Asking whether an identifier was erased writes nothing (20251020000073): an owner without
-- receipts is answered "no erasure recorded" without the identifier being hashed, so no owner key
-- is made, and a verified token whose `sub` names no user gets the answer of a user without data
-- instead of a foreign-key error. An owner with receipts is answered from them as before.
begin;
select plan(8);

select tests.create_supabase_user('check_owner');
select tests.create_supabase_user('check_eraser');
insert into public.contacts (id, user_id, display_name) values
  ('18900000-0000-4000-8000-000000000001', tests.get_supabase_uid('check_eraser'), 'Erased Subject');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('check_eraser'), '18900000-0000-4000-8000-000000000001', 'email', 'erased@check.example');

-- Owner
select tests.authenticate_as('check_owner');
select is(public.verify_subject_erasure('someone@check.example') ->> 'message', 'no erasure recorded for this identifier',
  'an owner who never erased anyone is told that no erasure is recorded for the identifier');
select tests.clear_authentication();
reset role;
select is((select count(*)::int from private.owner_keys k where k.user_id = tests.get_supabase_uid('check_owner')), 0,
  'the check made no key for that owner: asking writes nothing');

-- A verified token of no user
select set_config('role', 'authenticated', true);
select set_config('request.jwt.claims', jsonb_build_object('sub', '18900000-0000-4000-8000-0000000000ff',
  'role', 'authenticated', 'aud', 'authenticated')::text, true);
select lives_ok($$ select public.verify_subject_erasure('someone@check.example') $$,
  'a token whose sub names no user can ask, and meets no foreign-key error');
select is(public.verify_subject_erasure('+44 20 7946 0020') -> 'erased', 'false'::jsonb,
  'it gets the answer of a user without data: not erased');
select tests.clear_authentication();

-- Service
select tests.authenticate_as_service_role();
select is(public.verify_subject_erasure('someone@check.example', tests.get_supabase_uid('check_owner')) -> 'receipts', '[]'::jsonb,
  'the service asking for an owner without receipts gets no receipts');
select tests.clear_authentication();
reset role;
select is((select count(*)::int from private.owner_keys k where k.user_id = tests.get_supabase_uid('check_owner')), 0,
  'nor does the service''s check make that owner a key');

-- Owner with a receipt
select tests.authenticate_as('check_eraser');
select public.gdpr_delete_subject(identifier => 'erased@check.example');
select is(public.verify_subject_erasure('Erased@Check.example') -> 'erased', 'true'::jsonb,
  'an owner who erased the address is still told it was erased, in any spelling');
select is(public.verify_subject_erasure('other@check.example') -> 'erased', 'false'::jsonb,
  'and an address that owner never erased is still not erased');

select * from finish();
rollback;
