-- The owner's contacts hold their people's mailboxes and numbers in several spellings: an address
-- with a +tag, a Gmail address with dots under googlemail.com, a Berlin number with its trunk zero
-- on a Telegram channel, a London number left in its old form (+4402079460020) by the
-- renormalization. Since 20251020000078 a subject request by the plain identifier (export,
-- erasure, the erasure check) finds each of them, as the duplicate finder and the suppression
-- list already count them as one; a different mailbox (dots outside Gmail), a Rome number without
-- its 0 (part of the number in Italy) and another owner's contacts are not found.
begin;
select plan(18);

-- ============================================================================================
-- Setup (superuser): the owner's contacts in their spellings, a stranger's alias
-- ============================================================================================
select tests.create_supabase_user('spell194_owner');
select tests.create_supabase_user('spell194_stranger');
insert into public.contacts (id, user_id, display_name) values
  ('19400000-0000-4000-8000-000000000001', tests.get_supabase_uid('spell194_owner'), 'Ada Tagged'),
  ('19400000-0000-4000-8000-000000000002', tests.get_supabase_uid('spell194_owner'), 'Ada Dotted'),
  ('19400000-0000-4000-8000-000000000003', tests.get_supabase_uid('spell194_owner'), 'A. Da Elsewhere'),
  ('19400000-0000-4000-8000-000000000004', tests.get_supabase_uid('spell194_owner'), 'Bob'),
  ('19400000-0000-4000-8000-000000000005', tests.get_supabase_uid('spell194_owner'), 'Hans on Telegram'),
  ('19400000-0000-4000-8000-000000000006', tests.get_supabase_uid('spell194_owner'), 'Old Form'),
  ('19400000-0000-4000-8000-000000000007', tests.get_supabase_uid('spell194_owner'), 'Roma'),
  ('19400000-0000-4000-8000-000000000008', tests.get_supabase_uid('spell194_stranger'), 'Stranger''s Ada');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('spell194_owner'), '19400000-0000-4000-8000-000000000001', 'email', 'Ada+crm@Example.com'),
  (tests.get_supabase_uid('spell194_owner'), '19400000-0000-4000-8000-000000000002', 'other', 'a.da@googlemail.com'),
  (tests.get_supabase_uid('spell194_owner'), '19400000-0000-4000-8000-000000000003', 'email', 'a.da@example.com'),
  (tests.get_supabase_uid('spell194_owner'), '19400000-0000-4000-8000-000000000004', 'email', 'bob+ada@example.com'),
  (tests.get_supabase_uid('spell194_owner'), '19400000-0000-4000-8000-000000000005', 'telegram', '+49 030 1234567'),
  (tests.get_supabase_uid('spell194_owner'), '19400000-0000-4000-8000-000000000007', 'phone', '+39 06 1234 5678'),
  (tests.get_supabase_uid('spell194_stranger'), '19400000-0000-4000-8000-000000000008', 'email', 'ada+crm@example.com');
-- A channel in the form 69 and 77 left when they could not renormalize it: written as it was
-- stored then, past the prepare trigger that would normalize it now.
set local session_replication_role = replica;
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, normalized_identifier) values
  (tests.get_supabase_uid('spell194_owner'), '19400000-0000-4000-8000-000000000006', 'phone', '+44 (0)20 7946 0020', '+4402079460020');
set local session_replication_role = origin;
create temporary table answers (label text primary key, answer jsonb);
grant all on answers to service_role, authenticated;
create function pg_temp.exported(label text) returns text[] language sql as $$
  select array(select jsonb_array_elements_text(a.answer -> 'contact_ids') order by 1) from answers a where a.label = exported.label
$$;

-- ============================================================================================
-- Owner: the export by the plain identifier finds every spelling of it, and nothing else
-- ============================================================================================
select tests.authenticate_as('spell194_owner');
insert into answers
select v.label, public.export_subject_data(identifier => v.identifier)
from (values ('mailbox', 'ada@example.com'), ('tagged', 'ADA+news@example.com'), ('gmail', 'ada@gmail.com'),
             ('berlin', '+49 30 1234567'), ('london', '+44 20 7946 0020')) as v (label, identifier);
select is(pg_temp.exported('mailbox'), array['19400000-0000-4000-8000-000000000001'],
  'the owner''s export by ada@example.com finds the contact holding Ada+crm@Example.com, not a.da@example.com (dots count outside Gmail) nor bob+ada@example.com');
select is(pg_temp.exported('tagged'), array['19400000-0000-4000-8000-000000000001'],
  'the owner''s export by another tag of the mailbox, ADA+news@example.com, finds the same contact');
select is(pg_temp.exported('gmail'), array['19400000-0000-4000-8000-000000000002'],
  'the owner''s export by ada@gmail.com finds a.da@googlemail.com typed into an other-type channel');
select is(pg_temp.exported('berlin'), array['19400000-0000-4000-8000-000000000005'],
  'the owner''s export by +49 30 1234567 finds the Telegram channel holding "+49 030 1234567" with its trunk zero');
