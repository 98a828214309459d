-- A number written with its trunk zero plainly after the country code, "+44 020 7946 0020", is the
-- number without it where the plan dials a trunk 0, as libphonenumber reads it (20251020000077):
-- the expected values below are libphonenumber-js 1.13.16's E.164. Stored channels in the old form
-- are renormalized (a collision and a suppressed form left, and counted), the erased number cannot
-- come back in that spelling, a subject request by the number finds the contact, and a suppression
-- stored under the old form stays refused and is lifted by the number in any spelling.
begin;
select plan(17);

select tests.create_supabase_user('zero_owner');
insert into public.contacts (id, user_id, display_name) values
  ('19300000-0000-4000-8000-000000000001', tests.get_supabase_uid('zero_owner'), 'Berlin Office'),
  ('19300000-0000-4000-8000-000000000002', tests.get_supabase_uid('zero_owner'), 'Berlin Desk'),
  ('19300000-0000-4000-8000-000000000003', tests.get_supabase_uid('zero_owner'), 'Paris Office'),
  ('19300000-0000-4000-8000-000000000004', tests.get_supabase_uid('zero_owner'), 'Paris Desk'),
  ('19300000-0000-4000-8000-000000000005', tests.get_supabase_uid('zero_owner'), 'London Office'),
  ('19300000-0000-4000-8000-000000000006', tests.get_supabase_uid('zero_owner'), 'Hamburg Office'),
  ('19300000-0000-4000-8000-000000000007', tests.get_supabase_uid('zero_owner'), 'Newcomer');

-- Service
select tests.authenticate_as_service_role();
select is_empty(
  $$ select e.spelling, e.e164, private.normalize_channel_identifier('phone', e.spelling)
     from (values
  ('+44 020 7946 0020', '+442079460020'), ('+44020 7946 0020', '+442079460020'), ('+49 030 1234567', '+49301234567'),
  ('+33 06 12 34 56 78', '+33612345678'), ('0044 (0)20 7946-0020', '+442079460020'),
  ('+44 02079460020', '+442079460020'), ('+44 01134960000', '+441134960000'), ('+49 0301234567', '+49301234567'),
  ('+49 015123456789', '+4915123456789'), ('+49 08912345678', '+498912345678'), ('+33 0612345678', '+33612345678'),
  ('+33 0123456789', '+33123456789'), ('+31 0201234567', '+31201234567'), ('+31 0612345678', '+31612345678'),
  ('+32 021234567', '+3221234567'), ('+32 0470123456', '+32470123456'), ('+41 0446681800', '+41446681800'),
  ('+41 0781234567', '+41781234567'), ('+43 0158858', '+43158858'), ('+43 06641234567', '+436641234567'),
  ('+43 01234567890', '+431234567890'), ('+46 081234567', '+4681234567'), ('+46 0701234567', '+46701234567'),
  ('+358 0912345678', '+358912345678'), ('+358 0401234567', '+358401234567'), ('+353 015550123', '+35315550123'),
  ('+353 0851234567', '+353851234567'), ('+61 0212345678', '+61212345678'), ('0061 0212345678', '+61212345678'),
  ('+61 0412345678', '+61412345678'), ('0061 0412345678', '+61412345678'), ('+64 093456789', '+6493456789'),
  ('+64 0211234567', '+64211234567'), ('+81 0312345678', '+81312345678'), ('0081 0312345678', '+81312345678'),
  ('+81 09012345678', '+819012345678'), ('0081 09012345678', '+819012345678'), ('+86 01012345678', '+861012345678'),
  ('+86 013812345678', '+8613812345678'), ('+91 01123456789', '+911123456789'), ('+91 09812345678', '+919812345678'),
  ('+55 01123456789', '+551123456789'), ('+55 011961234567', '+5511961234567'), ('+27 0211234567', '+27211234567'),
  ('+27 0821234567', '+27821234567'), ('+82 0212345678', '+82212345678'), ('0082 0212345678', '+82212345678'),
  ('+82 01012345678', '+821012345678'), ('0082 01012345678', '+821012345678'), ('+90 02121234567', '+902121234567'),
  ('+90 05012345678', '+905012345678'), ('+54 01123456789', '+541123456789'), ('+972 021234567', '+97221234567'),
  ('+972 0501234567', '+972501234567'), ('+40 0212345678', '+40212345678'), ('+40 0712345678', '+40712345678'),
  ('+250 0788123456', '+250788123456'), ('+375 044 315 26 22', '+375443152622')
     ) as e (spelling, e164)
     where private.normalize_channel_identifier('phone', e.spelling) is distinct from e.e164 $$,
  'a plain trunk zero after the country code is dropped as libphonenumber drops it, in every plan that dials one');
