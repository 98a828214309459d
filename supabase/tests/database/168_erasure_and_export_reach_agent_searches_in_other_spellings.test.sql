-- An agent searched for Zenobia Quillfeather by her whole name, by each name, and by her number
-- typed two ways (each search found her). The export hands her those five searches (when, which
-- agent, how many results), never another's; erasure (20251020000046) removes all five, so that
-- the owner cannot confirm any of them with the owner's key, and leaves the search for someone
-- else. Agent tokens and other owners get no search of hers through the export's helper.
begin;
select plan(12);

-- ============================================================================================
-- Setup (superuser): Zenobia and Bartholomew are contacts of search168_owner; the helper agent
-- reads every contact.
-- ============================================================================================
select tests.create_supabase_user('search168_owner');
select tests.create_supabase_user('search168_stranger');
insert into public.contacts (id, user_id, first_name, last_name) values
  ('16800000-0000-4000-8000-000000000001', tests.get_supabase_uid('search168_owner'), 'Zenobia', 'Quillfeather'),
  ('16800000-0000-4000-8000-000000000002', tests.get_supabase_uid('search168_owner'), 'Bartholomew', 'Ostrander');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('search168_owner'), '16800000-0000-4000-8000-000000000001', 'email', 'zenobia.quillfeather@example.com'),
  (tests.get_supabase_uid('search168_owner'), '16800000-0000-4000-8000-000000000001', 'phone', '+447700900123'),
  (tests.get_supabase_uid('search168_owner'), '16800000-0000-4000-8000-000000000002', 'phone', '+447700900456');
insert into public.agents (id, user_id, name) values ('a1680000-0000-4000-8000-000000000001', tests.get_supabase_uid('search168_owner'), 'helper');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, valid_from) values
  (tests.get_supabase_uid('search168_owner'), 'a1680000-0000-4000-8000-000000000001', 'all_contacts', now());
create temporary table answers (label text primary key, answer jsonb);
grant all on answers to service_role, authenticated;

-- ============================================================================================
-- Agent tokens: the helper searches for Zenobia five ways, and for Bartholomew once
-- ============================================================================================
select tests.authenticate_as_agent('search168_owner', 'a1680000-0000-4000-8000-000000000001');
select results_eq(
  $$ select q.query, (select count(*) from public.search_contacts_for_agent('a1680000-0000-4000-8000-000000000001', q.query) s
                      where s.contact_id = '16800000-0000-4000-8000-000000000001')::int
     from unnest(array['Zenobia Quillfeather', 'Quillfeather', 'Zenobia', '+44 7700 900123', '07700 900123']) with ordinality as q (query, i) order by q.i $$,
  $$ values ('Zenobia Quillfeather', 1), ('Quillfeather', 1), ('Zenobia', 1), ('+44 7700 900123', 1), ('07700 900123', 1) $$,
  'each of the five searches finds Zenobia');
select is((select count(*)::int from public.search_contacts_for_agent('a1680000-0000-4000-8000-000000000001', 'Ostrander')), 1,
  'the search for Bartholomew finds him');
select is((select n from private.contact_agent_searches('16800000-0000-4000-8000-000000000001', tests.get_supabase_uid('search168_owner'))), 0::bigint,
  'an agent token gets none of Zenobia''s searches through the export''s helper');

-- ============================================================================================
-- Another owner: no search of hers either
-- ============================================================================================
select tests.authenticate_as('search168_stranger');
select is((select n from private.contact_agent_searches('16800000-0000-4000-8000-000000000001', tests.get_supabase_uid('search168_owner'))), 0::bigint,
  'another owner gets none of Zenobia''s searches through the export''s helper');

-- ============================================================================================
-- Owner: exports Zenobia, then erases her
-- ============================================================================================
select tests.authenticate_as('search168_owner');
insert into answers values ('export', public.export_subject_data(contact_id => '16800000-0000-4000-8000-000000000001')::jsonb);
select results_eq(
  $$ select e ->> 'agent_id', e ->> 'agent_name', e ->> 'result_count', e ->> 'caller', e ? 'query', e ? 'query_hmac'
     from answers, jsonb_array_elements(answer -> 'subjects' -> 0 -> 'agent_contact_access_log') as e where label = 'export' $$,
  $$ select 'a1680000-0000-4000-8000-000000000001', 'helper', '1', 'agent', false, false from generate_series(1, 5) $$,
  'the export hands Zenobia the five searches that found her: agent, result count, caller, never the query');
select is((select answer -> 'counts' ->> 'agent_contact_access_log' from answers where label = 'export'), '5',
  'the export counts those five searches');
select is((public.export_subject_data(contact_id => '16800000-0000-4000-8000-000000000002')::jsonb -> 'counts' ->> 'agent_contact_access_log'), '1',
  'Bartholomew''s export holds only the search for him');
insert into answers values ('erase', public.gdpr_delete_subject(contact_id => '16800000-0000-4000-8000-000000000001'));
select is((select answer -> 'counts' ->> 'agent_contact_access_log' from answers where label = 'erase'), '5',
  'the erasure receipt counts the five searches it removed');
-- The owner tries to confirm each spelling with the owner's key, as the review did.
select is_empty(
  $$ select 1 from public.agent_contact_access_log l
     where l.query_hmac = any (private.owner_hmacs(tests.get_supabase_uid('search168_owner'),
             array['zenobia quillfeather', 'quillfeather', 'zenobia', '+44 7700 900123', '07700 900123']))
        or l.query_key_hmac = any (private.owner_hmacs(tests.get_supabase_uid('search168_owner'),
             array['digits:447700900123', 'digits:7700900123'])) $$,
  'no search for Zenobia, in any spelling, can be confirmed after her erasure');
select is((select count(*)::int from public.agent_contact_access_log l where l.user_id = tests.get_supabase_uid('search168_owner')), 1,
  'the search for Bartholomew stays');
reset role;

-- ============================================================================================
-- Service: a repeat by her number finds nothing more; the log holds hashes only
-- ============================================================================================
select tests.authenticate_as_service_role();
select is((public.gdpr_delete_subject(identifier => '+447700900123', owner_id => tests.get_supabase_uid('search168_owner')) -> 'counts' ->> 'agent_contact_access_log'), '5',
  'a repeat by her number answers the first receipt: nothing of hers was left');
reset role;
select is_empty(
  $$ select 1 from public.agent_contact_access_log l where l.query_key_hmac is not null and l.query_key_hmac !~ '^[0-9a-f]{64}$' $$,
  'the digits of a searched number are kept as a keyed hash only');

select * from finish();
rollback;
