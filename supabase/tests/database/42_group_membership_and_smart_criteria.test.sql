begin;
select plan(46);

-- public.contact_group_member_ids: static members, every smart-group operator, nested subgroups,
-- under the caller's RLS and never across owners. private.agent_can_access_contact: levels
-- (read < message < write), channel types, windows and agent state.

-- ============================================================================================
-- Setup (superuser)
--   Alice: active, Acme Corp, Engineer, manual, EXT-1, tags {vip,beta}, tier Gold, region EU, e-mail
--   Bob:   active, Beta Ltd, no title, import, tags {}, tier silver, phone
--   Carol: archived, no organization, Engineering Manager, api, tags {beta}, no channel
--   Foreign (other owner): archived, Acme Corp, Engineer, EXT-1, tags {vip,beta}, tier gold, phone
-- ============================================================================================
select tests.create_supabase_user('groups_owner');
select tests.create_supabase_user('groups_other_owner');

insert into public.contacts
  (id, user_id, display_name, first_name, last_name, organization, job_title, status, source, external_id, tags, metadata) values
  ('c0420000-0000-4000-8000-000000000001', tests.get_supabase_uid('groups_owner'), 'Alice Archer', 'Alice', 'Archer',
    'Acme Corp', 'Engineer', 'active', 'manual', 'EXT-1', '{vip,beta}', '{"tier": "Gold", "region": "EU"}'),
  ('c0420000-0000-4000-8000-000000000002', tests.get_supabase_uid('groups_owner'), 'Bob Baker', 'Bob', 'Baker',
    'Beta Ltd', null, 'active', 'import', null, '{}', '{"tier": "silver"}'),
  ('c0420000-0000-4000-8000-000000000003', tests.get_supabase_uid('groups_owner'), 'Carol Cooper', 'Carol', null,
    null, 'Engineering Manager', 'archived', 'api', null, '{beta}', '{}'),
  ('c0420000-0000-4000-8000-000000000099', tests.get_supabase_uid('groups_other_owner'), 'Alice Foreign', 'Alice', 'Foreign',
    'Acme Corp', 'Engineer', 'archived', 'manual', 'EXT-1', '{vip,beta}', '{"tier": "gold"}');

insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('groups_owner'), 'c0420000-0000-4000-8000-000000000001', 'email', 'alice@example.com'),
  (tests.get_supabase_uid('groups_owner'), 'c0420000-0000-4000-8000-000000000002', 'phone', '+14155550102'),
  (tests.get_supabase_uid('groups_other_owner'), 'c0420000-0000-4000-8000-000000000099', 'phone', '+14155550199');

