-- Groups: the hierarchy stays a forest (no group inside itself or its own subgroups), smart-group
-- criteria must follow the documented shape, and only static groups take hand-made memberships.
-- Behaviour a client meets is run as an authenticated owner; the self-parent insert (which needs
-- an explicit id) as superuser.
begin;
select plan(44);

-- Fixtures (superuser): Alpha > Beta > Gamma, a smart group and a contact for the owner; a group
-- and a contact for another owner.
do $$
declare
  owner_id uuid := tests.create_supabase_user('group_owner');
  rival_id uuid := tests.create_supabase_user('group_rival');
begin
  insert into public.contact_groups (id, user_id, name, group_type, criteria, parent_group_id) values
    ('31000000-0000-4000-8000-00000000000a', owner_id, 'Alpha', 'static', null, null),
    ('31000000-0000-4000-8000-00000000000b', owner_id, 'Beta', 'static', null, '31000000-0000-4000-8000-00000000000a'),
    ('31000000-0000-4000-8000-00000000000c', owner_id, 'Gamma', 'static', null, '31000000-0000-4000-8000-00000000000b'),
    ('31000000-0000-4000-8000-00000000000d', owner_id, 'VIPs', 'smart',
      '{"rules": [{"field": "tags", "op": "contains", "value": "vip"}]}', null),
    ('31000000-0000-4000-8000-0000000000ff', rival_id, 'Rival group', 'static', null, null);
  insert into public.contacts (id, user_id, first_name, last_name, tags) values
    ('31000000-0000-4000-8000-000000000001', owner_id, 'Ada', 'Lovelace', '{vip}'),
    ('31000000-0000-4000-8000-0000000000f1', rival_id, 'Charles', 'Babbage', '{}');
end
$$;

-- ============================================================================================
-- Superuser: a new group naming itself as parent
-- ============================================================================================
select throws_ok($$
  insert into public.contact_groups (id, user_id, name, parent_group_id)
  values ('31000000-0000-4000-8000-000000000099', tests.get_supabase_uid('group_owner'), 'Ouroboros', '31000000-0000-4000-8000-000000000099')
$$, '23514', 'new row for relation "contact_groups" violates check constraint "contact_groups_parent_not_self_check"',
  'a new group cannot be its own parent');

-- ============================================================================================
-- Persona: owner (group_owner) -- hierarchy
-- ============================================================================================
select tests.authenticate_as('group_owner');

select throws_ok($$ update public.contact_groups set parent_group_id = id where name = 'Alpha' $$,
  '23514', 'group "Alpha" cannot be nested inside its own subgroup',
  'an owner cannot make a group its own parent');
select throws_ok($$
  update public.contact_groups set parent_group_id = '31000000-0000-4000-8000-00000000000b' where name = 'Alpha'
$$, '23514', 'group "Alpha" cannot be nested inside its own subgroup',
  'an owner cannot nest a group inside its child (a two-group cycle)');
select throws_ok($$
  update public.contact_groups set parent_group_id = '31000000-0000-4000-8000-00000000000c' where name = 'Alpha'
$$, '23514', 'group "Alpha" cannot be nested inside its own subgroup',
  'an owner cannot nest a group inside its grandchild (a three-group cycle)');
select lives_ok($$
  update public.contact_groups set parent_group_id = '31000000-0000-4000-8000-00000000000a' where name = 'Gamma'
$$, 'an owner can move a group elsewhere in the hierarchy when no cycle results');
select results_eq($$
  select name, parent_group_id from public.contact_groups where name in ('Alpha', 'Beta', 'Gamma') order by name
$$, $$ values ('Alpha'::text, null::uuid), ('Beta', '31000000-0000-4000-8000-00000000000a'), ('Gamma', '31000000-0000-4000-8000-00000000000a') $$,
  'after the rejected cycles and the allowed move, the hierarchy is Alpha > {Beta, Gamma}');
select throws_ok($$
  insert into public.contact_groups (name, parent_group_id) values ('Stowaway', '31000000-0000-4000-8000-0000000000ff')
$$, '23503', 'insert or update on table "contact_groups" violates foreign key constraint "contact_groups_parent_fkey"',
  'an owner cannot nest a group under another owner''s group');
