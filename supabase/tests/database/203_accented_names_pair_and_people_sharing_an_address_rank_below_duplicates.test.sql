-- find_duplicate_contacts (20251020000088): names are compared with case and accents folded, so
-- 'José García' and 'Jose Garcia' of one organization are a pair and 'Müller' and 'Mueller' score as
-- one name; two people whose names clearly differ but who share a mailbox or a number (a team
-- mailbox, a home phone) are still listed, with 'names_differ' and half the address's weight, below
-- true duplicates. A married name keeps its first name and its weight.
begin;
select plan(14);

-- ============================================================================================
-- Setup (superuser). All contacts are created in this transaction (same created_at), so the
-- suggested survivor of a pair is the smaller id.
--   ...01 José García       Acme       ...02 Jose Garcia        Acme
--   ...03 Katharina Müller  Acme       ...04 Katharina Mueller  Acme
--   ...05 Paul Smith        Acme       ...06 Paul Smith         Acme     (a same-name pair)
--   ...07 Nina Nash   Wayne, info@wayne.example, phone +15555550100
--   ...08 Oscar Ortiz Wayne, info+sales@wayne.example, whatsapp +15555550100
--   ...09 Nora North  Wayne, nora@wayne.example    ...10 Nora North, nora+crm@wayne.example
--   ...11 Anna Smith  anna.home@example.org        ...12 Anna Jones, anna.home+x@example.org
--   ...13 Harry Hill  phone +15555550199           ...14 Helen Hill, whatsapp +15555550199
--   ...15 J. Smith    phone +15555550142           ...16 John Smith, sms +15555550142
--   ...17 no name, organization Wayne Enterprises, 'other' INFO@wayne.example
--   ...18 José García Globex (a namesake elsewhere)
--   ...91 Jose Garcia Acme, ...92 Oscar Ortiz info@wayne.example: another owner's
-- ============================================================================================
select tests.create_supabase_user('fold_owner');
select tests.create_supabase_user('fold_other_owner');

