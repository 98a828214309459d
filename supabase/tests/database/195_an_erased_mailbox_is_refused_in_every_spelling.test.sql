-- An erased mailbox is refused in every spelling the duplicate finder reads as it (20251020000079):
-- after the owner erases ada@example.com, Ada+news@example.com comes back neither from the owner,
-- the service nor an import, and after ada@googlemail.com neither does a.da@gmail.com; a different
-- mailbox (bob@, ada@other.com, a.da@example.com where dots matter) and another owner are
-- unaffected. Lifting the plain spelling lifts the alias's refusal; erasing a tagged spelling
-- refuses the plain one. A receipt counts a remembered withdrawal of the mailbox, and a Telegram
-- username remembered under both spellings once.
begin;
select plan(26);

-- ============================================================================================
-- Setup (superuser)
--   c...01 Ada      email ada@example.com          c...02 Gail   email ada@googlemail.com
--   c...03 Tagged   email tagged+crm@example.com   c...10 the contact spellings are added to
--   c...04 Mia      email mia@example.com, withdrawn (deleted below, so remembered)
--   c...05 Tess     telegram @tess195, withdrawn (deleted below)   c...06 Tess again
-- ============================================================================================
select tests.create_supabase_user('alias195_owner');
select tests.create_supabase_user('alias195_stranger');
insert into public.contacts (id, user_id, display_name) values
  ('19500000-0000-4000-8000-000000000001', tests.get_supabase_uid('alias195_owner'), 'Ada'),
  ('19500000-0000-4000-8000-000000000002', tests.get_supabase_uid('alias195_owner'), 'Gail'),
  ('19500000-0000-4000-8000-000000000003', tests.get_supabase_uid('alias195_owner'), 'Tagged'),
  ('19500000-0000-4000-8000-000000000004', tests.get_supabase_uid('alias195_owner'), 'Mia'),
  ('19500000-0000-4000-8000-000000000005', tests.get_supabase_uid('alias195_owner'), 'Tess'),
  ('19500000-0000-4000-8000-000000000006', tests.get_supabase_uid('alias195_owner'), 'Tess again'),
  ('19500000-0000-4000-8000-000000000010', tests.get_supabase_uid('alias195_owner'), 'Newcomer'),
  ('19500000-0000-4000-8000-000000000099', tests.get_supabase_uid('alias195_stranger'), 'Elsewhere');
insert into public.contact_communication_channels
  (user_id, contact_id, channel_type, identifier, consent_status, consent_source, consent_updated_at) values
  (tests.get_supabase_uid('alias195_owner'), '19500000-0000-4000-8000-000000000001', 'email', 'ada@example.com', 'unknown', null, null),
  (tests.get_supabase_uid('alias195_owner'), '19500000-0000-4000-8000-000000000002', 'email', 'ada@googlemail.com', 'unknown', null, null),
  (tests.get_supabase_uid('alias195_owner'), '19500000-0000-4000-8000-000000000003', 'email', 'tagged+crm@example.com', 'unknown', null, null),
  (tests.get_supabase_uid('alias195_owner'), '19500000-0000-4000-8000-000000000004', 'email', 'mia@example.com', 'withdrawn', 'manual STOP', '2025-03-01 10:00:00+00'),
  (tests.get_supabase_uid('alias195_owner'), '19500000-0000-4000-8000-000000000005', 'telegram', '@tess195', 'withdrawn', 'manual STOP', '2025-03-02 10:00:00+00');
create temporary table job_ids (name text primary key, id uuid);
grant all on job_ids to service_role, authenticated;
insert into job_ids values ('reimport', tests.create_import_job('alias195_owner', 'alias-reimport'));
create temporary table receipts (label text primary key, receipt jsonb);
grant all on receipts to service_role, authenticated;

-- ============================================================================================
-- Owner: erases Ada and Gail by their addresses, then tries their other spellings
-- ============================================================================================
select tests.authenticate_as('alias195_owner');
create function pg_temp.add(channel_type text, identifier text, contact_id uuid default '19500000-0000-4000-8000-000000000010')
returns void language sql as $$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier)
  values (add.contact_id, add.channel_type, add.identifier)
$$;
grant execute on all functions in schema pg_temp to authenticated, service_role;

select lives_ok($$ select public.gdpr_delete_subject(identifier => 'ada@example.com') $$,
  'The owner erases the subject holding ada@example.com.');
select lives_ok($$ select public.gdpr_delete_subject(identifier => 'Ada@GoogleMail.com') $$,
  'The owner erases the subject holding ada@googlemail.com.');
select throws_ok($$ select pg_temp.add('email', 'Ada+news@example.com') $$, '23514',
  'this identifier was erased at the data subject''s request and is suppressed',
  'The owner cannot add the erased mailbox again as Ada+news@example.com.');
select throws_ok($$ select pg_temp.add('other', 'ada+crm@example.com') $$, '23514',
  'this identifier was erased at the data subject''s request and is suppressed',
  'Nor as ada+crm@example.com on an other-type channel.');
select throws_ok($$ select pg_temp.add('email', 'a.da@gmail.com') $$, '23514',
  'this identifier was erased at the data subject''s request and is suppressed',
  'The owner cannot add the erased Gmail mailbox ada@googlemail.com again as a.da@gmail.com.');
select throws_ok($$ select pg_temp.add('email', 'a.d.a+x@googlemail.com') $$, '23514',
  'this identifier was erased at the data subject''s request and is suppressed',
  'Nor as a.d.a+x@googlemail.com.');
