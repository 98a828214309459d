-- The owner's groups named Zenobia Quillfeather: a smart group selecting her by her name and
-- external id, a static group whose name and description name her and her address. The export
-- (20251020000047) hands her those groups and the rules naming her; erasure turns those rule values
-- into a tombstone no contact holds and her mentions into [erased], keeps the criteria valid and
-- the names unique, and leaves groups that do not name her (and other owners') alone.
begin;
select plan(17);

-- ============================================================================================
-- Setup (superuser): Zenobia is a contact of groups169_owner; the owner's and a stranger's groups.
-- ============================================================================================
select tests.create_supabase_user('groups169_owner');
select tests.create_supabase_user('groups169_stranger');
insert into public.contacts (id, user_id, first_name, last_name, external_id) values
  ('16900000-0000-4000-8000-000000000001', tests.get_supabase_uid('groups169_owner'), 'Zenobia', 'Quillfeather', 'EXT-ZQ-991');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('groups169_owner'), '16900000-0000-4000-8000-000000000001', 'email', 'zenobia.quillfeather@example.com');
insert into public.contact_groups (id, user_id, name, description, group_type, criteria) values
  ('16900000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('groups169_owner'), 'Priority', 'Hand-picked', 'smart',
   '{"match": "any", "rules": [{"field": "display_name", "op": "equals", "value": "Zenobia Quillfeather"},
     {"field": "external_id", "op": "in", "value": ["EXT-ZQ-991", "EXT-AB-100"]}, {"field": "channel_type", "op": "has", "value": "email"}]}'),
  ('16900000-0000-4000-8000-0000000000b2', tests.get_supabase_uid('groups169_owner'), 'Zenobia Quillfeather''s referrals',
   'People Zenobia Quillfeather referred; ask zenobia.quillfeather@example.com', 'static', null),
  ('16900000-0000-4000-8000-0000000000b3', tests.get_supabase_uid('groups169_owner'), '[erased]''s referrals', null, 'static', null),
  ('16900000-0000-4000-8000-0000000000b4', tests.get_supabase_uid('groups169_owner'), 'Quillfeathers', 'Everyone of that family', 'smart',
   '{"rules": [{"field": "last_name", "op": "equals", "value": "Quillfeather"}]}'),
  ('16900000-0000-4000-8000-0000000000b9', tests.get_supabase_uid('groups169_stranger'), 'Zenobia Quillfeather fans', null, 'static', null);
insert into public.agents (id, user_id, name) values ('a1690000-0000-4000-8000-000000000001', tests.get_supabase_uid('groups169_owner'), 'helper');
create temporary table answers (label text primary key, answer jsonb);
grant all on answers to service_role, authenticated;

-- ============================================================================================
-- Agent tokens and another owner: no group through the export's helper
-- ============================================================================================
select tests.authenticate_as_agent('groups169_owner', 'a1690000-0000-4000-8000-000000000001');
select is((select n from private.contact_groups_mentioning('16900000-0000-4000-8000-000000000001', tests.get_supabase_uid('groups169_owner'))), 0::bigint,
  'an agent token gets no group of its owner through the export''s helper');
select tests.authenticate_as('groups169_stranger');
select is((select n from private.contact_groups_mentioning('16900000-0000-4000-8000-000000000001', tests.get_supabase_uid('groups169_owner'))), 0::bigint,
  'another owner gets no group of the owner through the export''s helper');

-- ============================================================================================
-- Owner: exports Zenobia, then erases her
-- ============================================================================================
select tests.authenticate_as('groups169_owner');
insert into answers values ('export', public.export_subject_data(contact_id => '16900000-0000-4000-8000-000000000001')::jsonb);
select results_eq(
  $$ select e ->> 'group_id', e ->> 'name', jsonb_array_length(e -> 'rules')
     from answers, jsonb_array_elements(answer -> 'subjects' -> 0 -> 'groups_mentioning_subject') as e where label = 'export' order by 1 $$,
  $$ values ('16900000-0000-4000-8000-0000000000b1', 'Priority', 2), ('16900000-0000-4000-8000-0000000000b2', 'Zenobia Quillfeather''s referrals', 0) $$,
  'the export hands Zenobia the smart group with the two rules naming her and the group named after her, and no other');
select is((select answer -> 'counts' ->> 'groups_mentioning_subject' from answers where label = 'export'), '2',
  'the export counts those two groups');
insert into answers values ('erase', public.gdpr_delete_subject(contact_id => '16900000-0000-4000-8000-000000000001'));
select is((select answer -> 'counts' ->> 'contact_groups' from answers where label = 'erase'), '2',
  'the erasure receipt counts the two groups it changed');
reset role;

-- ============================================================================================
-- Superuser: what the groups hold now
-- ============================================================================================
select is((select criteria from public.contact_groups where id = '16900000-0000-4000-8000-0000000000b1'),
  '{"match": "any", "rules": [{"field": "display_name", "op": "equals", "value": "[erased]"},
     {"field": "external_id", "op": "in", "value": ["[erased]", "EXT-AB-100"]}, {"field": "channel_type", "op": "has", "value": "email"}]}'::jsonb,
  'the smart group''s values naming her are tombstones, its other rules and values as they were');
select is((select public.is_valid_smart_group_criteria(criteria) from public.contact_groups where id = '16900000-0000-4000-8000-0000000000b1'), true,
  'the smart group''s criteria stay valid');
