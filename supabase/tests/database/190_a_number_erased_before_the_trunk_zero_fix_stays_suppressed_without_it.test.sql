-- A number erased before 20251020000069 as "+44 (0)20 7946 0020" was suppressed under the keys of
-- +4402079460020 only; since 69 that number in any spelling is +442079460020 (20251020000074): the
-- owner, the service and an import are all refused it, as the import's own check says. A different
-- number, another owner's suppression and an Italian number, whose 0 is part of it, are unaffected;
-- lifting the old spelling lets the number back.
begin;
select plan(19);

select tests.create_supabase_user('trunk190_owner');
select tests.create_supabase_user('trunk190_stranger');
insert into public.contacts (id, user_id, display_name) values
  ('19000000-0000-4000-8000-000000000001', tests.get_supabase_uid('trunk190_owner'), 'Newcomer');
create temporary table job_ids (name text primary key, id uuid);
grant all on job_ids to service_role, authenticated;
insert into job_ids values ('reimport', tests.create_import_job('trunk190_owner', 'returning'));

-- Service: the suppressions as erasures made before 69 stored them, the contact's normalized
-- number as its key (private.channel_identifier_keys), hashed under every type that can hold it.
select tests.authenticate_as_service_role();
select private.suppress_identifiers(tests.get_supabase_uid('trunk190_owner'),
  array['phone:+4402079460020', 'phone:+353015550123', 'phone:+390612345678', 'phone:+247020000', 'phone:+493012345678']);
select private.suppress_identifiers(tests.get_supabase_uid('trunk190_stranger'), array['phone:+4401632960001']);
reset role;

-- Owner
select tests.authenticate_as('trunk190_owner');
create function pg_temp.add(channel_type text, identifier text) returns void language sql as $$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier)
  values ('19000000-0000-4000-8000-000000000001', add.channel_type, add.identifier)
$$;
select throws_ok($$ select pg_temp.add('phone', '+44 (0)20 7946 0020') $$, '23514', null,
  'the owner cannot add the number erased before 69 written as it was then, "+44 (0)20 7946 0020"');
select throws_ok($$ select pg_temp.add('phone', '+44 20 7946 0020') $$, '23514', null,
  'nor written without its trunk zero');
select throws_ok($$ select pg_temp.add('phone', '+442079460020') $$, '23514', null,
  'nor in E.164');
select throws_ok($$ select pg_temp.add('telegram', '+44 20 7946 0020') $$, '23514', null,
  'nor as a Telegram channel');
select throws_ok($$ select pg_temp.add('whatsapp', '+353 1 555 0123') $$, '23514', null,
  'an Irish number erased as "+353 (0)1 555 0123" is refused too: its three-digit country code is kept whole');
select ok(private.is_suppressed(tests.get_supabase_uid('trunk190_owner'), 'phone', '+442079460020'),
  'the suppression check an import makes per row finds the number erased before 69');
select lives_ok($$ select pg_temp.add('phone', '+44 20 7946 0021') $$,
  'the owner can add a different number');
select lives_ok($$ select pg_temp.add('phone', '+44 (0)1632 960001') $$,
  'another owner''s suppression of a number does not refuse it to this owner');
select lives_ok($$ select pg_temp.add('phone', '+39 6 1234 5678') $$,
  'an erased Rome number, +39 06 1234 5678, does not refuse +39 6 1234 5678: in Italy the 0 is part of the number');
select throws_ok($$ select pg_temp.add('phone', '+39 06 1234 5678') $$, '23514', null,
  'while the erased Italian number itself stays refused');
select lives_ok($$ select pg_temp.add('phone', '+247 20000') $$,
  'an erased Ascension number +247 020000 does not refuse +247 20000, another valid number there');
select throws_ok($$ select pg_temp.add('telegram', '+49 030 12345678') $$, '23514', null,
  'a Telegram channel holding an erased Berlin number with its trunk zero, "+49 030 12345678", is refused');
select throws_ok($$ select pg_temp.add('other', '+44 (0)20 7946 0020') $$, '23514', null,
  'and an other-type channel holding "+44 (0)20 7946 0020" meets the erasure of +442079460020 stored before 69');
reset role;

-- Service (and the import worker)
select tests.authenticate_as_service_role();
select throws_ok(
  $$ insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
     values (tests.get_supabase_uid('trunk190_owner'), '19000000-0000-4000-8000-000000000001', 'sms', '+44 (0)20 7946 0020') $$,
  '23514', null, 'the service cannot add the number erased before 69 for the owner either');
select is(
  private.import_contacts_batch((select id from job_ids where name = 'reimport'),
    '[{"n": 2, "k": null, "first_name": "Returning", "channels": [{"t": "phone", "v": "+44 (0)20 7946 0020", "nv": "+442079460020", "p": true, "col": "phone"}]}]'::json,
    '[]'::json, 100, 3) ->> 'skipped',
  '1', 'an import row with the number erased before 69 is skipped');
reset role;
select results_eq(
  $$ select e.row_number, e.column_name, e.value_excerpt, e.reason like 'suppressed:%' from public.contact_import_job_errors e
     where e.job_id = (select id from job_ids where name = 'reimport') $$,
  $$ values (2::bigint, 'phone', null::text, true) $$,
  'its report line says suppressed and does not hold the number');
select is((select count(*)::integer from public.contact_communication_channels
           where user_id = tests.get_supabase_uid('trunk190_owner') and normalized_identifier like '+4420794600%'),
  1, 'of the erased number''s neighbours only the different number was added');

-- Owner: lifts the old suppression by the spelling it was stored under
select tests.authenticate_as('trunk190_owner');
select ok(public.lift_contact_suppression('+4402079460020', 'asked to be contacted again') > 0,
  'the owner lifts the suppression stored before 69 by its old spelling');
select lives_ok($$ select pg_temp.add('phone', '+44 20 7946 0020') $$,
  'and the number can be added again');
reset role;

select * from finish();
rollback;