select lives_ok($$ select pg_temp.add('email', 'bob@example.com') $$,
  'The owner can add a different mailbox, bob@example.com.');
select lives_ok($$ select pg_temp.add('email', 'ada@other.com') $$,
  'The owner can add the same local part on another domain, ada@other.com.');
select lives_ok($$ select pg_temp.add('email', 'a.da@example.com') $$,
  'The owner can add a.da@example.com: off Gmail, dots make another mailbox.');
select ok(private.is_suppressed(tests.get_supabase_uid('alias195_owner'), 'email', 'ada+import@example.com'),
  'The suppression check an import makes per row finds ada+import@example.com suppressed.');
reset role;

-- ============================================================================================
-- Service (and the import worker)
-- ============================================================================================
select tests.authenticate_as_service_role();
select throws_ok(
  $$ insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
     values (tests.get_supabase_uid('alias195_owner'), '19500000-0000-4000-8000-000000000010', 'email', 'ADA+svc@example.com') $$,
  '23514', 'this identifier was erased at the data subject''s request and is suppressed',
  'The service cannot add the erased mailbox for the owner as ADA+svc@example.com either.');
select is(
  private.import_contacts_batch((select id from job_ids where name = 'reimport'),
    '[{"n": 2, "k": null, "first_name": "Ada", "channels": [{"t": "email", "v": "Ada+Import@example.com", "nv": "ada+import@example.com", "p": true, "col": "email"}]}]'::json,
    '[]'::json, 100, 3) ->> 'skipped',
  '1', 'An import row holding ada+import@example.com is skipped as suppressed.');
reset role;

-- ============================================================================================
-- Other owner
-- ============================================================================================
select tests.authenticate_as('alias195_stranger');
select lives_ok($$ select pg_temp.add('email', 'ada+news@example.com', '19500000-0000-4000-8000-000000000099') $$,
  'Another owner can add ada+news@example.com: the erasure was not theirs.');
reset role;

-- ============================================================================================
-- Owner: lifts by the plain spelling; erases a tagged spelling
-- ============================================================================================
select tests.authenticate_as('alias195_owner');
select ok(public.lift_contact_suppression('ada@example.com', 'asked to be contacted again') > 0,
  'The owner lifts the suppression of ada@example.com.');
select lives_ok($$ select pg_temp.add('email', 'ada+news@example.com') $$,
  'And ada+news@example.com can be added again.');

select lives_ok($$ select public.gdpr_delete_subject(identifier => 'Tagged+CRM@example.com') $$,
  'The owner erases the subject holding tagged+crm@example.com.');
select throws_ok($$ select pg_temp.add('email', 'tagged@example.com') $$, '23514',
  'this identifier was erased at the data subject''s request and is suppressed',
  'Erasing the tagged spelling refuses the plain tagged@example.com.');
select throws_ok($$ select pg_temp.add('webchat', 'tagged+other@example.com') $$, '23514',
  'this identifier was erased at the data subject''s request and is suppressed',
  'And another tag of it, tagged+other@example.com, on a webchat channel.');
select ok(public.lift_contact_suppression('tagged+crm@example.com', 'asked to be contacted again') > 0,
  'The owner lifts the suppression by the tagged spelling erased.');
select lives_ok($$ select pg_temp.add('email', 'tagged@example.com'); select pg_temp.add('slack', 'tagged+crm@example.com') $$,
  'That lifts the whole mailbox: tagged@example.com and tagged+crm@example.com can be added again.');

-- The receipt: a remembered withdrawal of the mailbox counts, and a Telegram username once.
delete from public.contact_communication_channels
where contact_id in ('19500000-0000-4000-8000-000000000004', '19500000-0000-4000-8000-000000000005');
select pg_temp.add('telegram', 'tess195', '19500000-0000-4000-8000-000000000006');
insert into receipts values ('mia', public.gdpr_delete_subject(identifier => 'mia+promo@example.com'));
select is((select (receipt -> 'counts' ->> 'withdrawn_addresses')::int from receipts where label = 'mia'), 1,
  'An erasure by mia+promo@example.com counts the remembered withdrawal of mia@example.com it removes.');
insert into receipts values ('tess', public.gdpr_delete_subject(contact_id => '19500000-0000-4000-8000-000000000006'));
select is((select (receipt -> 'counts' ->> 'withdrawn_addresses')::int from receipts where label = 'tess'), 1,
  'An erasure of the contact holding tess195 counts the username''s remembered withdrawal once, not once per spelling.');
select throws_ok($$ select pg_temp.add('email', 'mia@example.com') $$, '23514',
  'this identifier was erased at the data subject''s request and is suppressed',
  'mia@example.com is refused after the erasure of mia+promo@example.com.');
reset role;

-- ============================================================================================
-- Superuser: what stays
-- ============================================================================================
select is_empty($$ select 1 from private.withdrawn_addresses w where w.user_id = tests.get_supabase_uid('alias195_owner') $$,
  'No remembered withdrawal stays: the mailbox''s and both spellings of the username went with their suppression.');
select is(private.channel_mailbox('email', 'a.d.a+x@googlemail.com'), 'ada@gmail.com',
  'The mailbox of a.d.a+x@googlemail.com is ada@gmail.com.');
select ok(private.channel_mailbox('email', 'ada@example.com') is null and private.channel_mailbox('other', '+44 20 7946 0020') is null
    and private.channel_mailbox('telegram', 'ada+x@example.com') is null,
  'A mailbox''s own spelling, a number and a type that holds no e-mail address have no other mailbox.');

select * from finish();
rollback;