insert into public.contacts (id, user_id, first_name, last_name, external_id) values
  ('16900000-0000-4000-8000-000000000002', tests.get_supabase_uid('groups169_owner'), 'Zenobia', 'Quillfeather', 'EXT-ZQ-991');
-- (Her channel's rule aside: the new contact has no channel.)
select is(private.contact_matches_criteria((select c from public.contacts c where c.id = '16900000-0000-4000-8000-000000000002'),
    (select jsonb_build_object('match', 'any', 'rules', jsonb_path_query_array(criteria, '$.rules[*] ? (@.field != "channel_type")'))
     from public.contact_groups where id = '16900000-0000-4000-8000-0000000000b1')),
  false, 'a contact with her name and external id added later is not selected by the erased rules');
select results_eq(
  $$ select name, description from public.contact_groups where id in ('16900000-0000-4000-8000-0000000000b2', '16900000-0000-4000-8000-0000000000b3') order by id $$,
  $$ values ('[erased]''s referrals 16900000', 'People [erased] referred; ask [erased]'), ('[erased]''s referrals', null) $$,
  'her mentions in the group''s name and description are [erased], the name kept apart from an existing group''s');
select is_empty(
  $$ select 1 from public.contact_groups g where g.user_id = tests.get_supabase_uid('groups169_owner')
     and (g.name || coalesce(g.description, '') || coalesce(g.criteria::text, '')) ~* 'zenobia|ext-zq-991' $$,
  'no group of the owner holds her name, external id or address');
select is((select criteria from public.contact_groups where id = '16900000-0000-4000-8000-0000000000b4'),
  '{"rules": [{"field": "last_name", "op": "equals", "value": "Quillfeather"}]}'::jsonb,
  'a group of everyone with her family name is not about her and stays as it was');
select is((select name from public.contact_groups where id = '16900000-0000-4000-8000-0000000000b9'), 'Zenobia Quillfeather fans',
  'another owner''s group is left alone');
select is((select count(*)::int from public.contact_groups where user_id = tests.get_supabase_uid('groups169_owner')), 4,
  'no group was deleted');

-- ============================================================================================
-- Namesakes: two John Smiths and an Anna of another owner (20251020000047-48). A value another
-- contact holds too is not the subject's: erasing one John Smith, or Anna, changes no group.
-- ============================================================================================
select tests.create_supabase_user('groups169_namesakes');
insert into public.contacts (id, user_id, first_name, last_name, organization) values
  ('16900000-0000-4000-8000-000000000011', tests.get_supabase_uid('groups169_namesakes'), 'John', 'Smith', 'Acme'),
  ('16900000-0000-4000-8000-000000000012', tests.get_supabase_uid('groups169_namesakes'), 'John', 'Smith', 'Globex'),
  ('16900000-0000-4000-8000-000000000013', tests.get_supabase_uid('groups169_namesakes'), 'Bob', 'Jones', 'Acme'),
  ('16900000-0000-4000-8000-000000000014', tests.get_supabase_uid('groups169_namesakes'), 'Anna', null, null),
  ('16900000-0000-4000-8000-000000000015', tests.get_supabase_uid('groups169_namesakes'), 'Anna', 'Berg', null);
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('groups169_namesakes'), '16900000-0000-4000-8000-000000000012', 'email', 'john@globex.example');
insert into public.contact_groups (id, user_id, name, group_type, criteria) values
  ('16900000-0000-4000-8000-0000000000c1', tests.get_supabase_uid('groups169_namesakes'), 'Acme, not John Smith', 'smart',
   '{"rules": [{"field": "organization", "op": "equals", "value": "Acme"}, {"field": "display_name", "op": "not_equals", "value": "John Smith"}]}'),
  ('16900000-0000-4000-8000-0000000000c2', tests.get_supabase_uid('groups169_namesakes'), 'Everyone called Anna', 'smart',
   '{"rules": [{"field": "first_name", "op": "equals", "value": "Anna"}]}');
select tests.authenticate_as('groups169_namesakes');
select is((select n from private.contact_groups_mentioning('16900000-0000-4000-8000-000000000012', tests.get_supabase_uid('groups169_namesakes'))), 0::bigint,
  'the export does not hand one John Smith a group naming "John Smith", which his namesake also answers to');
select public.gdpr_delete_subject(identifier => 'john@globex.example');
select public.gdpr_delete_subject(contact_id => '16900000-0000-4000-8000-000000000014');
reset role;
select is((select criteria -> 'rules' -> 1 ->> 'value' from public.contact_groups where id = '16900000-0000-4000-8000-0000000000c1'), 'John Smith',
  'erasing one John Smith keeps the rule excluding the other: a tombstone there would let him in');
select set_eq(
  $$ select c.id from public.contacts c, public.contact_groups g
     where g.id = '16900000-0000-4000-8000-0000000000c1' and c.user_id = g.user_id and private.contact_matches_criteria(c, g.criteria) $$,
  array['16900000-0000-4000-8000-000000000013'::uuid],
  'the group still holds Bob Jones alone');
select results_eq(
  $$ select name, criteria -> 'rules' -> 0 ->> 'value' from public.contact_groups where id = '16900000-0000-4000-8000-0000000000c2' $$,
  $$ values ('Everyone called Anna', 'Anna') $$,
  'erasing a contact known only as Anna keeps the group of every Anna, Anna Berg in it');

select * from finish();
rollback;