-- Smart groups, one per operator (ids 6042...01xx), and a static hierarchy Team > Subteam > Deep.
insert into public.contact_groups (id, user_id, name, group_type, criteria) values
  ('60420000-0000-4000-8000-000000000101', tests.get_supabase_uid('groups_owner'), 'equals', 'smart',
    '{"rules": [{"field": "display_name", "op": "equals", "value": "ALICE archer"}]}'),
  ('60420000-0000-4000-8000-000000000102', tests.get_supabase_uid('groups_owner'), 'not_equals', 'smart',
    '{"rules": [{"field": "organization", "op": "not_equals", "value": "acme corp"}]}'),
  ('60420000-0000-4000-8000-000000000103', tests.get_supabase_uid('groups_owner'), 'contains', 'smart',
    '{"rules": [{"field": "job_title", "op": "contains", "value": "engineer"}]}'),
  ('60420000-0000-4000-8000-000000000104', tests.get_supabase_uid('groups_owner'), 'starts_with', 'smart',
    '{"rules": [{"field": "last_name", "op": "starts_with", "value": "Ba"}]}'),
  ('60420000-0000-4000-8000-000000000105', tests.get_supabase_uid('groups_owner'), 'in', 'smart',
    '{"rules": [{"field": "source", "op": "in", "value": ["import", "API"]}]}'),
  ('60420000-0000-4000-8000-000000000106', tests.get_supabase_uid('groups_owner'), 'is_empty', 'smart',
    '{"rules": [{"field": "organization", "op": "is_empty"}]}'),
  ('60420000-0000-4000-8000-000000000107', tests.get_supabase_uid('groups_owner'), 'not_empty', 'smart',
    '{"rules": [{"field": "job_title", "op": "not_empty"}]}'),
  ('60420000-0000-4000-8000-000000000108', tests.get_supabase_uid('groups_owner'), 'tags contains', 'smart',
    '{"rules": [{"field": "tags", "op": "contains", "value": "beta"}]}'),
  ('60420000-0000-4000-8000-000000000109', tests.get_supabase_uid('groups_owner'), 'tags is_empty', 'smart',
    '{"rules": [{"field": "tags", "op": "is_empty"}]}'),
  ('60420000-0000-4000-8000-000000000110', tests.get_supabase_uid('groups_owner'), 'tags not_empty', 'smart',
    '{"rules": [{"field": "tags", "op": "not_empty"}]}'),
  ('60420000-0000-4000-8000-000000000111', tests.get_supabase_uid('groups_owner'), 'channel_type has', 'smart',
    '{"rules": [{"field": "channel_type", "op": "has", "value": "phone"}]}'),
  ('60420000-0000-4000-8000-000000000112', tests.get_supabase_uid('groups_owner'), 'metadata equals', 'smart',
    '{"rules": [{"field": "metadata.tier", "op": "equals", "value": "gold"}]}'),
  ('60420000-0000-4000-8000-000000000113', tests.get_supabase_uid('groups_owner'), 'metadata is_empty', 'smart',
    '{"rules": [{"field": "metadata.region", "op": "is_empty"}]}'),
  ('60420000-0000-4000-8000-000000000114', tests.get_supabase_uid('groups_owner'), 'match any', 'smart',
    '{"match": "any", "rules": [{"field": "tags", "op": "contains", "value": "vip"}, {"field": "source", "op": "equals", "value": "api"}]}'),
  ('60420000-0000-4000-8000-000000000115', tests.get_supabase_uid('groups_owner'), 'match all', 'smart',
    '{"match": "all", "rules": [{"field": "job_title", "op": "contains", "value": "engineer"}, {"field": "status", "op": "equals", "value": "active"}]}'),
  ('60420000-0000-4000-8000-000000000116', tests.get_supabase_uid('groups_owner'), 'external_id', 'smart',
    '{"rules": [{"field": "external_id", "op": "equals", "value": "ext-1"}]}'),
  ('60420000-0000-4000-8000-000000000117', tests.get_supabase_uid('groups_owner'), 'tags contains vip', 'smart',
    '{"rules": [{"field": "tags", "op": "contains", "value": "vip"}]}'),
  ('60420000-0000-4000-8000-000000000201', tests.get_supabase_uid('groups_owner'), 'Team', 'static', null);
insert into public.contact_groups (id, user_id, name, group_type, criteria, parent_group_id) values
  ('60420000-0000-4000-8000-000000000202', tests.get_supabase_uid('groups_owner'), 'Subteam', 'static', null,
    '60420000-0000-4000-8000-000000000201'),
  ('60420000-0000-4000-8000-000000000203', tests.get_supabase_uid('groups_owner'), 'Deep', 'smart',
    '{"rules": [{"field": "status", "op": "equals", "value": "archived"}]}', '60420000-0000-4000-8000-000000000202');
insert into public.contact_group_memberships (user_id, group_id, contact_id) values
  (tests.get_supabase_uid('groups_owner'), '60420000-0000-4000-8000-000000000201', 'c0420000-0000-4000-8000-000000000001'),
  (tests.get_supabase_uid('groups_owner'), '60420000-0000-4000-8000-000000000202', 'c0420000-0000-4000-8000-000000000002');

