-- RLS matrix for public.contact_groups and public.contact_group_memberships: the owner's own
-- organisation of contacts. Another owner can neither see it nor nest under it nor add members to
-- it (foreign keys on (id, user_id)); agent tokens have no access at all; memberships are never
-- updated, only added and removed; service_role bypasses RLS. Anon: 10.
begin;
select plan(37);

select tests.create_supabase_user('rls_owner');
select tests.create_supabase_user('rls_other_owner');

insert into public.contacts (id, user_id, display_name) values
  ('c0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Ada Lovelace'),
  ('c0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'Alan Turing'),
  ('c0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'Bob Rival'),
  ('c0000000-0000-4000-8000-0000000000b2', tests.get_supabase_uid('rls_other_owner'), 'Bea Rival');
insert into public.contact_groups (id, user_id, name, description) values
  ('f0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'VIP', 'Top customers'),
  ('f0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'Partners', null),
  ('f0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'Rivals', null);
insert into public.contact_group_memberships (group_id, contact_id, user_id) values
  ('f0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner')),
  ('f0000000-0000-4000-8000-0000000000b1', 'c0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'));
insert into public.agents (id, user_id, name) values
  ('a0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Editor');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('rls_owner'), 'a0000000-0000-4000-8000-000000000001', 'all_contacts', 'write');

-- Owner
select tests.authenticate_as('rls_owner');
select results_eq(
  $$ select name from public.contact_groups order by name $$,
  $$ values ('Partners'), ('VIP') $$,
  'the owner sees exactly their own groups');
select results_eq(
  $$ insert into public.contact_groups (name, parent_group_id) values ('Prospects', 'f0000000-0000-4000-8000-000000000001')
     returning user_id $$,
  $$ select tests.get_supabase_uid('rls_owner') $$,
  'the owner can create a group nested in their own group, and it belongs to the owner');
select results_eq(
  $$ update public.contact_groups set description = 'Best customers' where id = 'f0000000-0000-4000-8000-000000000001' returning id $$,
  $$ values ('f0000000-0000-4000-8000-000000000001'::uuid) $$,
  'the owner can update their own group');
select results_eq(
  $$ delete from public.contact_groups where id = 'f0000000-0000-4000-8000-000000000002' returning id $$,
  $$ values ('f0000000-0000-4000-8000-000000000002'::uuid) $$,
  'the owner can delete their own group');
select results_eq(
  $$ select group_id, contact_id from public.contact_group_memberships $$,
  $$ values ('f0000000-0000-4000-8000-000000000001'::uuid, 'c0000000-0000-4000-8000-000000000001'::uuid) $$,
  'the owner sees exactly the memberships of their own groups');
select lives_ok(
  $$ insert into public.contact_group_memberships (group_id, contact_id)
     values ('f0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002') $$,
  'the owner can add their own contact to their own group');
select throws_ok(
  $$ update public.contact_group_memberships set contact_id = 'c0000000-0000-4000-8000-000000000002'
     where group_id = 'f0000000-0000-4000-8000-000000000001' $$,
  '42501', 'permission denied for table contact_group_memberships',
  'the owner cannot update a membership: memberships are added and removed, never edited');
select results_eq(
  $$ delete from public.contact_group_memberships where contact_id = 'c0000000-0000-4000-8000-000000000001' returning group_id $$,
  $$ values ('f0000000-0000-4000-8000-000000000001'::uuid) $$,
  'the owner can remove a membership of their own group');

-- Other owner
select tests.authenticate_as('rls_other_owner');
select results_eq(
  $$ select id from public.contact_groups $$,
  $$ values ('f0000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'the other owner sees only their own group, none of the owner''s');
select throws_ok(
  $$ insert into public.contact_groups (name, parent_group_id) values ('Infiltrators', 'f0000000-0000-4000-8000-000000000001') $$,
  '23503', 'insert or update on table "contact_groups" violates foreign key constraint "contact_groups_parent_fkey"',
  'the other owner cannot create a group nested in the owner''s group (foreign key violation)');
select throws_ok(
  $$ update public.contact_groups set parent_group_id = 'f0000000-0000-4000-8000-000000000001'
     where id = 'f0000000-0000-4000-8000-0000000000b1' $$,
  '23503', 'insert or update on table "contact_groups" violates foreign key constraint "contact_groups_parent_fkey"',
  'the other owner cannot move their own group under the owner''s group (foreign key violation)');
select is_empty(
  $$ update public.contact_groups set name = 'Hijacked' where id = 'f0000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot update the owner''s group (no row matches)');
select is_empty(
  $$ delete from public.contact_groups where id = 'f0000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot delete the owner''s group (no row matches)');
select results_eq(
  $$ select group_id, contact_id from public.contact_group_memberships $$,
  $$ values ('f0000000-0000-4000-8000-0000000000b1'::uuid, 'c0000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'the other owner sees only the memberships of their own groups');
select throws_ok(
  $$ insert into public.contact_group_memberships (group_id, contact_id)
     values ('f0000000-0000-4000-8000-0000000000b1', 'c0000000-0000-4000-8000-000000000001') $$,
  '23503',
  'insert or update on table "contact_group_memberships" violates foreign key constraint "contact_group_memberships_contact_fkey"',
  'the other owner cannot put the owner''s contact in their own group (foreign key violation)');
select throws_ok(
  $$ insert into public.contact_group_memberships (group_id, contact_id)
     values ('f0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-0000000000b1') $$,
  '23503',
  'insert or update on table "contact_group_memberships" violates foreign key constraint "contact_group_memberships_group_fkey"',
  'the other owner cannot put their own contact in the owner''s group (foreign key violation)');
select throws_ok(
  $$ update public.contact_group_memberships set group_id = 'f0000000-0000-4000-8000-000000000001' $$,
  '42501', 'permission denied for table contact_group_memberships',
  'the other owner cannot update memberships');
select is_empty(
  $$ delete from public.contact_group_memberships where group_id = 'f0000000-0000-4000-8000-000000000001' returning contact_id $$,
  'the other owner cannot remove members from the owner''s group (no row matches)');

-- Agent: write grant on all the owner's contacts; groups are still out of reach
select tests.authenticate_as_agent('rls_owner', 'a0000000-0000-4000-8000-000000000001');
select is_empty($$ select id from public.contact_groups $$, 'an agent token sees no groups, even with a write grant');
select throws_ok(
  $$ insert into public.contact_groups (name) values ('Agent group') $$,
  '42501', 'new row violates row-level security policy for table "contact_groups"',
  'an agent token cannot create groups');
select is_empty(
  $$ update public.contact_groups set name = 'Renamed by agent' returning id $$,
  'an agent token cannot update groups (no row matches)');
select is_empty(
  $$ delete from public.contact_groups returning id $$,
  'an agent token cannot delete groups (no row matches)');
select is_empty($$ select group_id from public.contact_group_memberships $$, 'an agent token sees no memberships');
select throws_ok(
  $$ insert into public.contact_group_memberships (group_id, contact_id)
     values ('f0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001') $$,
  '42501', 'new row violates row-level security policy for table "contact_group_memberships"',
  'an agent token cannot add members to groups');
select throws_ok(
  $$ update public.contact_group_memberships set contact_id = 'c0000000-0000-4000-8000-000000000001' $$,
  '42501', 'permission denied for table contact_group_memberships',
  'an agent token cannot update memberships');
select is_empty(
  $$ delete from public.contact_group_memberships returning group_id $$,
  'an agent token cannot remove members from groups (no row matches)');

-- Superuser: only the owner's own changes are in place
reset role;
select set_config('request.jwt.claims', null, true);
select results_eq(
  $$ select g.name, g.description, p.name from public.contact_groups g left join public.contact_groups p on p.id = g.parent_group_id
     where g.user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner')) order by g.name $$,
  $$ values ('Prospects', null::text, 'VIP'), ('Rivals', null, null), ('VIP', 'Best customers', null) $$,
  'after the denied attempts the groups hold only the owner''s own changes');
select results_eq(
  $$ select group_id, contact_id from public.contact_group_memberships
     where user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner')) order by group_id $$,
  $$ values ('f0000000-0000-4000-8000-000000000001'::uuid, 'c0000000-0000-4000-8000-000000000002'::uuid),
            ('f0000000-0000-4000-8000-0000000000b1'::uuid, 'c0000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'after the denied attempts the memberships hold only the owner''s own changes');

-- Service role
select tests.authenticate_as_service_role();
select results_eq(
  $$ select name from public.contact_groups
     where user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner')) order by name $$,
  $$ values ('Prospects'), ('Rivals'), ('VIP') $$,
  'service_role sees the groups of every owner');
select results_eq(
  $$ insert into public.contact_groups (user_id, name) values (tests.get_supabase_uid('rls_other_owner'), 'Imported') returning user_id $$,
  $$ select tests.get_supabase_uid('rls_other_owner') $$,
  'service_role can create a group for any owner by naming the owner');
select results_eq(
  $$ update public.contact_groups set description = 'Set by service' where id = 'f0000000-0000-4000-8000-0000000000b1' returning id $$,
  $$ values ('f0000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'service_role can update any owner''s group');
select results_eq(
  $$ delete from public.contact_groups where name = 'Prospects' and user_id = tests.get_supabase_uid('rls_owner') returning name $$,
  $$ values ('Prospects') $$,
  'service_role can delete any owner''s group');
select results_eq(
  $$ select contact_id from public.contact_group_memberships
     where user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner')) order by contact_id $$,
  $$ values ('c0000000-0000-4000-8000-000000000002'::uuid), ('c0000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'service_role sees the memberships of every owner');
select results_eq(
  $$ insert into public.contact_group_memberships (user_id, group_id, contact_id)
     values (tests.get_supabase_uid('rls_other_owner'), 'f0000000-0000-4000-8000-0000000000b1', 'c0000000-0000-4000-8000-0000000000b2')
     returning contact_id $$,
  $$ values ('c0000000-0000-4000-8000-0000000000b2'::uuid) $$,
  'service_role can add members to any owner''s group');
select throws_ok(
  $$ insert into public.contact_group_memberships (user_id, group_id, contact_id)
     values (tests.get_supabase_uid('rls_other_owner'), 'f0000000-0000-4000-8000-0000000000b1', 'c0000000-0000-4000-8000-000000000001') $$,
  '23503',
  'insert or update on table "contact_group_memberships" violates foreign key constraint "contact_group_memberships_contact_fkey"',
  'even service_role cannot put one owner''s contact in another owner''s group');
select results_eq(
  $$ update public.contact_group_memberships set created_at = '2025-01-01T00:00:00Z'
     where contact_id = 'c0000000-0000-4000-8000-0000000000b1' returning contact_id $$,
  $$ values ('c0000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'service_role can update any owner''s membership');
select results_eq(
  $$ delete from public.contact_group_memberships where contact_id = 'c0000000-0000-4000-8000-000000000002' returning contact_id $$,
  $$ values ('c0000000-0000-4000-8000-000000000002'::uuid) $$,
  'service_role can remove any owner''s membership');

select * from finish();
rollback;