select is(pg_temp.exported('london'), array['19400000-0000-4000-8000-000000000006'],
  'the owner''s export by +44 20 7946 0020 finds the phone channel left in its old form, +4402079460020');
select throws_ok($$ select public.export_subject_data(identifier => '+39 6 1234 5678') $$, 'P0002', 'contact not found',
  'the owner''s export by +39 6 1234 5678 does not find +39 06 1234 5678: in Italy the 0 is part of the number');
reset role;

-- ============================================================================================
-- Another owner: the same identifier reaches only the stranger's own contacts
-- ============================================================================================
select tests.authenticate_as('spell194_stranger');
insert into answers values ('stranger', public.export_subject_data(identifier => 'ada@example.com'));
select is(pg_temp.exported('stranger'), array['19400000-0000-4000-8000-000000000008'],
  'another owner''s export by ada@example.com finds their own alias contact and none of the owner''s');
select throws_ok($$ select private.channels_with_match_keys(tests.get_supabase_uid('spell194_owner'), array['mail:ada@example.com']) $$,
  '42501', 'permission denied for the channels of another owner',
  'another owner cannot probe the owner''s channels by match key');
reset role;

-- ============================================================================================
-- Agent tokens: act for the owner, but subject requests are not theirs
-- ============================================================================================
insert into public.agents (id, user_id, name) values ('19400000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('spell194_owner'), 'helper');
select tests.authenticate_as_agent('spell194_owner', '19400000-0000-4000-8000-0000000000a1');
select throws_ok($$ select private.channels_with_match_keys(tests.get_supabase_uid('spell194_owner'), array['mail:ada@example.com']) $$,
  '42501', 'permission denied for the channels of another owner',
  'an agent token of the owner cannot probe the owner''s channels by match key');
reset role;

-- ============================================================================================
-- Service: names the owner and finds the same contacts
-- ============================================================================================
select tests.authenticate_as_service_role();
insert into answers values ('service', public.export_subject_data(identifier => 'ada@example.com', owner_id => tests.get_supabase_uid('spell194_owner')));
select is(pg_temp.exported('service'), array['19400000-0000-4000-8000-000000000001'],
  'the service''s export by ada@example.com for the owner finds the alias contact');
reset role;

-- ============================================================================================
-- Owner: erasure by the plain identifier removes each spelling, and the check agrees
-- ============================================================================================
select tests.authenticate_as('spell194_owner');
insert into answers values ('erase mailbox', public.gdpr_delete_subject(identifier => 'ada@example.com'));
insert into answers values ('erase berlin', public.gdpr_delete_subject(identifier => '+49 30 1234567'));
insert into answers values ('erase london', public.gdpr_delete_subject(identifier => '+442079460020'));
select is((select array_agg(c.display_name order by c.display_name) from public.contacts c),
  array['A. Da Elsewhere', 'Ada Dotted', 'Bob', 'Roma'],
  'the owner''s erasures by ada@example.com, +49 30 1234567 and +442079460020 remove the alias, the Telegram and the old-form contacts, and only them');
select is((select (answer -> 'counts' ->> 'contacts')::int from answers where label = 'erase mailbox'), 1,
  'the receipt of the erasure by ada@example.com counts the alias contact');
select is((select (answer -> 'counts' ->> 'contacts')::int from answers where label = 'erase berlin'), 1,
  'the receipt of the erasure by +49 30 1234567 counts the Telegram contact');
select is(public.verify_subject_erasure('ada@example.com') ->> 'erased', 'true',
  'the owner''s erasure check says ada@example.com is erased, no contact holding its mailbox left');
select is(public.verify_subject_erasure('+442079460020') ->> 'erased', 'true',
  'and that +442079460020 is erased, its old form gone with it');
select is((select count(*)::int from public.contact_communication_channels ch where ch.normalized_identifier in ('a.da@example.com', 'bob+ada@example.com')), 2,
  'the other mailboxes are still the owner''s');
reset role;

-- ============================================================================================
-- Another owner: the owner's erasure leaves the stranger's alias alone
-- ============================================================================================
select tests.authenticate_as('spell194_stranger');
select is((select count(*)::int from public.contacts c where c.id = '19400000-0000-4000-8000-000000000008'), 1,
  'another owner''s contact holding ada+crm@example.com survives the owner''s erasure of ada@example.com');
reset role;

-- ============================================================================================
-- Service: a contact id and an identifier together still name only that contact
-- ============================================================================================
select tests.authenticate_as_service_role();
select is(private.data_subject_contact_ids(tests.get_supabase_uid('spell194_owner'), '19400000-0000-4000-8000-000000000003', 'email:ada@example.com'),
  '{}'::uuid[], 'a.da@example.com''s contact named with the identifier ada@example.com is not that subject''s: it is another mailbox');
reset role;

select * from finish();
rollback;
