-- The search finds a contact by other spellings (20251020000090: an address's mailbox, a Telegram
-- username with or without its @; 91: a name without accents, ä ö ü as ae oe ue), so erasure and
-- the export (20251020000093) find the searches made in those spellings: an agent found Bea Öztürk
-- six ways and Cem Yılmaz eight, the export lists them all and the erasure removes them all. Never
-- another person's search: 'mueller' found Klaus Muller as a typo only and stays after his erasure, and
-- '@abc12345' found Eli's Telegram channel, not Dora whose external id is abc12345.
begin;
select plan(11);

-- ============================================================================================
-- Setup (superuser): contacts of s206_owner; the helper agent reads every contact.
-- ============================================================================================
select tests.create_supabase_user('s206_owner');
insert into public.contacts (id, user_id, first_name, last_name, external_id) values
  ('20600000-0000-4000-8000-000000000001', tests.get_supabase_uid('s206_owner'), 'Bea', 'Öztürk', null),
  ('20600000-0000-4000-8000-000000000002', tests.get_supabase_uid('s206_owner'), 'Cem', 'Yılmaz', null),
  ('20600000-0000-4000-8000-000000000003', tests.get_supabase_uid('s206_owner'), 'Klaus', 'Muller', null),
  ('20600000-0000-4000-8000-000000000004', tests.get_supabase_uid('s206_owner'), 'Dora', 'Quist', 'abc12345'),
  ('20600000-0000-4000-8000-000000000005', tests.get_supabase_uid('s206_owner'), 'Eli', 'Vance', null);
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('s206_owner'), '20600000-0000-4000-8000-000000000001', 'email', 'robert.brown+crm@gmail.com'),
  (tests.get_supabase_uid('s206_owner'), '20600000-0000-4000-8000-000000000001', 'telegram', '@anna_kuz'),
  (tests.get_supabase_uid('s206_owner'), '20600000-0000-4000-8000-000000000002', 'email', 'c.em+work@gmail.com'),
  (tests.get_supabase_uid('s206_owner'), '20600000-0000-4000-8000-000000000005', 'telegram', 'abc12345');
insert into public.agents (id, user_id, name) values ('a2060000-0000-4000-8000-000000000001', tests.get_supabase_uid('s206_owner'), 'helper');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, valid_from) values
  (tests.get_supabase_uid('s206_owner'), 'a2060000-0000-4000-8000-000000000001', 'all_contacts', now());
create temporary table answers (label text primary key, answer jsonb);
grant all on answers to service_role, authenticated;

-- ============================================================================================
-- Agent tokens: the helper searches
-- ============================================================================================
select tests.authenticate_as_agent('s206_owner', 'a2060000-0000-4000-8000-000000000001');
select results_eq(
  $$ select q.query, (select count(*) from public.search_contacts_for_agent('a2060000-0000-4000-8000-000000000001', q.query) s
                      where s.contact_id = '20600000-0000-4000-8000-000000000001')::int
     from unnest(array['ozturk', 'Öztürk', 'robert.brown@gmail.com', 'anna_kuz', 'Bea Ozturk', 'oeztuerk']) with ordinality as q (query, i) order by q.i $$,
  $$ values ('ozturk', 1), ('Öztürk', 1), ('robert.brown@gmail.com', 1), ('anna_kuz', 1), ('Bea Ozturk', 1), ('oeztuerk', 1) $$,
  'each of the six searches in another spelling finds Bea Öztürk');
select results_eq(
  $$ select q.query, (select count(*) from public.search_contacts_for_agent('a2060000-0000-4000-8000-000000000001', q.query) s
                      where s.contact_id = '20600000-0000-4000-8000-000000000002')::int
     from unnest(array['yilmaz', 'c.em@gmail.com', 'Yılmaz', 'c.em+work@gmail.com', 'yilmaz', 'c.em@gmail.com', 'Yılmaz', 'c.em+work@gmail.com'])
       with ordinality as q (query, i) order by q.i $$,
  $$ values ('yilmaz', 1), ('c.em@gmail.com', 1), ('Yılmaz', 1), ('c.em+work@gmail.com', 1),
            ('yilmaz', 1), ('c.em@gmail.com', 1), ('Yılmaz', 1), ('c.em+work@gmail.com', 1) $$,
  'each of the eight searches finds Cem Yılmaz');
