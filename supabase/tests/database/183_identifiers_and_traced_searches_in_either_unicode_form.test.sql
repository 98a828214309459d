-- Identifiers and traced searches in either Unicode form (20251020000064, 20251020000065): a
-- channel identifier stored with combining marks is found as an exact identifier whichever form the
-- query is typed in (the query is NFC since 20251020000057), and the forms a subject's searches are
-- traced by hold each name both composed and decomposed, so a search logged before the query was
-- converted is still found by export and erasure.
begin;
select plan(5);

select tests.create_supabase_user('forms_owner');
insert into public.contacts (id, user_id, first_name, last_name) values
  ('18300000-0000-4000-8000-000000000001', tests.get_supabase_uid('forms_owner'), 'Bob', 'Builder');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('forms_owner'), '18300000-0000-4000-8000-000000000001', 'other', 'rene' || chr(769) || '.42');
insert into public.agents (id, user_id, name) values
  ('18300000-0000-4000-8000-0000000000b1', tests.get_supabase_uid('forms_owner'), 'all contacts');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('forms_owner'), '18300000-0000-4000-8000-0000000000b1', 'all_contacts', 'read');

-- Owner, searching through the agent
select tests.authenticate_as('forms_owner');
select is((select array_agg(contact_id::text || ' ' || match_reason)
           from public.search_contacts_for_agent('18300000-0000-4000-8000-0000000000b1', 'rene' || chr(769) || '.42')),
  array['18300000-0000-4000-8000-000000000001 exact_identifier'],
  'an identifier stored with a combining mark is found by the same spelling');
select is((select array_agg(contact_id::text || ' ' || match_reason)
           from public.search_contacts_for_agent('18300000-0000-4000-8000-0000000000b1', 'ren' || chr(233) || '.42')),
  array['18300000-0000-4000-8000-000000000001 exact_identifier'],
  'and by the composed one');
reset role;

-- The forms searches are traced by
select ok(normalize('zo' || chr(235) || ' ng', nfd) = any (private.search_query_forms(array['Zo' || chr(235) || ' Ng'], '{}')),
  'a composed name is traced in its decomposed form too, as a search logged before the conversion holds it');
select ok('zo' || chr(235) = any (private.search_query_forms(array['Zoe' || chr(776) || ' Ng'], '{}')),
  'and a decomposed one in its composed form, word by word');
select ok(normalize('ren' || chr(233) || '.42', nfd) = any (private.search_query_forms('{}', array['ren' || chr(233) || '.42'])),
  'identifiers are traced in both forms as well');

select * from finish();
rollback;