select throws_ok($$ insert into public.contact_groups (name) values ('Alpha') $$,
  '23505', 'duplicate key value violates unique constraint "contact_groups_user_id_name_key"',
  'an owner cannot have two groups with the same name');

-- ============================================================================================
-- Persona: owner (group_owner) -- smart-group criteria, the validator on its own
-- ============================================================================================
select is(public.is_valid_smart_group_criteria(c.criteria), c.expected, c.description)
from (values
  (1, '{"rules": [{"field": "tags", "op": "contains", "value": "vip"}]}'::jsonb, true,
      'criteria with one tag rule are valid'),
  (2, '{"match": "any", "rules": [{"field": "organization", "op": "starts_with", "value": "Acme"}, {"field": "job_title", "op": "equals", "value": "CTO"}]}', true,
      'criteria matching any of two text rules are valid'),
  (3, '{"match": "all", "rules": [{"field": "metadata.tier", "op": "in", "value": ["gold", "platinum"]}]}', true,
      'an in rule on a metadata key with a list of values is valid'),
  (4, '{"rules": [{"field": "channel_type", "op": "has", "value": "email"}]}', true,
      'a rule requiring an e-mail channel is valid'),
  (5, '{"rules": [{"field": "last_name", "op": "is_empty"}, {"field": "tags", "op": "not_empty"}]}', true,
      'is_empty and not_empty rules without a value are valid'),
  (6, null, false, 'null criteria are invalid'),
  (7, '[]', false, 'criteria that are not an object are invalid'),
  (8, '{"rules": []}', false, 'criteria without any rule are invalid'),
  (9, '{"match": "some", "rules": [{"field": "tags", "op": "is_empty"}]}', false, 'a match other than all or any is invalid'),
  (10, '{"rules": [{"field": "tags", "op": "is_empty"}], "limit": 5}', false, 'an unknown top-level key is invalid'),
  (11, '{"rules": {"field": "tags", "op": "is_empty"}}', false, 'rules that are not an array are invalid'),
  (12, '{"rules": ["tags"]}', false, 'a rule that is not an object is invalid'),
  (13, '{"rules": [{"field": "salary", "op": "equals", "value": "1"}]}', false, 'a rule on an unknown field is invalid'),
  (14, '{"rules": [{"field": "display_name", "op": "regex", "value": "^A"}]}', false, 'a rule with an unknown operator is invalid'),
  (15, '{"rules": [{"field": "display_name", "op": "equals", "value": 42}]}', false, 'a text rule with a non-string value is invalid'),
  (16, '{"rules": [{"field": "status", "op": "in", "value": []}]}', false, 'an in rule with an empty list is invalid'),
  (17, '{"rules": [{"field": "status", "op": "in", "value": "active"}]}', false, 'an in rule with a string instead of a list is invalid'),
  (18, '{"rules": [{"field": "tags", "op": "is_empty", "value": "vip"}]}', false, 'an is_empty rule carrying a value is invalid'),
  (19, '{"rules": [{"field": "channel_type", "op": "has", "value": "fax"}]}', false, 'a channel_type rule with an unknown channel type is invalid'),
  (20, '{"rules": [{"field": "metadata.shoe size", "op": "equals", "value": "42"}]}', false, 'a metadata key with a space is invalid'),
  (21, '{"rules": [{"field": "tags", "op": "contains", "value": "vip", "weight": 2}]}', false, 'a rule with an unknown key is invalid'),
  (22, jsonb_build_object('rules', (select jsonb_agg('{"field": "tags", "op": "not_empty"}'::jsonb) from generate_series(1, 51))), false,
      'criteria with more than 50 rules are invalid'),
  (23, '{"rules": [{"field": "tags", "op": "is_empty"}, {"field": "display_name", "value": "Ada"}]}', false,
      'a rule without an operator is invalid even next to a valid rule'),
  (24, '{"rules": [{"field": "tags", "op": "is_empty"}, {"field": "channel_type", "op": "has"}]}', false,
      'a channel_type rule without a value is invalid even next to a valid rule')
) as c (n, criteria, expected, description)
order by c.n;

