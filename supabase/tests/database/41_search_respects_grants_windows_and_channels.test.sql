begin;
select plan(37);

-- search_contacts_for_agent returns only what the agent's grants allow: all contacts, specific
-- contacts, a group (static, nested, smart); only inside the grant's window; only the channel types
-- the grant allows. Who may search as which agent: the owner, that agent's own token, the service.

-- ============================================================================================
-- Setup (superuser). Every contact's name starts with "Grantee", so the query 'grantee' matches
-- them all and the grants alone decide what comes back.
-- ============================================================================================
select tests.create_supabase_user('grants_owner');
select tests.create_supabase_user('grants_other_owner');

insert into public.contacts (id, user_id, display_name, tags) values
  ('c0410000-0000-4000-8000-000000000001', tests.get_supabase_uid('grants_owner'), 'Grantee Specific', '{}'),
  ('c0410000-0000-4000-8000-000000000002', tests.get_supabase_uid('grants_owner'), 'Grantee Static', '{}'),
  ('c0410000-0000-4000-8000-000000000003', tests.get_supabase_uid('grants_owner'), 'Grantee Nested', '{}'),
  ('c0410000-0000-4000-8000-000000000004', tests.get_supabase_uid('grants_owner'), 'Grantee Smart', '{vip}'),
  ('c0410000-0000-4000-8000-000000000005', tests.get_supabase_uid('grants_owner'), 'Grantee Plain', '{}'),
  ('c0410000-0000-4000-8000-000000000099', tests.get_supabase_uid('grants_other_owner'), 'Grantee Foreign', '{vip}');

insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('grants_owner'), 'c0410000-0000-4000-8000-000000000001', 'email', 'specific@example.com'),
  (tests.get_supabase_uid('grants_owner'), 'c0410000-0000-4000-8000-000000000001', 'phone', '+14155550001'),
  (tests.get_supabase_uid('grants_owner'), 'c0410000-0000-4000-8000-000000000002', 'phone', '+14155550002'),
  (tests.get_supabase_uid('grants_owner'), 'c0410000-0000-4000-8000-000000000003', 'email', 'nested@example.com'),
  (tests.get_supabase_uid('grants_owner'), 'c0410000-0000-4000-8000-000000000004', 'whatsapp', '+14155550004'),
  (tests.get_supabase_uid('grants_other_owner'), 'c0410000-0000-4000-8000-000000000099', 'email', 'foreign@example.com');

-- Groups: a static group; a parent whose only member sits in its static subgroup; a smart group.
insert into public.contact_groups (id, user_id, name, group_type, criteria, parent_group_id) values
  ('60410000-0000-4000-8000-000000000001', tests.get_supabase_uid('grants_owner'), 'Static', 'static', null, null),
  ('60410000-0000-4000-8000-000000000002', tests.get_supabase_uid('grants_owner'), 'Parent', 'static', null, null),
  ('60410000-0000-4000-8000-000000000003', tests.get_supabase_uid('grants_owner'), 'Child', 'static', null, '60410000-0000-4000-8000-000000000002'),
  ('60410000-0000-4000-8000-000000000004', tests.get_supabase_uid('grants_owner'), 'VIP', 'smart',
    '{"rules": [{"field": "tags", "op": "contains", "value": "vip"}]}', null);
insert into public.contact_group_memberships (user_id, group_id, contact_id) values
  (tests.get_supabase_uid('grants_owner'), '60410000-0000-4000-8000-000000000001', 'c0410000-0000-4000-8000-000000000002'),
  (tests.get_supabase_uid('grants_owner'), '60410000-0000-4000-8000-000000000003', 'c0410000-0000-4000-8000-000000000003');

insert into public.agents (id, user_id, name, is_active) values
  ('a0410000-0000-4000-8000-000000000001', tests.get_supabase_uid('grants_owner'), 'all contacts', true),
  ('a0410000-0000-4000-8000-000000000002', tests.get_supabase_uid('grants_owner'), 'specific contacts', true),
  ('a0410000-0000-4000-8000-000000000003', tests.get_supabase_uid('grants_owner'), 'static group', true),
  ('a0410000-0000-4000-8000-000000000004', tests.get_supabase_uid('grants_owner'), 'nested group', true),
  ('a0410000-0000-4000-8000-000000000005', tests.get_supabase_uid('grants_owner'), 'smart group', true),
  ('a0410000-0000-4000-8000-000000000006', tests.get_supabase_uid('grants_owner'), 'expired', true),
  ('a0410000-0000-4000-8000-000000000007', tests.get_supabase_uid('grants_owner'), 'not yet', true),
  ('a0410000-0000-4000-8000-000000000008', tests.get_supabase_uid('grants_owner'), 'email only', true),
  ('a0410000-0000-4000-8000-000000000009', tests.get_supabase_uid('grants_owner'), 'inactive', false),
  ('a0410000-0000-4000-8000-000000000010', tests.get_supabase_uid('grants_owner'), 'ended just now', true),
  ('a0410000-0000-4000-8000-000000000011', tests.get_supabase_uid('grants_owner'), 'started just now', true),
  ('a0410000-0000-4000-8000-000000000099', tests.get_supabase_uid('grants_other_owner'), 'foreign', true);