select is_empty(
  $$ select e.spelling, e.e164, private.normalize_channel_identifier('phone', e.spelling)
     from (values
  ('+34 0912345678', '+340912345678'), ('+34 0612345678', '+340612345678'), ('+351 0212345678', '+3510212345678'),
  ('+351 0912345678', '+3510912345678'), ('+48 0221234567', '+480221234567'), ('+48 0512345678', '+480512345678'),
  ('+47 022123456', '+47022123456'), ('+47 041234567', '+47041234567'), ('+45 032123456', '+45032123456'),
  ('+45 020123456', '+45020123456'), ('+52 05512345678', '+5205512345678'), ('+7 04951234567', '+704951234567'),
  ('+7 09123456789', '+709123456789'), ('+1 02015550123', '+102015550123'), ('+36 012345678', '+36012345678'),
  ('+36 0201234567', '+360201234567'), ('+420 0212345678', '+4200212345678'), ('+226 070123456', '+226070123456'),
  ('+81 0037 050965', '+810037050965'), ('+226 07 01 23 45', '+22607012345')
     ) as e (spelling, e164)
     where private.normalize_channel_identifier('phone', e.spelling) is distinct from e.e164 $$,
  'a 0 after +1, +7 or the code of a plan without a trunk 0, or before another 0, is kept, as libphonenumber keeps it');
select is_empty(
  $$ select e.spelling, e.e164, private.normalize_channel_identifier('phone', e.spelling)
     from (values
  ('+39 06 1234 5678', '+390612345678'), ('+39 0612345678', '+390612345678'), ('+39 3123456789', '+393123456789'),
  ('+39 03123456789', '+3903123456789'), ('+378 0549123456', '+3780549123456'), ('+378 66661212', '+37866661212'),
  ('+378 066661212', '+378066661212'), ('+225 0123456789', '+2250123456789'), ('+225 0701234567', '+2250701234567'),
  ('+229 0120211234', '+2290120211234'), ('+241 06031234', '+24106031234'), ('+242 061234567', '+242061234567'),
  ('+242 222123456', '+242222123456'), ('+242 0222123456', '+2420222123456')
     ) as e (spelling, e164)
     where private.normalize_channel_identifier('phone', e.spelling) is distinct from e.e164 $$,
  'Italian, San Marino, Ivorian, Beninese, Gabonese and Congolese numbers keep their 0, which is part of the number');
reset role;

-- Channels as the old normalizer stored them: inserted, then given their old form with triggers
-- held (the index follows, the duplicate keys stay as they were then).
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('zero_owner'), '19300000-0000-4000-8000-000000000001', 'phone', '+49 030 1234567'),
  (tests.get_supabase_uid('zero_owner'), '19300000-0000-4000-8000-000000000003', 'phone', '+33 06 12 34 56 78'),
  (tests.get_supabase_uid('zero_owner'), '19300000-0000-4000-8000-000000000005', 'phone', '+44 020 7946 0020');
set local session_replication_role = replica;
update public.contact_communication_channels
set normalized_identifier = regexp_replace(identifier, '[\s().\-/]', '', 'g')
where user_id = tests.get_supabase_uid('zero_owner');
set local session_replication_role = origin;
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('zero_owner'), '19300000-0000-4000-8000-000000000002', 'sms', '+49 30 1234567'),
  (tests.get_supabase_uid('zero_owner'), '19300000-0000-4000-8000-000000000004', 'phone', '+33 6 12 34 56 78');
select private.suppress_identifiers(tests.get_supabase_uid('zero_owner'), array['phone:+442079460020', 'phone:+4401632960001']);

-- The migration's renormalization, as it ran, its counts returned rather than raised.
create function pg_temp.renormalize(out changed bigint, out held_taken bigint, out held_suppressed bigint) language plpgsql as $$
begin
  create temporary table trunk_zero_channels on commit drop as
  select ch.id, ch.user_id, ch.channel_type,
    private.normalize_channel_identifier(ch.channel_type, ch.identifier) as renormalized
  from public.contact_communication_channels ch
  where ch.channel_type in ('phone', 'sms', 'whatsapp') and ch.normalized_identifier ~ '^\+[0-9]{2,3}0[1-9]'
    and ch.normalized_identifier <> private.normalize_channel_identifier(ch.channel_type, ch.identifier);
  analyze trunk_zero_channels;
  delete from trunk_zero_channels t
  where exists (select 1 from public.contact_communication_channels ch
                where ch.user_id = t.user_id and ch.channel_type = t.channel_type and ch.normalized_identifier = t.renormalized)
     or (t.user_id, t.channel_type, t.renormalized) in (
          select o.user_id, o.channel_type, o.renormalized from trunk_zero_channels o group by 1, 2, 3 having count(*) > 1);
  get diagnostics held_taken = row_count;
  delete from trunk_zero_channels t
  where exists (
    select 1
    from private.owner_keys k
    cross join lateral unnest(private.channel_refusal_keys(t.channel_type, t.renormalized)) as key (value)
    join public.contact_suppressions s on s.user_id = t.user_id and s.lifted_at is null
      and s.identifier_hmac = encode(extensions.hmac(convert_to(key.value, 'UTF8'), k.hmac_key, 'sha256'), 'hex')
    where k.user_id = t.user_id);
  get diagnostics held_suppressed = row_count;
  update public.contact_communication_channels ch
  set normalized_identifier = t.renormalized
  from trunk_zero_channels t
  where ch.id = t.id and ch.user_id = t.user_id;
  get diagnostics changed = row_count;
