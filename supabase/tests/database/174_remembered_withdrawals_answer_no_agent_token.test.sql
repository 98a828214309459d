-- The count of an owner's remembered withdrawals answers the owner and the service, not an agent
-- token of the owner, which may not make data subject requests (20251020000054), nor another owner.
begin;
select plan(4);

-- ============================================================================================
-- Setup (superuser): an owner's channel withdrawn, then deleted (so remembered); an agent.
-- ============================================================================================
select tests.create_supabase_user('withdrawals174_owner');
select tests.create_supabase_user('withdrawals174_stranger');
insert into public.contacts (id, user_id, display_name) values
  ('17400000-0000-4000-8000-000000000001', tests.get_supabase_uid('withdrawals174_owner'), 'Wren');
insert into public.contact_communication_channels
  (id, user_id, contact_id, channel_type, identifier, consent_status, consent_source, consent_updated_at) values
  ('17400000-0000-4000-8000-0000000000d1', tests.get_supabase_uid('withdrawals174_owner'), '17400000-0000-4000-8000-000000000001',
   'email', 'wren@example.com', 'withdrawn', 'form unsubscribe', '2025-03-01 10:00:00+00');
delete from public.contact_communication_channels where id = '17400000-0000-4000-8000-0000000000d1';
insert into public.agents (id, user_id, name) values
  ('17400000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('withdrawals174_owner'), 'Helper');
create function pg_temp.remembered(owner text) returns bigint
language sql as $$
  select private.remembered_withdrawals(tests.get_supabase_uid(remembered.owner), array['email:wren@example.com'])
$$;
grant execute on all functions in schema pg_temp to authenticated, service_role;

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('withdrawals174_owner');
select is(pg_temp.remembered('withdrawals174_owner'), 1::bigint, 'the owner counts her remembered withdrawal of the address');
reset role;

-- ============================================================================================
-- Agent tokens
-- ============================================================================================
select tests.authenticate_as_agent('withdrawals174_owner', '17400000-0000-4000-8000-0000000000a1');
select is(pg_temp.remembered('withdrawals174_owner'), 0::bigint, 'an agent token of the owner counts nothing');
reset role;

-- ============================================================================================
-- Another owner
-- ============================================================================================
select tests.authenticate_as('withdrawals174_stranger');
select is(pg_temp.remembered('withdrawals174_owner'), 0::bigint, 'another owner naming the owner counts nothing');
reset role;

-- ============================================================================================
-- Service
-- ============================================================================================
select tests.authenticate_as_service_role();
select is(pg_temp.remembered('withdrawals174_owner'), 1::bigint, 'the service counts the owner''s remembered withdrawal');
reset role;

select * from finish();
rollback;
