-- The contacts' display-name trigger derives a display name only when none is given
-- (20251020000107). With 20251020000099 it also carried a display name made from the names along
-- with them on every update, and could not tell one left out of the update from one written again
-- with the same value: a merge that kept the survivor's display name while taking the other
-- contact's names lost it. Imports carry such display names themselves (pgTAP 212).
begin;
select plan(3);

-- ============================================================================================
-- Setup (superuser): owner keeping_owner with Bob Smith (display made from his names)
-- ============================================================================================
select tests.create_supabase_user('keeping_owner');
insert into public.contacts (id, user_id, first_name, last_name)
values ('21500000-0000-4000-8000-000000000001', tests.get_supabase_uid('keeping_owner'), 'Bob', 'Smith');

-- ============================================================================================
-- Persona: owner (keeping_owner)
-- ============================================================================================
select tests.authenticate_as('keeping_owner');
update public.contacts set last_name = 'Jones', display_name = 'Bob Smith' where id = '21500000-0000-4000-8000-000000000001';
select is((select display_name from public.contacts where id = '21500000-0000-4000-8000-000000000001'), 'Bob Smith',
  'an update that writes the display name it had, with new names, keeps it');
update public.contacts set first_name = 'Robert' where id = '21500000-0000-4000-8000-000000000001';
select is((select display_name from public.contacts where id = '21500000-0000-4000-8000-000000000001'), 'Bob Smith',
  'an update of the names alone leaves the display name to the owner');
update public.contacts set display_name = ' ' where id = '21500000-0000-4000-8000-000000000001';
select is((select display_name from public.contacts where id = '21500000-0000-4000-8000-000000000001'), 'Robert Jones',
  'a blank display name is derived from the names, as ever');

select * from finish();
rollback;