-- Agents and grants for the access decision.
insert into public.agents (id, user_id, name, is_active) values
  ('a0420000-0000-4000-8000-000000000001', tests.get_supabase_uid('groups_owner'), 'reader', true),
  ('a0420000-0000-4000-8000-000000000002', tests.get_supabase_uid('groups_owner'), 'messenger', true),
  ('a0420000-0000-4000-8000-000000000003', tests.get_supabase_uid('groups_owner'), 'writer', true),
  ('a0420000-0000-4000-8000-000000000004', tests.get_supabase_uid('groups_owner'), 'sleeper', false),
  ('a0420000-0000-4000-8000-000000000005', tests.get_supabase_uid('groups_owner'), 'demoted', true),
  ('a0420000-0000-4000-8000-000000000099', tests.get_supabase_uid('groups_other_owner'), 'foreign writer', true);
insert into public.agent_contact_permissions
  (id, user_id, agent_id, permission_type, group_id, permission_level, allowed_channel_types, valid_from, valid_until) values
  ('70420000-0000-4000-8000-000000000001', tests.get_supabase_uid('groups_owner'), 'a0420000-0000-4000-8000-000000000001',
    'all_contacts', null, 'read', '{email}', now(), null),
  ('70420000-0000-4000-8000-000000000002', tests.get_supabase_uid('groups_owner'), 'a0420000-0000-4000-8000-000000000002',
    'specific_contacts', null, 'message', null, now(), null),
  ('70420000-0000-4000-8000-000000000003', tests.get_supabase_uid('groups_owner'), 'a0420000-0000-4000-8000-000000000003',
    'group', '60420000-0000-4000-8000-000000000201', 'write', '{email,phone}', now(), null),
  ('70420000-0000-4000-8000-000000000004', tests.get_supabase_uid('groups_owner'), 'a0420000-0000-4000-8000-000000000004',
    'all_contacts', null, 'write', null, now(), null),
  ('70420000-0000-4000-8000-000000000005', tests.get_supabase_uid('groups_owner'), 'a0420000-0000-4000-8000-000000000005',
    'all_contacts', null, 'write', null, now() - interval '30 days', now() - interval '1 day'),
  ('70420000-0000-4000-8000-000000000006', tests.get_supabase_uid('groups_owner'), 'a0420000-0000-4000-8000-000000000005',
    'all_contacts', null, 'read', null, now(), null),
  ('70420000-0000-4000-8000-000000000099', tests.get_supabase_uid('groups_other_owner'), 'a0420000-0000-4000-8000-000000000099',
    'all_contacts', null, 'write', null, now(), null);
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('groups_owner'), '70420000-0000-4000-8000-000000000002', 'a0420000-0000-4000-8000-000000000002',
    'c0420000-0000-4000-8000-000000000001');

-- ============================================================================================
-- Owner: smart-group operators (text comparisons ignore case)
-- ============================================================================================
select tests.authenticate_as('groups_owner');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000101') $$,
  $$ values ('c0420000-0000-4000-8000-000000000001'::uuid) $$,
  'equals matches the display name whatever its case');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000102') $$,
  $$ values ('c0420000-0000-4000-8000-000000000002'::uuid), ('c0420000-0000-4000-8000-000000000003'::uuid) $$,
  'not_equals matches other organizations and contacts with no organization');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000103') $$,
  $$ values ('c0420000-0000-4000-8000-000000000001'::uuid), ('c0420000-0000-4000-8000-000000000003'::uuid) $$,
  'contains matches a substring of the job title');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000104') $$,
  $$ values ('c0420000-0000-4000-8000-000000000002'::uuid) $$,
  'starts_with matches the beginning of the last name, not a null last name');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000105') $$,
  $$ values ('c0420000-0000-4000-8000-000000000002'::uuid), ('c0420000-0000-4000-8000-000000000003'::uuid) $$,
  'in matches any listed source');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000106') $$,
  $$ values ('c0420000-0000-4000-8000-000000000003'::uuid) $$,
  'is_empty matches a missing organization');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000107') $$,
  $$ values ('c0420000-0000-4000-8000-000000000001'::uuid), ('c0420000-0000-4000-8000-000000000003'::uuid) $$,
  'not_empty matches contacts that have a job title');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000108') $$,
  $$ values ('c0420000-0000-4000-8000-000000000001'::uuid), ('c0420000-0000-4000-8000-000000000003'::uuid) $$,
  'tags contains matches contacts carrying the tag');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000109') $$,
  $$ values ('c0420000-0000-4000-8000-000000000002'::uuid) $$,
  'tags is_empty matches contacts without tags');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000110') $$,
  $$ values ('c0420000-0000-4000-8000-000000000001'::uuid), ('c0420000-0000-4000-8000-000000000003'::uuid) $$,
  'tags not_empty matches contacts with at least one tag');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000111') $$,
  $$ values ('c0420000-0000-4000-8000-000000000002'::uuid) $$,
  'channel_type has matches contacts with a channel of that type');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000112') $$,
  $$ values ('c0420000-0000-4000-8000-000000000001'::uuid) $$,
  'metadata.<key> equals compares the custom field, ignoring case');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000113') $$,
  $$ values ('c0420000-0000-4000-8000-000000000002'::uuid), ('c0420000-0000-4000-8000-000000000003'::uuid) $$,
  'metadata.<key> is_empty matches contacts without that custom field');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000114') $$,
  $$ values ('c0420000-0000-4000-8000-000000000001'::uuid), ('c0420000-0000-4000-8000-000000000003'::uuid) $$,
  'match any takes contacts satisfying at least one rule');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000115') $$,
  $$ values ('c0420000-0000-4000-8000-000000000001'::uuid) $$,
  'match all takes only contacts satisfying every rule');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000116') $$,
  $$ values ('c0420000-0000-4000-8000-000000000001'::uuid) $$,
  'equals on external_id matches the owner''s contact only');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000117') $$,
  $$ values ('c0420000-0000-4000-8000-000000000001'::uuid) $$,
  'the owner''s smart group never includes another owner''s contact that matches its criteria');