end;
$$;
select results_eq($$ select * from pg_temp.renormalize() $$, $$ values (1::bigint, 1::bigint, 1::bigint) $$,
  'the renormalization moves the Berlin channel and leaves, counted, the one its owner holds already and the suppressed one');
select results_eq(
  $$ select contact_id, normalized_identifier from public.contact_communication_channels
     where user_id = tests.get_supabase_uid('zero_owner') and contact_id in
       ('19300000-0000-4000-8000-000000000001', '19300000-0000-4000-8000-000000000003', '19300000-0000-4000-8000-000000000005')
     order by contact_id $$,
  $$ values ('19300000-0000-4000-8000-000000000001'::uuid, '+49301234567'), ('19300000-0000-4000-8000-000000000003'::uuid, '+330612345678'),
            ('19300000-0000-4000-8000-000000000005'::uuid, '+4402079460020') $$,
  'the Berlin channel is stored as +49301234567; the Paris and London channels keep their old form');
select ok(exists (select 1 from private.duplicate_keys
                  where user_id = tests.get_supabase_uid('zero_owner') and kind = 'identifier' and match_key = 'tel:+49301234567'),
  'the renormalized Berlin number is now a duplicate key shared with the SMS channel of Berlin Desk');
select is(private.normalize_channel_identifier('phone', '+250 06002342'), '+25006002342',
  'a Rwandan fixed line keeps the 0 of its 06, which is part of the number');

-- Owner: the channels left in their old form stay editable
select tests.authenticate_as('zero_owner');
select lives_ok($$ update public.contact_communication_channels set label = 'desk'
                   where contact_id = '19300000-0000-4000-8000-000000000003' $$,
  'the owner can edit the Paris channel left in its old form (the number is held in the other spelling)');
select lives_ok($$ update public.contact_communication_channels set consent_status = 'withdrawn', consent_source = 'manual'
                   where contact_id = '19300000-0000-4000-8000-000000000003' $$,
  'and record its holder''s consent withdrawal on it');
select lives_ok($$ update public.contact_communication_channels set label = 'reception'
                   where contact_id = '19300000-0000-4000-8000-000000000005' $$,
  'the owner can edit the London channel left in its old form because the new one is suppressed');
reset role;

-- Owner
select tests.authenticate_as('zero_owner');
insert into public.contact_communication_channels (contact_id, channel_type, identifier)
values ('19300000-0000-4000-8000-000000000006', 'whatsapp', '+49 040 1234567');
select is(private.data_subject_contact_ids(tests.get_supabase_uid('zero_owner'), null, private.subject_identifier_key('+49401234567')),
  array['19300000-0000-4000-8000-000000000006'::uuid], 'a subject request by +49401234567 finds the contact stored from "+49 040 1234567"');
create function pg_temp.add(identifier text) returns void language sql as $$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier)
  values ('19300000-0000-4000-8000-000000000007', 'phone', add.identifier)
$$;
select throws_ok($$ select pg_temp.add('+44 020 7946 0020') $$, '23514', null,
  'the owner cannot add the erased +442079460020 written with its trunk zero, "+44 020 7946 0020"');
select throws_ok($$ select pg_temp.add('+44 01632 960001') $$, '23514', null,
  'a number suppressed before this migration under its old form, +4401632960001, stays refused written so');
select throws_ok($$ select pg_temp.add('+44 1632 960001') $$, '23514', null,
  'and without its trunk zero');
select is(public.lift_contact_suppression('+44 1632 960001', 'asked to be contacted again'), 3,
  'the owner lifts that old suppression by the number without its trunk zero, under every type that can hold it');
select lives_ok($$ select pg_temp.add('+44 01632 960001') $$,
  'and the number can be added again in its old spelling');
select is((select normalized_identifier from public.contact_communication_channels
           where contact_id = '19300000-0000-4000-8000-000000000007'),
  '+441632960001', 'where it is stored as +441632960001');
reset role;

select * from finish();
rollback;
