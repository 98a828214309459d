begin;
select plan(8);

-- contacts.name_block, the duplicate-finding block, is stored and kept in step by a trigger: set
-- on insert (after the display name is derived), recomputed when the organization or display name
-- changes, null without an organization, and never what a client writes.

select tests.create_supabase_user('block_owner');

insert into public.contacts (id, user_id, first_name, last_name, organization) values
  ('c0950000-0000-4000-8000-000000000001', tests.get_supabase_uid('block_owner'), 'Ada', 'Lovelace', 'Analytical Engines'),
  ('c0950000-0000-4000-8000-000000000002', tests.get_supabase_uid('block_owner'), 'Charles', 'Babbage', null);

select is((select name_block from public.contacts where id = 'c0950000-0000-4000-8000-000000000001'),
  private.contact_name_block('Analytical Engines', 'Ada Lovelace'),
  'an inserted contact gets the block of its organization and its derived display name');
select is((select name_block from public.contacts where id = 'c0950000-0000-4000-8000-000000000002'), null,
  'a contact without an organization has no block');

update public.contacts set display_name = 'Augusta Ada King' where id = 'c0950000-0000-4000-8000-000000000001';
select is((select name_block from public.contacts where id = 'c0950000-0000-4000-8000-000000000001'),
  private.contact_name_block('Analytical Engines', 'Augusta Ada King'),
  'a new display name gives a new block');

update public.contacts set organization = 'Difference Engines' where id = 'c0950000-0000-4000-8000-000000000002';
select is((select name_block from public.contacts where id = 'c0950000-0000-4000-8000-000000000002'),
  private.contact_name_block('Difference Engines', 'Charles Babbage'),
  'an organization given later gives the contact a block');

update public.contacts set organization = null where id = 'c0950000-0000-4000-8000-000000000001';
select is((select name_block from public.contacts where id = 'c0950000-0000-4000-8000-000000000001'), null,
  'an organization removed removes the block');

update public.contacts set name_block = 42 where id = 'c0950000-0000-4000-8000-000000000002';
select is((select name_block from public.contacts where id = 'c0950000-0000-4000-8000-000000000002'),
  private.contact_name_block('Difference Engines', 'Charles Babbage'),
  'a block written directly is replaced by the computed one');

select tests.authenticate_as('block_owner');
select throws_ok(
  $$update public.contacts set name_block = 42 where id = 'c0950000-0000-4000-8000-000000000002'$$,
  '42501', null, 'an owner cannot write the block column');
reset role;

select is((select count(*) from public.contacts
           where user_id = tests.get_supabase_uid('block_owner')
             and name_block is distinct from private.contact_name_block(organization, display_name)), 0::bigint,
  'every contact''s stored block equals the computed one');

select * from finish();
rollback;