-- ============================================================================================
-- Owner: static groups and nesting
-- ============================================================================================
select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000201') $$,
  $$ values ('c0420000-0000-4000-8000-000000000001'::uuid), ('c0420000-0000-4000-8000-000000000002'::uuid),
            ('c0420000-0000-4000-8000-000000000003'::uuid) $$,
  'a group''s members include those of its static subgroup and of its smart sub-subgroup');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000201', include_subgroups => false) $$,
  $$ values ('c0420000-0000-4000-8000-000000000001'::uuid) $$,
  'without subgroups, a static group has only its own members');

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000202') $$,
  $$ values ('c0420000-0000-4000-8000-000000000002'::uuid), ('c0420000-0000-4000-8000-000000000003'::uuid) $$,
  'a subgroup''s members do not include its parent''s');

select is_empty($$ select public.contact_group_member_ids('60420000-0000-4000-8000-0000000002ff') $$,
  'a group id that does not exist has no members');

-- ============================================================================================
-- Other owner and agent token: RLS hides the groups
-- ============================================================================================
select tests.authenticate_as('groups_other_owner');

select is_empty($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000201') $$,
  'another owner gets no members of the first owner''s static group');

select is_empty($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000117') $$,
  'another owner gets no members of the first owner''s smart group, not even their own matching contacts');

select tests.authenticate_as_agent('groups_owner', 'a0420000-0000-4000-8000-000000000003');

select is_empty($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000201') $$,
  'an agent token cannot list group members (groups are the owner''s)');

-- ============================================================================================
-- service_role: bypasses RLS, so the function itself must keep to the group's owner
-- ============================================================================================
select tests.authenticate_as_service_role();

select set_eq($$ select public.contact_group_member_ids('60420000-0000-4000-8000-000000000117') $$,
  $$ values ('c0420000-0000-4000-8000-000000000001'::uuid) $$,
  'for the service role, a smart group''s members are its owner''s matching contacts only');

select is_empty(
  $$ select 1 from public.contact_group_member_ids('60420000-0000-4000-8000-000000000201') as m (contact_id)
     join public.contacts c on c.id = m.contact_id
     where c.user_id <> tests.get_supabase_uid('groups_owner') $$,
  'for the service role, a nested group yields no contact of another owner');

-- ============================================================================================
-- Superuser: private.agent_can_access_contact, the one access decision
-- ============================================================================================
reset role;

select results_eq(
  $$ select private.permission_level_rank(l) from unnest(array['read', 'message', 'write', 'admin']) as l $$,
  $$ values (1), (2), (3), (null::integer) $$,
  'permission levels rank read < message < write; an unknown level has no rank');