insert into public.contacts (id, user_id, first_name, last_name, display_name, organization) values
  ('c2030000-0000-4000-8000-000000000001', tests.get_supabase_uid('fold_owner'), null, null, 'José García', 'Acme'),
  ('c2030000-0000-4000-8000-000000000002', tests.get_supabase_uid('fold_owner'), null, null, 'Jose Garcia', 'Acme'),
  ('c2030000-0000-4000-8000-000000000003', tests.get_supabase_uid('fold_owner'), null, null, 'Katharina Müller', 'Acme'),
  ('c2030000-0000-4000-8000-000000000004', tests.get_supabase_uid('fold_owner'), null, null, 'Katharina Mueller', 'Acme'),
  ('c2030000-0000-4000-8000-000000000005', tests.get_supabase_uid('fold_owner'), null, null, 'Paul Smith', 'Acme'),
  ('c2030000-0000-4000-8000-000000000006', tests.get_supabase_uid('fold_owner'), null, null, 'Paul Smith', 'Acme'),
  ('c2030000-0000-4000-8000-000000000007', tests.get_supabase_uid('fold_owner'), 'Nina', 'Nash', null, 'Wayne Enterprises'),
  ('c2030000-0000-4000-8000-000000000008', tests.get_supabase_uid('fold_owner'), 'Oscar', 'Ortiz', null, 'Wayne Enterprises'),
  ('c2030000-0000-4000-8000-000000000009', tests.get_supabase_uid('fold_owner'), 'Nora', 'North', null, 'Wayne Enterprises'),
  ('c2030000-0000-4000-8000-000000000010', tests.get_supabase_uid('fold_owner'), 'Nora', 'North', null, null),
  ('c2030000-0000-4000-8000-000000000011', tests.get_supabase_uid('fold_owner'), 'Anna', 'Smith', null, null),
  ('c2030000-0000-4000-8000-000000000012', tests.get_supabase_uid('fold_owner'), 'Anna', 'Jones', null, null),
  ('c2030000-0000-4000-8000-000000000013', tests.get_supabase_uid('fold_owner'), 'Harry', 'Hill', null, null),
  ('c2030000-0000-4000-8000-000000000014', tests.get_supabase_uid('fold_owner'), 'Helen', 'Hill', null, null),
  ('c2030000-0000-4000-8000-000000000015', tests.get_supabase_uid('fold_owner'), null, null, 'J. Smith', null),
  ('c2030000-0000-4000-8000-000000000016', tests.get_supabase_uid('fold_owner'), 'John', 'Smith', null, null),
  ('c2030000-0000-4000-8000-000000000017', tests.get_supabase_uid('fold_owner'), null, null, null, 'Wayne Enterprises'),
  ('c2030000-0000-4000-8000-000000000018', tests.get_supabase_uid('fold_owner'), null, null, 'José García', 'Globex'),
  ('c2030000-0000-4000-8000-000000000091', tests.get_supabase_uid('fold_other_owner'), null, null, 'Jose Garcia', 'Acme'),
  ('c2030000-0000-4000-8000-000000000092', tests.get_supabase_uid('fold_other_owner'), 'Oscar', 'Ortiz', null, 'Wayne Enterprises');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('fold_owner'), 'c2030000-0000-4000-8000-000000000007', 'email', 'info@wayne.example'),
  (tests.get_supabase_uid('fold_owner'), 'c2030000-0000-4000-8000-000000000007', 'phone', '+15555550100'),
  (tests.get_supabase_uid('fold_owner'), 'c2030000-0000-4000-8000-000000000008', 'email', 'info+sales@wayne.example'),
  (tests.get_supabase_uid('fold_owner'), 'c2030000-0000-4000-8000-000000000008', 'whatsapp', '+15555550100'),
  (tests.get_supabase_uid('fold_owner'), 'c2030000-0000-4000-8000-000000000009', 'email', 'nora@wayne.example'),
  (tests.get_supabase_uid('fold_owner'), 'c2030000-0000-4000-8000-000000000010', 'email', 'nora+crm@wayne.example'),
  (tests.get_supabase_uid('fold_owner'), 'c2030000-0000-4000-8000-000000000011', 'email', 'anna.home@example.org'),
  (tests.get_supabase_uid('fold_owner'), 'c2030000-0000-4000-8000-000000000012', 'email', 'anna.home+x@example.org'),
  (tests.get_supabase_uid('fold_owner'), 'c2030000-0000-4000-8000-000000000013', 'phone', '+15555550199'),
  (tests.get_supabase_uid('fold_owner'), 'c2030000-0000-4000-8000-000000000014', 'whatsapp', '+15555550199'),
  (tests.get_supabase_uid('fold_owner'), 'c2030000-0000-4000-8000-000000000015', 'phone', '+15555550142'),
  (tests.get_supabase_uid('fold_owner'), 'c2030000-0000-4000-8000-000000000016', 'sms', '+15555550142'),
  (tests.get_supabase_uid('fold_owner'), 'c2030000-0000-4000-8000-000000000017', 'other', 'INFO@wayne.example'),
  (tests.get_supabase_uid('fold_other_owner'), 'c2030000-0000-4000-8000-000000000092', 'email', 'info@wayne.example');

create temporary table owner_pairs (survivor_id uuid, duplicate_id uuid, score numeric, reasons text[]) on commit drop;
grant select, insert on owner_pairs to authenticated, service_role;
create function pg_temp.pair(first_no integer, second_no integer)
returns table (score numeric, reasons text[]) language sql as $$
  select p.score, p.reasons from owner_pairs p
  where (p.survivor_id, p.duplicate_id) = (('c2030000-0000-4000-8000-0000000000' || lpad(pair.first_no::text, 2, '0'))::uuid,
                                           ('c2030000-0000-4000-8000-0000000000' || lpad(pair.second_no::text, 2, '0'))::uuid)
$$;

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('fold_owner');
insert into owner_pairs select survivor_id, duplicate_id, score, reasons from public.find_duplicate_contacts(min_score => 0, result_limit => 200);