insert into public.agent_contact_permissions
  (id, user_id, agent_id, permission_type, group_id, allowed_channel_types, valid_from, valid_until) values
  ('70410000-0000-4000-8000-000000000001', tests.get_supabase_uid('grants_owner'), 'a0410000-0000-4000-8000-000000000001', 'all_contacts', null, null, now(), null),
  ('70410000-0000-4000-8000-000000000002', tests.get_supabase_uid('grants_owner'), 'a0410000-0000-4000-8000-000000000002', 'specific_contacts', null, null, now(), null),
  ('70410000-0000-4000-8000-000000000003', tests.get_supabase_uid('grants_owner'), 'a0410000-0000-4000-8000-000000000003', 'group', '60410000-0000-4000-8000-000000000001', null, now(), null),
  ('70410000-0000-4000-8000-000000000004', tests.get_supabase_uid('grants_owner'), 'a0410000-0000-4000-8000-000000000004', 'group', '60410000-0000-4000-8000-000000000002', null, now(), null),
  ('70410000-0000-4000-8000-000000000005', tests.get_supabase_uid('grants_owner'), 'a0410000-0000-4000-8000-000000000005', 'group', '60410000-0000-4000-8000-000000000004', null, now(), null),
  ('70410000-0000-4000-8000-000000000006', tests.get_supabase_uid('grants_owner'), 'a0410000-0000-4000-8000-000000000006', 'all_contacts', null, null, now() - interval '10 days', now() - interval '1 day'),
  ('70410000-0000-4000-8000-000000000007', tests.get_supabase_uid('grants_owner'), 'a0410000-0000-4000-8000-000000000007', 'all_contacts', null, null, now() + interval '1 day', null),
  ('70410000-0000-4000-8000-000000000008', tests.get_supabase_uid('grants_owner'), 'a0410000-0000-4000-8000-000000000008', 'all_contacts', null, '{email}', now(), null),
  ('70410000-0000-4000-8000-000000000009', tests.get_supabase_uid('grants_owner'), 'a0410000-0000-4000-8000-000000000009', 'all_contacts', null, null, now(), null),
  ('70410000-0000-4000-8000-000000000010', tests.get_supabase_uid('grants_owner'), 'a0410000-0000-4000-8000-000000000010', 'all_contacts', null, null, now() - interval '1 day', now()),
  ('70410000-0000-4000-8000-000000000011', tests.get_supabase_uid('grants_owner'), 'a0410000-0000-4000-8000-000000000011', 'all_contacts', null, null, now(), now() + interval '1 day'),
  ('70410000-0000-4000-8000-000000000099', tests.get_supabase_uid('grants_other_owner'), 'a0410000-0000-4000-8000-000000000099', 'all_contacts', null, null, now(), null);
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('grants_owner'), '70410000-0000-4000-8000-000000000002', 'a0410000-0000-4000-8000-000000000002', 'c0410000-0000-4000-8000-000000000001');

-- ============================================================================================
-- Owner: each kind of grant
-- ============================================================================================
select tests.authenticate_as('grants_owner');

select set_eq(
  $$ select contact_id from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000001', 'grantee') $$,
  $$ values ('c0410000-0000-4000-8000-000000000001'::uuid), ('c0410000-0000-4000-8000-000000000002'::uuid),
            ('c0410000-0000-4000-8000-000000000003'::uuid), ('c0410000-0000-4000-8000-000000000004'::uuid),
            ('c0410000-0000-4000-8000-000000000005'::uuid) $$,
  'an all_contacts grant finds every one of the owner''s matching contacts and none of another owner''s'
);

select set_eq(
  $$ select contact_id from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000002', 'grantee') $$,
  $$ values ('c0410000-0000-4000-8000-000000000001'::uuid) $$,
  'a specific_contacts grant finds only the listed contact'
);

select set_eq(
  $$ select contact_id from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000003', 'grantee') $$,
  $$ values ('c0410000-0000-4000-8000-000000000002'::uuid) $$,
  'a grant on a static group finds only its member'
);