select ok(private.agent_can_access_contact('a0420000-0000-4000-8000-000000000001', 'c0420000-0000-4000-8000-000000000002'),
  'a read grant lets the agent read (read is the default level)');
select ok(not private.agent_can_access_contact('a0420000-0000-4000-8000-000000000001', 'c0420000-0000-4000-8000-000000000002', 'message'),
  'a read grant does not let the agent message');
select ok(not private.agent_can_access_contact('a0420000-0000-4000-8000-000000000001', 'c0420000-0000-4000-8000-000000000002', 'write'),
  'a read grant does not let the agent write');
select ok(private.agent_can_access_contact('a0420000-0000-4000-8000-000000000001', 'c0420000-0000-4000-8000-000000000001', 'read', 'email'),
  'an e-mail-only grant allows the e-mail channel');
select ok(not private.agent_can_access_contact('a0420000-0000-4000-8000-000000000001', 'c0420000-0000-4000-8000-000000000002', 'read', 'phone'),
  'an e-mail-only grant does not allow the phone channel');

select ok(private.agent_can_access_contact('a0420000-0000-4000-8000-000000000002', 'c0420000-0000-4000-8000-000000000001', 'read'),
  'a message grant includes read');
select ok(private.agent_can_access_contact('a0420000-0000-4000-8000-000000000002', 'c0420000-0000-4000-8000-000000000001', 'message'),
  'a message grant allows message');
select ok(not private.agent_can_access_contact('a0420000-0000-4000-8000-000000000002', 'c0420000-0000-4000-8000-000000000001', 'write'),
  'a message grant does not allow write');
select ok(not private.agent_can_access_contact('a0420000-0000-4000-8000-000000000002', 'c0420000-0000-4000-8000-000000000002', 'read'),
  'a specific_contacts grant does not reach a contact it does not list');

select ok(private.agent_can_access_contact('a0420000-0000-4000-8000-000000000003', 'c0420000-0000-4000-8000-000000000003', 'write'),
  'a write grant on a group reaches a member of its nested smart subgroup');
select ok(private.agent_can_access_contact('a0420000-0000-4000-8000-000000000003', 'c0420000-0000-4000-8000-000000000002', 'message', 'phone'),
  'a write grant includes message, on an allowed channel type');
select ok(not private.agent_can_access_contact('a0420000-0000-4000-8000-000000000003', 'c0420000-0000-4000-8000-000000000002', 'read', 'sms'),
  'a write grant limited to e-mail and phone does not allow SMS');
select ok(not private.agent_can_access_contact('a0420000-0000-4000-8000-000000000003', 'c0420000-0000-4000-8000-000000000001', 'admin'),
  'an unknown level is never granted');

select ok(not private.agent_can_access_contact('a0420000-0000-4000-8000-000000000004', 'c0420000-0000-4000-8000-000000000001', 'read'),
  'an inactive agent has no access despite an all_contacts write grant');

select ok(private.agent_can_access_contact('a0420000-0000-4000-8000-000000000005', 'c0420000-0000-4000-8000-000000000001', 'read'),
  'an agent with an expired write grant and a current read grant may read');
select ok(not private.agent_can_access_contact('a0420000-0000-4000-8000-000000000005', 'c0420000-0000-4000-8000-000000000001', 'write'),
  'an expired write grant no longer allows write');

select ok(not private.agent_can_access_contact('a0420000-0000-4000-8000-000000000099', 'c0420000-0000-4000-8000-000000000001', 'read'),
  'another owner''s agent with an all_contacts grant cannot reach this owner''s contact');
select ok(private.agent_can_access_contact('a0420000-0000-4000-8000-000000000099', 'c0420000-0000-4000-8000-000000000099', 'write'),
  'that agent does reach its own owner''s contact');
select ok(not private.agent_can_access_contact('a0420000-0000-4000-8000-000000000003', 'c0420000-0000-4000-8000-000000000099', 'read'),
  'a group grant never reaches another owner''s contact');

select * from finish();
rollback;
