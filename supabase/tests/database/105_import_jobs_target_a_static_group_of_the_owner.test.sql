-- An import's target group is checked when its job is created (20251015000004): one of the owner's
-- static groups, whoever creates the job; another owner's group, an unknown one or a smart one is
-- refused before any file is read.
begin;
select plan(5);

do $$
declare
  owner_id uuid := tests.create_supabase_user('group_owner');
  rival_id uuid := tests.create_supabase_user('group_rival');
begin
  insert into public.contact_groups (id, user_id, name, group_type, criteria) values
    ('10500000-0000-4000-8000-000000000001', owner_id, 'Static', 'static', null),
    ('10500000-0000-4000-8000-000000000002', owner_id, 'Smart', 'smart', '{"rules": [{"field": "display_name", "op": "equals", "value": "x"}]}'),
    ('10500000-0000-4000-8000-000000000003', rival_id, 'Rival''s', 'static', null);
end
$$;

-- Owner: creates jobs targeting each kind of group
select tests.authenticate_as('group_owner');
select is((select existing from private.create_import_job(tests.get_supabase_uid('group_owner'), 'a.csv', 1, repeat('a', 64), 'imports/' || tests.get_supabase_uid('group_owner') || '/a.csv',
  'upload', '{}', '{"group_id": "10500000-0000-4000-8000-000000000001"}', false, 1, false)), false,
  'the owner imports into their own static group');
select throws_ok($$ select * from private.create_import_job(tests.get_supabase_uid('group_owner'), 'b.csv', 1, repeat('b', 64), 'imports/' || tests.get_supabase_uid('group_owner') || '/b.csv',
  'upload', '{}', '{"group_id": "10500000-0000-4000-8000-000000000002"}', false, 1, false) $$,
  '22023', 'group_id names a smart group, whose members come from its criteria: name a static group', 'a smart group is refused');
select throws_ok($$ select * from private.create_import_job(tests.get_supabase_uid('group_owner'), 'c.csv', 1, repeat('c', 64), 'imports/' || tests.get_supabase_uid('group_owner') || '/c.csv',
  'upload', '{}', '{"group_id": "10500000-0000-4000-8000-000000000003"}', false, 1, false) $$,
  'P0002', 'group not found: group_id must name one of the owner''s groups', 'another owner''s group is refused as not found');
select throws_ok($$ select * from private.create_import_job(tests.get_supabase_uid('group_owner'), 'd.csv', 1, repeat('d', 64), 'imports/' || tests.get_supabase_uid('group_owner') || '/d.csv',
  'upload', '{}', '{"group_id": "10500000-0000-4000-8000-0000000000ff"}', false, 1, false) $$,
  'P0002', 'group not found: group_id must name one of the owner''s groups', 'an unknown group is refused as not found');

-- Service: creates a job naming the owner
select tests.authenticate_as_service_role();
select throws_ok($$ select * from private.create_import_job(tests.get_supabase_uid('group_owner'), 'e.csv', 1, repeat('e', 64), 'imports/' || tests.get_supabase_uid('group_owner') || '/e.csv',
  'upload', '{}', '{"group_id": "10500000-0000-4000-8000-000000000003"}', false, 1, false) $$,
  'P0002', 'group not found: group_id must name one of the owner''s groups',
  'the service naming the owner cannot import into another owner''s group');

select * from finish();
rollback;
