-- An erased Telegram username does not come back under its other spelling (20251020000067):
-- "tghandle" and "@tghandle" are one account, so erasing either suppresses both, on insert and
-- for the suppression check an import makes. A Telegram number and other handle types are keyed as
-- before.
begin;
select plan(6);

select tests.create_supabase_user('at_owner');
insert into public.contacts (id, user_id, display_name) values
  ('18500000-0000-4000-8000-000000000001', tests.get_supabase_uid('at_owner'), 'Plain Handle'),
  ('18500000-0000-4000-8000-000000000002', tests.get_supabase_uid('at_owner'), 'At Handle'),
  ('18500000-0000-4000-8000-000000000003', tests.get_supabase_uid('at_owner'), 'Keeper');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('at_owner'), '18500000-0000-4000-8000-000000000001', 'telegram', 'tghandle'),
  (tests.get_supabase_uid('at_owner'), '18500000-0000-4000-8000-000000000002', 'telegram', '@athandle');

-- Owner
select tests.authenticate_as('at_owner');
select lives_ok($$ select public.gdpr_delete_contact('18500000-0000-4000-8000-000000000001') $$,
  'the owner erases the contact known as tghandle on Telegram');
select lives_ok($$ select public.gdpr_delete_contact('18500000-0000-4000-8000-000000000002') $$,
  'and the one known as @athandle');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('18500000-0000-4000-8000-000000000003', 'telegram', '@tghandle') $$,
  '23514', null, 'the erased username cannot come back with an @');
select throws_ok(
  $$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
     values ('18500000-0000-4000-8000-000000000003', 'telegram', 'athandle') $$,
  '23514', null, 'nor without one');
select ok(private.is_suppressed(tests.get_supabase_uid('at_owner'), 'telegram', '@tghandle'),
  'the suppression check an import makes finds the other spelling too');
select is(private.channel_identifier_keys('slack', '@tghandle'), array['slack:@tghandle'],
  'a Slack handle is keyed as it is spelt, as before');
reset role;

select * from finish();
rollback;
