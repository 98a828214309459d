-- One name, one form (20251020000057): names written with combining marks (NFD, as a macOS export
-- spells them) are stored composed (NFC), whether a contact is inserted or only its job title
-- changes, and the search converts its query the same way, so "Zoë" finds Zoë as a name, typed
-- either way, ahead of the Zoes that only look like her.
begin;
select plan(9);

select tests.create_supabase_user('nfc_owner');
insert into public.agents (id, user_id, name) values
  ('17600000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('nfc_owner'), 'all contacts');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('nfc_owner'), '17600000-0000-4000-8000-0000000000b1', 'all_contacts', 'read');

-- One contact given in NFD, one in NFC, and look-alikes without the diaeresis
insert into public.contacts (id, user_id, first_name, last_name, organization) values
  ('17600000-0000-4000-8000-000000000001', tests.get_supabase_uid('nfc_owner'), 'Zoe' || chr(776), 'Ng', 'Cre' || chr(768) || 'me Bru' || chr(770) || 'le'),
  ('17600000-0000-4000-8000-000000000002', tests.get_supabase_uid('nfc_owner'), 'Ame' || chr(769) || 'lie', 'Lindqvist', null),
  ('17600000-0000-4000-8000-000000000003', tests.get_supabase_uid('nfc_owner'), 'Zoe', 'Other', null),
  ('17600000-0000-4000-8000-000000000004', tests.get_supabase_uid('nfc_owner'), 'Zoe', 'Another', null);
insert into public.contacts (id, user_id, display_name) values
  ('17600000-0000-4000-8000-000000000005', tests.get_supabase_uid('nfc_owner'), chr(201) || 'lodie');

-- Owner
select tests.authenticate_as('nfc_owner');
select is((select first_name from public.contacts where id = '17600000-0000-4000-8000-000000000001'), 'Zo' || chr(235),
  'a first name given with a combining diaeresis is stored composed');
select is((select display_name from public.contacts where id = '17600000-0000-4000-8000-000000000001'), 'Zo' || chr(235) || ' Ng',
  'and so is the display name derived from it');
select is((select organization from public.contacts where id = '17600000-0000-4000-8000-000000000001'), 'Cr' || chr(232) || 'me Br' || chr(251) || 'le',
  'as is the organization');
select is((select display_name from public.contacts where id = '17600000-0000-4000-8000-000000000005'), chr(201) || 'lodie',
  'a name already composed is stored as given');
update public.contacts set job_title = 'Re' || chr(769) || 'gisseuse' where id = '17600000-0000-4000-8000-000000000002';
select is((select job_title from public.contacts where id = '17600000-0000-4000-8000-000000000002'), 'R' || chr(233) || 'gisseuse',
  'a job title changed alone is stored composed too');

-- Owner, searching through the agent
select is((select array_agg(contact_id::text || ' ' || match_reason order by score desc, contact_id)
           from public.search_contacts_for_agent('17600000-0000-4000-8000-0000000000b1', 'zo' || chr(235), result_limit => 1)),
  array['17600000-0000-4000-8000-000000000001 name_prefix'],
  'a composed query finds the contact written with combining marks as a name, first');
select is((select array_agg(contact_id::text || ' ' || match_reason order by score desc, contact_id)
           from public.search_contacts_for_agent('17600000-0000-4000-8000-0000000000b1', 'ame' || chr(769) || 'lie', result_limit => 1)),
  array['17600000-0000-4000-8000-000000000002 name_prefix'],
  'a query typed with a combining mark finds the composed name as a name');
select is((select count(*)::int
           from public.search_contacts_for_agent('17600000-0000-4000-8000-0000000000b1', 'zoe' || chr(776) || ' ng')
           where contact_id = '17600000-0000-4000-8000-000000000001' and match_reason <> 'trigram'),
  1, 'the full name typed with a combining mark is a strong match');
select is((select count(*)::int from public.contacts where user_id = tests.get_supabase_uid('nfc_owner')
           and not (concat(display_name, first_name, last_name, organization, job_title) is nfc normalized)),
  0, 'no name of the owner is stored in another form');
reset role;

select * from finish();
rollback;