select results_eq($$ select * from pg_temp.pair(1, 2) $$, $$ values (0.6000, '{similar_name}'::text[]) $$,
  'the owner gets José García and Jose Garcia of one organization as a pair, scored as the same name');
select results_eq($$ select score from pg_temp.pair(3, 4) $$, $$ select score from pg_temp.pair(5, 6) $$,
  'the owner sees Katharina Müller and Katharina Mueller scored like two contacts named Paul Smith');
select results_eq($$ select * from pg_temp.pair(7, 8) $$, $$ values (0.6700, '{names_differ,same_email,same_phone}'::text[]) $$,
  'the owner gets Nina Nash and Oscar Ortiz, sharing a mailbox and a number, at half the weight of each, saying their names differ');
select ok((select score from pg_temp.pair(7, 8)) < (select score from pg_temp.pair(9, 10)),
  'the owner sees Nina Nash and Oscar Ortiz listed below Nora North and her duplicate, who share only a mailbox');
select results_eq($$ select * from pg_temp.pair(11, 12) $$, $$ values (0.9000, '{same_email}'::text[]) $$,
  'the owner gets Anna Smith and Anna Jones (a married name) sharing a mailbox at the full weight of the mailbox');
select results_eq($$ select * from pg_temp.pair(13, 14) $$, $$ values (0.4000, '{names_differ,same_phone}'::text[]) $$,
  'the owner still gets Harry and Helen Hill sharing a home number, at half the weight of the number');
select results_eq($$ select * from pg_temp.pair(15, 16) $$, $$ values (0.8000, '{same_phone}'::text[]) $$,
  'the owner gets J. Smith and John Smith sharing a number at its full weight: an initial agrees with the name');
select results_eq($$ select * from pg_temp.pair(7, 17) $$, $$ values (0.9000, '{same_email}'::text[]) $$,
  'the owner gets a contact known only by its organization and Nina Nash sharing its mailbox at full weight: no name disagrees');
select is_empty(
  $$ select 1 from owner_pairs where 'c2030000-0000-4000-8000-000000000018' in (survivor_id, duplicate_id) $$,
  'the owner gets no pair for a José García of another organization');
select is_empty(
  $$ select 1 from owner_pairs
     where array['c2030000-0000-4000-8000-000000000091', 'c2030000-0000-4000-8000-000000000092']::uuid[] && array[survivor_id, duplicate_id] $$,
  'the owner never gets another owner''s Jose Garcia or Oscar Ortiz in a pair');
select results_eq(
  $$ select score, reasons from public.find_duplicate_contacts(contact_id => 'c2030000-0000-4000-8000-000000000014') $$,
  $$ values (0.4000, '{names_differ,same_phone}'::text[]) $$,
  'the owner asking for Helen Hill''s pairs gets Harry Hill with the same lowered score');

-- ============================================================================================
-- Other owner
-- ============================================================================================
select tests.authenticate_as('fold_other_owner');
select is_empty($$ select 1 from public.find_duplicate_contacts(min_score => 0) $$,
  'another owner, holding a Jose Garcia of Acme and an Oscar Ortiz at info@, gets no pair with the owner''s contacts');

-- ============================================================================================
-- Service
-- ============================================================================================
select tests.authenticate_as_service_role();
select results_eq(
  $$ select score, reasons from public.find_duplicate_contacts(owner_id => tests.get_supabase_uid('fold_owner'), min_score => 0, result_limit => 200)
     where (survivor_id, duplicate_id) = ('c2030000-0000-4000-8000-000000000007', 'c2030000-0000-4000-8000-000000000008') $$,
  $$ values (0.6700, '{names_differ,same_email,same_phone}'::text[]) $$,
  'the service naming the owner gets Nina Nash and Oscar Ortiz with the same lowered score');
select is(
  (select count(*)::integer from public.find_duplicate_contacts(owner_id => tests.get_supabase_uid('fold_other_owner'), min_score => 0)), 0,
  'the service naming the other owner gets no pair');

select * from finish();
rollback;
