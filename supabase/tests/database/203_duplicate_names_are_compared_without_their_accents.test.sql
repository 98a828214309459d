-- find_duplicate_contacts (20251020000092): names are compared with case and accents folded, so
-- 'José García' and 'Jose Garcia', 'Ertuğrul Doğan' and 'Ertugrul Dogan', 'Nguyễn Thị Hương' and
-- 'Nguyen Thi Huong' of one organization are pairs scored as one name, and 'Müller' meets both
-- 'Muller' and 'Mueller'; two ASCII names ('Michael', 'Michal') compare as before; a namesake of
-- another organization and another owner's contacts are never paired.
begin;
select plan(10);

-- ============================================================================================
-- Setup (superuser). All contacts are created in this transaction (same created_at), so the
-- suggested survivor of a pair is the smaller id.
-- ============================================================================================
select tests.create_supabase_user('fold_owner');
select tests.create_supabase_user('fold_other_owner');

insert into public.contacts (id, user_id, display_name, organization) values
  ('c2030000-0000-4000-8000-000000000001', tests.get_supabase_uid('fold_owner'), 'José García', 'Acme'),
  ('c2030000-0000-4000-8000-000000000002', tests.get_supabase_uid('fold_owner'), 'Jose Garcia', 'Acme'),
  ('c2030000-0000-4000-8000-000000000003', tests.get_supabase_uid('fold_owner'), 'Katharina Müller', 'Acme'),
  ('c2030000-0000-4000-8000-000000000004', tests.get_supabase_uid('fold_owner'), 'Katharina Mueller', 'Acme'),
  ('c2030000-0000-4000-8000-000000000005', tests.get_supabase_uid('fold_owner'), 'Katharina Muller', 'Acme'),
  ('c2030000-0000-4000-8000-000000000006', tests.get_supabase_uid('fold_owner'), 'Ertuğrul Doğan', 'Acme'),
  ('c2030000-0000-4000-8000-000000000007', tests.get_supabase_uid('fold_owner'), 'Ertugrul Dogan', 'Acme'),
  ('c2030000-0000-4000-8000-000000000008', tests.get_supabase_uid('fold_owner'), 'Nguyễn Thị Hương', 'Acme'),
  ('c2030000-0000-4000-8000-000000000009', tests.get_supabase_uid('fold_owner'), 'Nguyen Thi Huong', 'Acme'),
  ('c2030000-0000-4000-8000-000000000010', tests.get_supabase_uid('fold_owner'), 'Michael Smith', 'Acme'),
  ('c2030000-0000-4000-8000-000000000011', tests.get_supabase_uid('fold_owner'), 'Michal Smith', 'Acme'),
  ('c2030000-0000-4000-8000-000000000018', tests.get_supabase_uid('fold_owner'), 'José García', 'Globex'),
  ('c2030000-0000-4000-8000-000000000091', tests.get_supabase_uid('fold_other_owner'), 'Jose Garcia', 'Acme');

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
select results_eq(
  $$ select score from pg_temp.pair(3, 4) union all select score from pg_temp.pair(3, 5) $$,
  $$ values (0.6000), (0.6000) $$,
  'the owner gets Katharina Müller paired with Katharina Mueller and with Katharina Muller, each scored as the same name');
select results_eq($$ select score from pg_temp.pair(6, 7) $$, $$ values (0.6000) $$,
  'the owner gets Ertuğrul Doğan and Ertugrul Dogan (ğ, a letter with a breve) scored as the same name');
select results_eq($$ select score from pg_temp.pair(8, 9) $$, $$ values (0.6000) $$,
  'the owner gets Nguyễn Thị Hương and Nguyen Thi Huong (letters with two marks) scored as the same name');
select results_eq($$ select score from pg_temp.pair(10, 11) $$,
  $$ select round((0.6 * extensions.similarity('michael smith', 'michal smith'))::numeric, 4) $$,
  'the owner gets Michael Smith and Michal Smith, two ASCII names, scored by their similarity as before, not as one name');
select is_empty(
  $$ select 1 from owner_pairs where 'c2030000-0000-4000-8000-000000000018' in (survivor_id, duplicate_id) $$,
  'the owner gets no pair for a José García of another organization');
select is_empty(
  $$ select 1 from owner_pairs where 'c2030000-0000-4000-8000-000000000091' in (survivor_id, duplicate_id) $$,
  'the owner never gets another owner''s Jose Garcia in a pair');

-- ============================================================================================
-- Other owner
-- ============================================================================================
select tests.authenticate_as('fold_other_owner');
select is_empty($$ select 1 from public.find_duplicate_contacts(min_score => 0) $$,
  'another owner, holding a Jose Garcia of Acme, gets no pair with the owner''s contacts');

-- ============================================================================================
-- Service
-- ============================================================================================
select tests.authenticate_as_service_role();
select results_eq(
  $$ select score, reasons from public.find_duplicate_contacts(owner_id => tests.get_supabase_uid('fold_owner'), min_score => 0, result_limit => 200)
     where (survivor_id, duplicate_id) = ('c2030000-0000-4000-8000-000000000006', 'c2030000-0000-4000-8000-000000000007') $$,
  $$ values (0.6000, '{similar_name}'::text[]) $$,
  'the service naming the owner gets Ertuğrul Doğan and Ertugrul Dogan scored alike');
select is(
  (select count(*)::integer from public.find_duplicate_contacts(owner_id => tests.get_supabase_uid('fold_other_owner'), min_score => 0)), 0,
  'the service naming the other owner gets no pair');

select * from finish();
rollback;
