-- A display name made from a contact's names, its organization or one of its identifiers follows
-- them when they change and it is left as it is (20251020000099); one the owner chose stays, as
-- does a derived one when the new names make none.
begin;
select plan(7);

-- ============================================================================================
-- Setup (superuser): owner naming_owner with the contacts derived (Ada Byron, display name made
-- from them), chosen ("Countess", names Ada Byron), addressed (known by its address only),
-- company (known by its organization only), cleared (Ada Byron) and renamed (Ada Byron).
-- ============================================================================================
select tests.create_supabase_user('naming_owner');
insert into public.contacts (id, user_id, first_name, last_name, display_name, organization) values
  ('21100000-0000-4000-8000-000000000001', tests.get_supabase_uid('naming_owner'), 'Ada', 'Byron', null, null),
  ('21100000-0000-4000-8000-000000000002', tests.get_supabase_uid('naming_owner'), 'Ada', 'Byron', 'Countess', null),
  ('21100000-0000-4000-8000-000000000003', tests.get_supabase_uid('naming_owner'), null, null, 'ada@example.com', null),
  ('21100000-0000-4000-8000-000000000004', tests.get_supabase_uid('naming_owner'), null, null, null, 'Analytical Engines'),
  ('21100000-0000-4000-8000-000000000005', tests.get_supabase_uid('naming_owner'), 'Ada', 'Byron', null, null),
  ('21100000-0000-4000-8000-000000000006', tests.get_supabase_uid('naming_owner'), 'Ada', 'Byron', null, null);
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('naming_owner'), '21100000-0000-4000-8000-000000000003', 'email', 'ada@example.com');

create function pg_temp.shown(contact uuid) returns text language sql as $$
  select display_name from public.contacts where id = contact
$$;

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('naming_owner');
update public.contacts set last_name = 'Lovelace' where id in ('21100000-0000-4000-8000-000000000001', '21100000-0000-4000-8000-000000000002');
update public.contacts set first_name = 'Ada', last_name = 'Lovelace' where id = '21100000-0000-4000-8000-000000000003';
update public.contacts set first_name = 'Charles' where id = '21100000-0000-4000-8000-000000000004';
update public.contacts set first_name = null, last_name = null, organization = null where id = '21100000-0000-4000-8000-000000000005';
update public.contacts set last_name = 'Lovelace', display_name = 'Lady Lovelace' where id = '21100000-0000-4000-8000-000000000006';

select is(pg_temp.shown('21100000-0000-4000-8000-000000000001'), 'Ada Lovelace',
  'the owner correcting a last name sees the display name made from the names follow it');
select is(pg_temp.shown('21100000-0000-4000-8000-000000000002'), 'Countess',
  'a display name the owner chose stays when the names change');
select is(pg_temp.shown('21100000-0000-4000-8000-000000000003'), 'Ada Lovelace',
  'a contact known by its address takes the names the owner gives it');
select is(pg_temp.shown('21100000-0000-4000-8000-000000000004'), 'Charles',
  'a contact known by its organization is shown by the first name it is given, as a new one would be');
select is(pg_temp.shown('21100000-0000-4000-8000-000000000005'), 'Ada Byron',
  'clearing every name keeps the display name rather than leave the contact without one');
select is(pg_temp.shown('21100000-0000-4000-8000-000000000006'), 'Lady Lovelace',
  'a display name given in the same update as the names is the one stored');

update public.contacts set last_name = 'Byron' where id = '21100000-0000-4000-8000-000000000001';
select is(pg_temp.shown('21100000-0000-4000-8000-000000000001'), 'Ada Byron',
  'the names put back (as an undo does) bring the display name back with them');

select * from finish();
rollback;