-- ============================================================================================
-- Persona: owner (group_owner) -- criteria on the table
-- ============================================================================================
select lives_ok($$
  insert into public.contact_groups (name, group_type, criteria)
  values ('Gold customers', 'smart', '{"rules": [{"field": "metadata.tier", "op": "equals", "value": "gold"}]}')
$$, 'an owner can create a smart group with valid criteria');
select throws_ok($$ insert into public.contact_groups (name, group_type) values ('No rules', 'smart') $$,
  '23514', 'new row for relation "contact_groups" violates check constraint "contact_groups_criteria_check"',
  'an owner cannot create a smart group without criteria');
select throws_ok($$
  insert into public.contact_groups (name, group_type, criteria)
  values ('Salaries', 'smart', '{"rules": [{"field": "salary", "op": "equals", "value": "1"}]}')
$$, '23514', 'new row for relation "contact_groups" violates check constraint "contact_groups_criteria_check"',
  'an owner cannot create a smart group whose criteria name an unknown field');
select throws_ok($$
  insert into public.contact_groups (name, group_type, criteria)
  values ('Half valid', 'smart', '{"rules": [{"field": "tags", "op": "is_empty"}, {"field": "display_name", "value": "Ada"}]}')
$$, '23514', 'new row for relation "contact_groups" violates check constraint "contact_groups_criteria_check"',
  'an owner cannot hide a rule without an operator behind a valid rule');
select throws_ok($$
  insert into public.contact_groups (name, group_type, criteria)
  values ('Static with rules', 'static', '{"rules": [{"field": "tags", "op": "is_empty"}]}')
$$, '23514', 'new row for relation "contact_groups" violates check constraint "contact_groups_criteria_check"',
  'an owner cannot give a static group criteria');
select throws_ok($$
  update public.contact_groups set criteria = '{"match": "most", "rules": []}' where name = 'VIPs'
$$, '23514', 'new row for relation "contact_groups" violates check constraint "contact_groups_criteria_check"',
  'an owner cannot change a smart group''s criteria into invalid ones');
select throws_ok($$
  insert into public.contact_groups (name, group_type) values ('Dynamic', 'dynamic')
$$, '23514', 'new row for relation "contact_groups" violates check constraint "contact_groups_group_type_check"',
  'an owner cannot create a group of an unknown type');

-- ============================================================================================
-- Persona: owner (group_owner) -- memberships
-- ============================================================================================
select throws_ok($$
  insert into public.contact_group_memberships (group_id, contact_id)
  values ('31000000-0000-4000-8000-00000000000d', '31000000-0000-4000-8000-000000000001')
$$, '23514', 'members of a smart group come from its criteria and cannot be added by hand',
  'an owner cannot add a member to a smart group by hand');
select lives_ok($$
  insert into public.contact_group_memberships (group_id, contact_id)
  values ('31000000-0000-4000-8000-00000000000a', '31000000-0000-4000-8000-000000000001')
$$, 'an owner can add their contact to their static group');
select throws_ok($$
  insert into public.contact_group_memberships (group_id, contact_id)
  values ('31000000-0000-4000-8000-00000000000a', '31000000-0000-4000-8000-000000000001')
$$, '23505', 'duplicate key value violates unique constraint "contact_group_memberships_pkey"',
  'an owner cannot add the same contact to the same group twice');
select throws_ok($$
  insert into public.contact_group_memberships (group_id, contact_id)
  values ('31000000-0000-4000-8000-00000000000b', '31000000-0000-4000-8000-0000000000f1')
$$, '23503', 'insert or update on table "contact_group_memberships" violates foreign key constraint "contact_group_memberships_contact_fkey"',
  'an owner cannot add another owner''s contact to their group');
select throws_ok($$
  insert into public.contact_group_memberships (group_id, contact_id)
  values ('31000000-0000-4000-8000-0000000000ff', '31000000-0000-4000-8000-000000000001')
$$, '23503', 'insert or update on table "contact_group_memberships" violates foreign key constraint "contact_group_memberships_group_fkey"',
  'an owner cannot add their contact to another owner''s group');

select * from finish();
rollback;
