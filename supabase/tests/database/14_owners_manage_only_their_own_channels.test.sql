-- RLS matrix for public.contact_communication_channels, owners and service_role: an owner sees and
-- manages the channels of their own contacts; another owner can neither see them nor attach a
-- channel to the owner's contact (the (contact_id, user_id) foreign key refuses it); service_role
-- bypasses RLS but not the foreign key. Agent tokens on channels: 15. Anon: 10.
begin;
select plan(15);

select tests.create_supabase_user('rls_owner');
select tests.create_supabase_user('rls_other_owner');

insert into public.contacts (id, user_id, display_name) values
  ('c0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'Ada Lovelace'),
  ('c0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'Bob Rival');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier, label) values
  ('d0000000-0000-4000-8000-000000000001', tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000001',
   'email', 'ada@example.com', 'work'),
  ('d0000000-0000-4000-8000-000000000002', tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000001',
   'phone', '+44 20 7123 4567', 'office'),
  ('d0000000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('rls_other_owner'), 'c0000000-0000-4000-8000-0000000000b1',
   'email', 'bob@example.com', null);

-- Owner
select tests.authenticate_as('rls_owner');
select results_eq(
  $$ select id from public.contact_communication_channels order by id $$,
  $$ values ('d0000000-0000-4000-8000-000000000001'::uuid), ('d0000000-0000-4000-8000-000000000002'::uuid) $$,
  'the owner sees exactly the channels of their own contacts');
select results_eq(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0000000-0000-4000-8000-000000000001', 'telegram', '@ada') returning user_id $$,
  $$ select tests.get_supabase_uid('rls_owner') $$,
  'the owner can add a channel to their own contact, and it belongs to the owner');
select results_eq(
  $$ update public.contact_communication_channels set label = 'personal'
     where id = 'd0000000-0000-4000-8000-000000000001' returning id $$,
  $$ values ('d0000000-0000-4000-8000-000000000001'::uuid) $$,
  'the owner can update their own channel');
select results_eq(
  $$ delete from public.contact_communication_channels where id = 'd0000000-0000-4000-8000-000000000002' returning id $$,
  $$ values ('d0000000-0000-4000-8000-000000000002'::uuid) $$,
  'the owner can delete their own channel');

-- Other owner
select tests.authenticate_as('rls_other_owner');
select results_eq(
  $$ select id from public.contact_communication_channels $$,
  $$ values ('d0000000-0000-4000-8000-0000000000b1'::uuid) $$,
  'the other owner sees only their own channel, none of the owner''s');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('c0000000-0000-4000-8000-000000000001', 'email', 'attacker@example.com') $$,
  '23503',
  'insert or update on table "contact_communication_channels" violates foreign key constraint "contact_communication_channels_contact_fkey"',
  'the other owner cannot attach a channel to the owner''s contact (foreign key violation)');
select throws_ok(
  $$ insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
     values (tests.get_supabase_uid('rls_owner'), 'c0000000-0000-4000-8000-000000000001', 'email', 'attacker@example.com') $$,
  '42501', 'permission denied for table contact_communication_channels',
  'the other owner cannot create a channel in the owner''s name');
select is_empty(
  $$ update public.contact_communication_channels set identifier = 'attacker@example.com'
     where id = 'd0000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot redirect the owner''s channel (no row matches)');
select is_empty(
  $$ delete from public.contact_communication_channels where id = 'd0000000-0000-4000-8000-000000000001' returning id $$,
  'the other owner cannot delete the owner''s channel (no row matches)');

-- Superuser: the other owner's attempts changed nothing
reset role;
select set_config('request.jwt.claims', null, true);
select results_eq(
  $$ select channel_type, identifier, label from public.contact_communication_channels
     where user_id = tests.get_supabase_uid('rls_owner') order by channel_type $$,
  $$ values ('email', 'ada@example.com', 'personal'), ('telegram', '@ada', null) $$,
  'after the other owner''s attempts the owner''s channels are exactly as the owner left them');

-- Service role
select tests.authenticate_as_service_role();
select results_eq(
  $$ select identifier from public.contact_communication_channels
     where user_id in (tests.get_supabase_uid('rls_owner'), tests.get_supabase_uid('rls_other_owner'))
     order by identifier $$,
  $$ values ('@ada'), ('ada@example.com'), ('bob@example.com') $$,
  'service_role sees the channels of every owner');
select results_eq(
  $$ insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
     values (tests.get_supabase_uid('rls_other_owner'), 'c0000000-0000-4000-8000-0000000000b1', 'sms', '+15551234567')
     returning user_id $$,
  $$ select tests.get_supabase_uid('rls_other_owner') $$,
  'service_role can add a channel to any owner''s contact by naming the owner');
select throws_ok(
  $$ insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
     values (tests.get_supabase_uid('rls_other_owner'), 'c0000000-0000-4000-8000-000000000001', 'email', 'mixed@example.com') $$,
  '23503',
  'insert or update on table "contact_communication_channels" violates foreign key constraint "contact_communication_channels_contact_fkey"',
  'even service_role cannot hang one owner''s channel on another owner''s contact');
select results_eq(
  $$ update public.contact_communication_channels set is_verified = true
     where id = 'd0000000-0000-4000-8000-0000000000b1' returning is_verified $$,
  $$ values (true) $$,
  'service_role can update any owner''s channel');
select results_eq(
  $$ delete from public.contact_communication_channels where id = 'd0000000-0000-4000-8000-000000000001' returning id $$,
  $$ values ('d0000000-0000-4000-8000-000000000001'::uuid) $$,
  'service_role can delete any owner''s channel');

select * from finish();
rollback;