select set_eq(
  $$ select contact_id from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000004', 'grantee') $$,
  $$ values ('c0410000-0000-4000-8000-000000000003'::uuid) $$,
  'a grant on a parent group finds the member of its nested subgroup'
);

select set_eq(
  $$ select contact_id from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000005', 'grantee') $$,
  $$ values ('c0410000-0000-4000-8000-000000000004'::uuid) $$,
  'a grant on a smart group finds the owner''s contacts matching its criteria, not another owner''s'
);

select set_eq(
  $$ select contact_id from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000001', 'grantee',
       group_id => '60410000-0000-4000-8000-000000000002') $$,
  $$ values ('c0410000-0000-4000-8000-000000000003'::uuid) $$,
  'the group_id filter narrows an all_contacts search to the group and its subgroups'
);

-- ============================================================================================
-- Owner: validity windows
-- ============================================================================================
select is_empty(
  $$ select 1 from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000006', 'grantee') $$,
  'a grant whose valid_until is in the past gives nothing'
);

select is_empty(
  $$ select 1 from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000007', 'grantee') $$,
  'a grant whose valid_from is in the future gives nothing'
);

select is_empty(
  $$ select 1 from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000010', 'grantee') $$,
  'a grant whose valid_until is now has ended (the end is exclusive)'
);

select results_eq(
  $$ select count(*) from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000011', 'grantee') $$,
  $$ values (5::bigint) $$,
  'a grant whose valid_from is now has started (the start is inclusive)'
);

-- ============================================================================================
-- Owner: allowed channel types and the channel_types filter
-- ============================================================================================
select results_eq(
  $$ select array(select e ->> 'channel_type' from jsonb_array_elements(channels) as e)
     from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000001', 'grantee specific')
     where contact_id = 'c0410000-0000-4000-8000-000000000001' $$,
  $$ values (array['email', 'phone']) $$,
  'a grant without channel restriction returns all of a contact''s channels'
);

select results_eq(
  $$ select array(select e ->> 'channel_type' from jsonb_array_elements(channels) as e)
     from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000008', 'grantee specific')
     where contact_id = 'c0410000-0000-4000-8000-000000000001' $$,
  $$ values (array['email']) $$,
  'an e-mail-only grant returns the contact with its e-mail and without its phone'
);

select is_empty(
  $$ select 1 from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000008', 'grantee') as s,
       jsonb_array_elements(s.channels) as e
     where e ->> 'channel_type' <> 'email' $$,
  'an e-mail-only grant never returns a phone or WhatsApp channel'
);

select is_empty(
  $$ select 1 from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000008', 'grantee', channel_types => '{phone}') $$,
  'filtering an e-mail-only agent''s search by phone finds nothing, though contacts have phones'
);

select set_eq(
  $$ select contact_id from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000008', 'grantee', channel_types => '{email}') $$,
  $$ values ('c0410000-0000-4000-8000-000000000001'::uuid), ('c0410000-0000-4000-8000-000000000003'::uuid) $$,
  'filtering by e-mail finds the contacts that have an e-mail address'
);

select set_eq(
  $$ select contact_id, array(select e ->> 'channel_type' from jsonb_array_elements(channels) as e)
     from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000001', 'grantee', channel_types => '{phone,whatsapp}') $$,
  $$ values ('c0410000-0000-4000-8000-000000000001'::uuid, array['phone']),
            ('c0410000-0000-4000-8000-000000000002'::uuid, array['phone']),
            ('c0410000-0000-4000-8000-000000000004'::uuid, array['whatsapp']) $$,
  'the channel_types filter keeps contacts with such a channel and returns only channels of those types'
);

select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000008', 'specific@example.com') $$,
  $$ values ('c0410000-0000-4000-8000-000000000001'::uuid, 'exact_identifier') $$,
  'an e-mail-only agent finds a contact by an e-mail address it may see'
);

select is_empty(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000008', '+14155550001') $$,
  'an e-mail-only agent cannot find a contact by a phone number it may not see (no confirming hidden identifiers)'
);

select is_empty(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000008', '(415) 555-0001') $$,
  'an e-mail-only agent cannot find a contact by the national form of a phone number it may not see'
);

-- ============================================================================================
-- Owner: agents that cannot be searched as
-- ============================================================================================
select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000009', 'grantee') $$,
  'P0002', 'agent not found',
  'an inactive agent is not found, whatever its grants say'
);

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000099', 'grantee') $$,
  'P0002', 'agent not found',
  'another owner''s agent id is answered as not found, exactly like a missing one'
);

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0410000-0000-4000-8000-0000000000ff', 'grantee') $$,
  'P0002', 'agent not found',
  'an agent id that does not exist is not found'
);

