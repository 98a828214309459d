-- Contacts: every contact has a name to show. display_name is taken as given (trimmed), else built
-- from first and last name, else from the organization; a contact with none of them is rejected
-- with a message that says so (23502). The other field checks answer with their constraint names.
-- Run as an authenticated owner.
begin;
select plan(22);

do $$ begin perform tests.create_supabase_user('name_owner'); end $$;

-- ============================================================================================
-- Persona: owner (name_owner)
-- ============================================================================================
select tests.authenticate_as('name_owner');

select throws_ok($$ insert into public.contacts (job_title) values ('Engineer') $$,
  '23502', 'a contact needs a display name, a first or last name, or an organization',
  'an owner cannot create a contact with no name and no organization');
select throws_ok($$
  insert into public.contacts (display_name, first_name, last_name, organization) values ('   ', ' ', '', '  ')
$$, '23502', 'a contact needs a display name, a first or last name, or an organization',
  'an owner cannot create a contact whose names are only spaces');
select throws_ok($$
  insert into public.contacts (display_name, first_name, organization) values (E'\t', E'\n', E' \r\n ')
$$, '23502', 'a contact needs a display name, a first or last name, or an organization',
  'an owner cannot create a contact whose names are only tabs and line breaks');

select lives_ok($$
  insert into public.contacts (external_id, display_name, first_name, last_name, organization) values
    ('full-name', null, '  Ada ', ' Lovelace ', 'Analytical Engines Ltd'),
    ('last-only', null, null, 'Hopper', null),
    ('first-only', null, 'Grace', null, null),
    ('org-only', null, null, null, ' Analytical Engines Ltd '),
    ('given', 'Countess of Lovelace', 'Ada', 'Lovelace', null),
    ('blank-given', '   ', 'Charles', 'Babbage', null),
    ('padded-given', '  Ada L.  ', null, null, null)
$$, 'an owner can create contacts with any one of a display name, a first or last name, or an organization');
select results_eq($$
  select external_id, display_name from public.contacts
  where external_id in ('full-name', 'last-only', 'first-only', 'org-only', 'given', 'blank-given', 'padded-given')
  order by external_id
$$, $$ values
  ('blank-given'::text, 'Charles Babbage'::text),
  ('first-only', 'Grace'),
  ('full-name', 'Ada Lovelace'),
  ('given', 'Countess of Lovelace'),
  ('last-only', 'Hopper'),
  ('org-only', 'Analytical Engines Ltd'),
  ('padded-given', 'Ada L.')
$$, 'display_name is the given name trimmed, else first and last name trimmed and joined, else the organization');

select lives_ok($$ update public.contacts set display_name = null where external_id = 'given' $$,
  'an owner can clear a contact''s display name');
select is((select display_name from public.contacts where external_id = 'given'), 'Ada Lovelace',
  'a cleared display name is rebuilt from the first and last name');
select lives_ok($$
  update public.contacts set display_name = null, first_name = null, last_name = null where external_id = 'full-name'
$$, 'an owner can clear every personal name of a contact that has an organization');
select is((select display_name from public.contacts where external_id = 'full-name'), 'Analytical Engines Ltd',
  'a contact left with only an organization is shown by its organization');
select throws_ok($$
  update public.contacts set display_name = null, first_name = null, last_name = null, organization = null
  where external_id = 'full-name'
$$, '23502', 'a contact needs a display name, a first or last name, or an organization',
  'an owner cannot strip every name from an existing contact');
select throws_ok($$ update public.contacts set display_name = '  ' where external_id = 'padded-given' $$,
  '23502', 'a contact needs a display name, a first or last name, or an organization',
  'an owner cannot blank the display name of a contact that has nothing else to show');
select is((select display_name from public.contacts where external_id = 'padded-given'), 'Ada L.',
  'the refused update left the display name as it was');

-- Other field checks on contacts, by constraint name.
select throws_ok(format($$ insert into public.contacts (display_name) values (%L) $$, repeat('x', 501)),
  '23514', 'new row for relation "contacts" violates check constraint "contacts_names_check"',
  'an owner cannot give a contact a display name longer than 500 characters');
select throws_ok(format($$ insert into public.contacts (first_name) values (%L) $$, repeat('x', 201)),
  '23514', 'new row for relation "contacts" violates check constraint "contacts_names_check"',
  'an owner cannot give a contact a first name longer than 200 characters');
select throws_ok($$ insert into public.contacts (first_name, status) values ('Ada', 'deleted') $$,
  '23514', 'new row for relation "contacts" violates check constraint "contacts_status_check"',
  'an owner cannot create a contact in an unknown status');
select throws_ok($$ insert into public.contacts (first_name, source) values ('Ada', 'telepathy') $$,
  '23514', 'new row for relation "contacts" violates check constraint "contacts_source_check"',
  'an owner cannot create a contact from an unknown source');
select throws_ok($$ insert into public.contacts (first_name, external_id) values ('Ada', '') $$,
  '23514', 'new row for relation "contacts" violates check constraint "contacts_external_id_check"',
  'an owner cannot give a contact an empty external id');
select throws_ok($$ insert into public.contacts (first_name, external_id) values ('Another Ada', 'given') $$,
  '23505', 'duplicate key value violates unique constraint "contacts_user_id_external_id_key"',
  'an owner cannot give two contacts the same external id');
select throws_ok($$ insert into public.contacts (first_name, metadata) values ('Ada', '["not", "an", "object"]') $$,
  '23514', 'new row for relation "contacts" violates check constraint "contacts_metadata_check"',
  'an owner cannot store custom fields that are not a JSON object');
select throws_ok($$
  insert into public.contacts (first_name, tags) select 'Ada', array_agg('tag' || n) from generate_series(1, 101) as n
$$, '23514', 'new row for relation "contacts" violates check constraint "contacts_tags_check"',
  'an owner cannot give a contact more than 100 tags');
select throws_ok($$ update public.contacts set legal_hold_reason = 'audit 2025' where external_id = 'given' $$,
  '23514', 'new row for relation "contacts" violates check constraint "contacts_legal_hold_reason_check"',
  'an owner cannot record a legal hold reason without placing the hold');
select lives_ok($$
  update public.contacts set legal_hold = true, legal_hold_reason = 'audit 2025' where external_id = 'given'
$$, 'an owner can place a legal hold with its reason');

select * from finish();
rollback;