select results_eq(
  $$ select q.query, (select count(*) from public.search_contacts_for_agent('a2060000-0000-4000-8000-000000000001', q.query) s
                      where s.contact_id = '20600000-0000-4000-8000-000000000003' and s.match_reason <> 'trigram')::int
     from unnest(array['Müller', 'mueller']) with ordinality as q (query, i) order by q.i $$,
  $$ values ('Müller', 1), ('mueller', 0) $$,
  'Müller typed with its accent finds Klaus Muller, mueller only as a typo (which no erasure reads)');
select results_eq(
  $$ select contact_id from public.search_contacts_for_agent('a2060000-0000-4000-8000-000000000001', '@abc12345') $$,
  $$ values ('20600000-0000-4000-8000-000000000005'::uuid) $$,
  '@abc12345 finds Eli''s Telegram channel, not Dora whose external id is abc12345');

-- ============================================================================================
-- Owner: exports, then erasures
-- ============================================================================================
select tests.authenticate_as('s206_owner');
select is((public.export_subject_data(contact_id => '20600000-0000-4000-8000-000000000002')::jsonb -> 'counts' ->> 'agent_contact_access_log'), '8',
  'the export of Cem Yılmaz lists the eight searches that found him, in every spelling');
select is((public.export_subject_data(contact_id => '20600000-0000-4000-8000-000000000001')::jsonb -> 'counts' ->> 'agent_contact_access_log'), '6',
  'the export of Bea Öztürk lists the six searches that found her');
insert into answers values ('bea', public.gdpr_delete_contact('20600000-0000-4000-8000-000000000001'));
select is((select answer -> 'counts' ->> 'agent_contact_access_log' from answers where label = 'bea'), '6',
  'erasing Bea Öztürk removes the six searches that found her');
insert into answers values ('muller', public.gdpr_delete_contact('20600000-0000-4000-8000-000000000003'));
insert into answers values ('dora', public.gdpr_delete_contact('20600000-0000-4000-8000-000000000004'));
select is_empty(
  $$ select 1 from public.agent_contact_access_log l
     where l.user_id = tests.get_supabase_uid('s206_owner')
       and l.query_hmac = any (private.owner_hmacs(tests.get_supabase_uid('s206_owner'), array['ozturk', 'öztürk', 'robert.brown@gmail.com', 'anna_kuz', 'bea ozturk', 'oeztuerk', 'müller'])) $$,
  'no search that found Bea Öztürk or Klaus Muller can be confirmed with the owner''s key after their erasure');
select results_eq(
  $$ select count(*)::int from public.agent_contact_access_log l
     where l.user_id = tests.get_supabase_uid('s206_owner')
       and l.query_hmac = any (private.owner_hmacs(tests.get_supabase_uid('s206_owner'), array['mueller', '@abc12345'])) $$,
  $$ values (2) $$,
  'the searches that did not find the erased (mueller for Muller, @abc12345 for Dora) stay');
select is((select count(*)::int from public.agent_contact_access_log l where l.user_id = tests.get_supabase_uid('s206_owner')), 10,
  'Cem Yılmaz''s eight searches stay with the two above');

-- ============================================================================================
-- Service: an address search is keyed by its mailbox, as a keyed hash only
-- ============================================================================================
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.agent_contact_access_log l
           where l.query_key_hmac = any (private.owner_hmacs(tests.get_supabase_uid('s206_owner'), array['mail:cem@gmail.com']))), 4,
  'the four address searches for Cem are keyed by his mailbox, hashed with the owner''s key');

select * from finish();
rollback;