-- ============================================================================================
-- Agent token (the owner's JWT with agent_id = "specific contacts")
-- ============================================================================================
select tests.authenticate_as_agent('grants_owner', 'a0410000-0000-4000-8000-000000000002');

select set_eq(
  $$ select contact_id from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000002', 'grantee') $$,
  $$ values ('c0410000-0000-4000-8000-000000000001'::uuid) $$,
  'an agent token searching as its own agent finds what its grant allows'
);

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000001', 'grantee') $$,
  'P0002', 'agent not found',
  'an agent token cannot search as another agent of the same owner'
);

-- Agent token (the owner's JWT with agent_id = "email only")
select tests.authenticate_as_agent('grants_owner', 'a0410000-0000-4000-8000-000000000008');

select results_eq(
  $$ select array(select e ->> 'channel_type' from jsonb_array_elements(channels) as e)
     from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000008', 'grantee specific')
     where contact_id = 'c0410000-0000-4000-8000-000000000001' $$,
  $$ values (array['email']) $$,
  'an e-mail-only agent''s own token also sees only e-mail channels'
);

-- Agent token naming another owner's agent
select tests.authenticate_as_agent('grants_owner', 'a0410000-0000-4000-8000-000000000099');

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000099', 'grantee') $$,
  'P0002', 'agent not found',
  'a token whose agent_id claim names another owner''s agent finds nothing'
);

-- A token whose agent_id claim is not a uuid fails closed
select tests.authenticate_as('grants_owner', '{"agent_id": "not-a-uuid"}');

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000001', 'grantee') $$,
  '42501', 'the agent_id claim of this token is not a uuid',
  'a token with a malformed agent_id claim is refused rather than treated as the owner'
);

-- ============================================================================================
-- Other owner
-- ============================================================================================
select tests.authenticate_as('grants_other_owner');

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000001', 'grantee') $$,
  'P0002', 'agent not found',
  'the other owner cannot search through the first owner''s agent'
);

select set_eq(
  $$ select contact_id from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000099', 'grantee') $$,
  $$ values ('c0410000-0000-4000-8000-000000000099'::uuid) $$,
  'the other owner''s all_contacts agent finds only that owner''s contacts'
);

-- ============================================================================================
-- service_role
-- ============================================================================================
select tests.authenticate_as_service_role();

select set_eq(
  $$ select contact_id from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000002', 'grantee') $$,
  $$ values ('c0410000-0000-4000-8000-000000000001'::uuid) $$,
  'the service role can search as any agent, within that agent''s grants'
);

select set_eq(
  $$ select contact_id from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000099', 'grantee') $$,
  $$ values ('c0410000-0000-4000-8000-000000000099'::uuid) $$,
  'the service role searching as the other owner''s agent gets only that owner''s contacts'
);

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000009', 'grantee') $$,
  'P0002', 'agent not found',
  'the service role cannot search as an inactive agent either'
);

-- ============================================================================================
-- Superuser: every successful search above is in the access log, by caller, without the query text
-- ============================================================================================
reset role;

select results_eq(
  $$ select caller, count(*) from public.agent_contact_access_log
     where agent_id = 'a0410000-0000-4000-8000-000000000002' group by caller order by caller $$,
  $$ values ('agent', 1::bigint), ('owner', 1::bigint), ('service', 1::bigint) $$,
  'searches as the specific-contacts agent are logged once each, as owner, agent and service calls');

select results_eq(
  $$ select query_hmac, result_count from public.agent_contact_access_log
     where agent_id = 'a0410000-0000-4000-8000-000000000002' and caller = 'agent' $$,
  $$ select private.owner_hmac(a.user_id, 'grantee'), 1 from public.agents a where a.id = 'a0410000-0000-4000-8000-000000000002' $$,
  'the log keeps the owner-keyed hash of the normalized query and the number of results, not the query');

select is_empty(
  $$ select 1 from public.agent_contact_access_log
     where agent_id = 'a0410000-0000-4000-8000-000000000002' and query_hmac = encode(extensions.digest('grantee', 'sha256'), 'hex') $$,
  'the logged hash is keyed: it is not the plain SHA-256 of the query, which anyone could recompute');

select is_empty(
  $$ select 1 from public.agent_contact_access_log where agent_id = 'a0410000-0000-4000-8000-000000000009' $$,
  'refused searches as the inactive agent leave no log row');

-- ============================================================================================
-- anon
-- ============================================================================================
select tests.clear_authentication();

select throws_ok(
  $$ select * from public.search_contacts_for_agent('a0410000-0000-4000-8000-000000000001', 'grantee') $$,
  '42501', 'permission denied for function search_contacts_for_agent',
  'anon cannot execute search_contacts_for_agent'
);

select * from finish();
rollback;
