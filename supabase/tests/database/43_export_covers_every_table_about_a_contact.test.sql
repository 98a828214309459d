begin;
select plan(22);

-- export_contact_data_for_subject: every row about the data subject, from every table that hangs
-- off public.contacts (found by walking the catalog, so a new child table must join the export),
-- and nothing about other contacts or other owners. Only owners and the service may export.

-- ============================================================================================
-- Setup (superuser): the subject (Erin), a sibling contact of the same owner (Sam), and a contact
-- of another owner; each with channels, groups, a specific grant and interactions.
-- ============================================================================================
select tests.create_supabase_user('export_owner');
select tests.create_supabase_user('export_other_owner');

insert into public.contacts (id, user_id, display_name, first_name, last_name, tags) values
  ('c0430000-0000-4000-8000-000000000001', tests.get_supabase_uid('export_owner'), 'Erin Subject', 'Erin', 'Subject', '{vip}'),
  ('c0430000-0000-4000-8000-000000000002', tests.get_supabase_uid('export_owner'), 'Sam Sibling', 'Sam', 'Sibling', '{vip}'),
  ('c0430000-0000-4000-8000-000000000099', tests.get_supabase_uid('export_other_owner'), 'Olga Outsider', 'Olga', 'Outsider', '{vip}');

insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier) values
  ('d0430000-0000-4000-8000-000000000001', tests.get_supabase_uid('export_owner'), 'c0430000-0000-4000-8000-000000000001', 'email', 'erin.subject@example.com'),
  ('d0430000-0000-4000-8000-000000000002', tests.get_supabase_uid('export_owner'), 'c0430000-0000-4000-8000-000000000001', 'phone', '+447700900431'),
  ('d0430000-0000-4000-8000-000000000003', tests.get_supabase_uid('export_owner'), 'c0430000-0000-4000-8000-000000000002', 'email', 'sam.sibling@example.com'),
  ('d0430000-0000-4000-8000-000000000099', tests.get_supabase_uid('export_other_owner'), 'c0430000-0000-4000-8000-000000000099', 'email', 'olga.outsider@example.com');

insert into public.contact_groups (id, user_id, name, group_type, criteria) values
  ('60430000-0000-4000-8000-000000000001', tests.get_supabase_uid('export_owner'), 'Customers', 'static', null),
  ('60430000-0000-4000-8000-000000000002', tests.get_supabase_uid('export_owner'), 'Newsletter', 'static', null),
  ('60430000-0000-4000-8000-000000000003', tests.get_supabase_uid('export_owner'), 'Sam only', 'static', null),
  ('60430000-0000-4000-8000-000000000004', tests.get_supabase_uid('export_owner'), 'VIPs', 'smart',
    '{"rules": [{"field": "tags", "op": "contains", "value": "vip"}]}'),
  ('60430000-0000-4000-8000-000000000005', tests.get_supabase_uid('export_owner'), 'Sams', 'smart',
    '{"rules": [{"field": "first_name", "op": "equals", "value": "sam"}]}'),
  ('60430000-0000-4000-8000-000000000099', tests.get_supabase_uid('export_other_owner'), 'Outsider VIPs', 'smart',
    '{"rules": [{"field": "tags", "op": "contains", "value": "vip"}]}');
insert into public.contact_group_memberships (user_id, group_id, contact_id) values
  (tests.get_supabase_uid('export_owner'), '60430000-0000-4000-8000-000000000001', 'c0430000-0000-4000-8000-000000000001'),
  (tests.get_supabase_uid('export_owner'), '60430000-0000-4000-8000-000000000002', 'c0430000-0000-4000-8000-000000000001'),
  (tests.get_supabase_uid('export_owner'), '60430000-0000-4000-8000-000000000001', 'c0430000-0000-4000-8000-000000000002'),
  (tests.get_supabase_uid('export_owner'), '60430000-0000-4000-8000-000000000003', 'c0430000-0000-4000-8000-000000000002');

insert into public.agents (id, user_id, name) values
  ('a0430000-0000-4000-8000-000000000001', tests.get_supabase_uid('export_owner'), 'helper'),
  ('a0430000-0000-4000-8000-000000000099', tests.get_supabase_uid('export_other_owner'), 'outsider helper');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type, permission_level) values
  ('70430000-0000-4000-8000-000000000001', tests.get_supabase_uid('export_owner'), 'a0430000-0000-4000-8000-000000000001', 'specific_contacts', 'message'),
  ('70430000-0000-4000-8000-000000000099', tests.get_supabase_uid('export_other_owner'), 'a0430000-0000-4000-8000-000000000099', 'specific_contacts', 'read');
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('export_owner'), '70430000-0000-4000-8000-000000000001', 'a0430000-0000-4000-8000-000000000001', 'c0430000-0000-4000-8000-000000000001'),
  (tests.get_supabase_uid('export_owner'), '70430000-0000-4000-8000-000000000001', 'a0430000-0000-4000-8000-000000000001', 'c0430000-0000-4000-8000-000000000002'),
  (tests.get_supabase_uid('export_other_owner'), '70430000-0000-4000-8000-000000000099', 'a0430000-0000-4000-8000-000000000099', 'c0430000-0000-4000-8000-000000000099');

insert into public.contact_interactions (user_id, contact_id, agent_id, channel_id, channel_type, direction, subject, content, occurred_at) values
  (tests.get_supabase_uid('export_owner'), 'c0430000-0000-4000-8000-000000000001', 'a0430000-0000-4000-8000-000000000001',
    'd0430000-0000-4000-8000-000000000001', 'email', 'outbound', 'Welcome Erin', 'Hello Erin', now() - interval '3 days'),
  (tests.get_supabase_uid('export_owner'), 'c0430000-0000-4000-8000-000000000001', null,
    'd0430000-0000-4000-8000-000000000002', 'phone', 'inbound', null, 'Erin called back', now() - interval '2 days'),
  (tests.get_supabase_uid('export_owner'), 'c0430000-0000-4000-8000-000000000001', null, null, 'other', 'internal', null, 'Note about Erin', now() - interval '1 day'),
  (tests.get_supabase_uid('export_owner'), 'c0430000-0000-4000-8000-000000000002', null,
    'd0430000-0000-4000-8000-000000000003', 'email', 'outbound', 'Welcome Sam', 'Hello Sam', now()),
  (tests.get_supabase_uid('export_other_owner'), 'c0430000-0000-4000-8000-000000000099', null,
    'd0430000-0000-4000-8000-000000000099', 'email', 'inbound', 'From Olga', 'Hello from Olga', now());

-- Every foreign key from a table in public to public.contacts, with the column naming the contact:
-- the catalog's own list of "tables about a contact".
create temporary table contact_child_tables as
select cl.relname::text as table_name, att.attname::text as contact_column
from pg_catalog.pg_constraint con
join pg_catalog.pg_class cl on cl.oid = con.conrelid
join pg_catalog.pg_namespace ns on ns.oid = cl.relnamespace
cross join lateral unnest(con.conkey, con.confkey) as k (child_attnum, parent_attnum)
join pg_catalog.pg_attribute parent_att on parent_att.attrelid = con.confrelid and parent_att.attnum = k.parent_attnum
join pg_catalog.pg_attribute att on att.attrelid = con.conrelid and att.attnum = k.child_attnum
where con.contype = 'f'
  and con.confrelid = 'public.contacts'::regclass
  and ns.nspname = 'public'
  and parent_att.attname = 'id';

-- Rows each such table holds about a contact, counted as superuser straight from the tables.
create function pg_temp.rows_about(subject uuid)
returns table (table_name text, row_count bigint)
language plpgsql
as $$
declare
  child record;
begin
  for child in select * from contact_child_tables order by 1 loop
    table_name := child.table_name;
    execute format('select count(*) from public.%I where %I = $1', child.table_name, child.contact_column)
      into row_count using subject;
    return next;
  end loop;
end;
$$;

create temporary table exported (persona text primary key, bundle jsonb);
grant all on table exported to public;

-- ============================================================================================
-- Owner: the subject's export
-- ============================================================================================
select tests.authenticate_as('export_owner');

insert into exported values ('owner', public.export_contact_data_for_subject('c0430000-0000-4000-8000-000000000001'));

select is((select bundle ->> 'contact_id' from exported where persona = 'owner'), 'c0430000-0000-4000-8000-000000000001',
  'the owner''s export names the subject''s contact id');

select results_eq(
  $$ select e ->> 'id', e ->> 'display_name', e ? 'search_vector'
     from exported, jsonb_array_elements(bundle -> 'contacts') as e where persona = 'owner' $$,
  $$ values ('c0430000-0000-4000-8000-000000000001', 'Erin Subject', false) $$,
  'the export holds the subject''s contact row, without the internal search vector');

select set_eq(
  $$ select (e ->> 'id')::uuid from exported, jsonb_array_elements(bundle -> 'contact_communication_channels') as e where persona = 'owner' $$,
  $$ values ('d0430000-0000-4000-8000-000000000001'::uuid), ('d0430000-0000-4000-8000-000000000002'::uuid) $$,
  'the export holds both of the subject''s channels and no other');

select set_eq(
  $$ select e ->> 'group_name' from exported, jsonb_array_elements(bundle -> 'contact_group_memberships') as e where persona = 'owner' $$,
  $$ values ('Customers'), ('Newsletter') $$,
  'the export holds the subject''s memberships of static groups, with group names');

select set_eq(
  $$ select e ->> 'group_name' from exported, jsonb_array_elements(bundle -> 'smart_groups') as e where persona = 'owner' $$,
  $$ values ('VIPs') $$,
  'the export lists the smart groups whose criteria the subject matches, and only the owner''s');

select results_eq(
  $$ select e ->> 'contact_id', e ->> 'agent_name', e ->> 'permission_level'
     from exported, jsonb_array_elements(bundle -> 'agent_specific_contact_access') as e where persona = 'owner' $$,
  $$ values ('c0430000-0000-4000-8000-000000000001', 'helper', 'message') $$,
  'the export holds the grant naming the subject, with the agent and level');

select results_eq(
  $$ select e ->> 'content' from exported, jsonb_array_elements(bundle -> 'contact_interactions') as e where persona = 'owner' $$,
  $$ values ('Hello Erin'), ('Erin called back'), ('Note about Erin') $$,
  'the export holds the subject''s interactions, oldest first');

select ok(
  (select strpos(bundle::text, 'c0430000-0000-4000-8000-000000000002') = 0 and strpos(bundle::text, 'Sam') = 0
     and strpos(bundle::text, 'sam.sibling') = 0 and strpos(bundle::text, 'Sam only') = 0
   from exported where persona = 'owner'),
  'nothing in the export is about the sibling contact: not its id, name, e-mail or groups');

select ok(
  (select strpos(bundle::text, 'c0430000-0000-4000-8000-000000000099') = 0 and strpos(bundle::text, 'Olga') = 0
     and strpos(bundle::text, 'Outsider') = 0 and strpos(bundle::text, 'outsider') = 0
   from exported where persona = 'owner'),
  'nothing in the export is about another owner: not their contact, groups or agent');

-- ============================================================================================
-- Superuser: completeness, checked against the catalog
-- ============================================================================================
reset role;

select ok((select count(*) >= 4 from contact_child_tables),
  'the catalog walk finds the tables that reference public.contacts (at least channels, memberships, grants, interactions)');

select is(
  (select coalesce(array_agg(t.table_name order by t.table_name), '{}')
   from contact_child_tables t, exported e
   where e.persona = 'owner' and not e.bundle ? t.table_name),
  '{}'::text[],
  'every table in public with a foreign key to public.contacts has a key of its name in the export');

select is(
  (select coalesce(array_agg(r.table_name order by r.table_name), '{}')
   from pg_temp.rows_about('c0430000-0000-4000-8000-000000000001') as r, exported e
   where e.persona = 'owner'
     and r.row_count is distinct from jsonb_array_length(coalesce(e.bundle -> r.table_name, '[]'::jsonb))),
  '{}'::text[],
  'for every such table the export holds exactly as many rows as the table has about the subject');

select ok((select sum(row_count) = 8 from pg_temp.rows_about('c0430000-0000-4000-8000-000000000001')
           where table_name in ('contact_communication_channels', 'contact_group_memberships',
                                'agent_specific_contact_access', 'contact_interactions')),
  'the subject has the 8 child rows set up (2 channels, 2 memberships, 1 grant, 3 interactions)');

select is((select bundle ? 'contacts' from exported where persona = 'owner'), true,
  'the export has a contacts key for the subject''s own row');

-- ============================================================================================
-- service_role: may export any owner's contact
-- ============================================================================================
select tests.authenticate_as_service_role();

select is(
  (select public.export_contact_data_for_subject('c0430000-0000-4000-8000-000000000001') - 'exported_at'),
  (select bundle - 'exported_at' from exported where persona = 'owner'),
  'the service role gets the same export as the owner');

select is(
  jsonb_array_length(public.export_contact_data_for_subject('c0430000-0000-4000-8000-000000000099') -> 'contact_interactions'),
  1,
  'the service role''s export of the other owner''s contact holds only that contact''s interaction');

-- ============================================================================================
-- Agent token: agents never act on data subject requests
-- ============================================================================================
select tests.authenticate_as_agent('export_owner', 'a0430000-0000-4000-8000-000000000001');

select throws_ok(
  $$ select public.export_contact_data_for_subject('c0430000-0000-4000-8000-000000000001') $$,
  '42501', 'agent tokens cannot export personal data',
  'an agent token cannot export a contact, even one it is granted');

-- ============================================================================================
-- Other owner
-- ============================================================================================
select tests.authenticate_as('export_other_owner');

select throws_ok(
  $$ select public.export_contact_data_for_subject('c0430000-0000-4000-8000-000000000001') $$,
  'P0002', 'contact not found',
  'another owner''s contact is answered as not found');

select throws_ok(
  $$ select public.export_contact_data_for_subject('c0430000-0000-4000-8000-0000000000ff') $$,
  'P0002', 'contact not found',
  'a contact id that does not exist is not found');

select is(
  (select jsonb_array_length(public.export_contact_data_for_subject('c0430000-0000-4000-8000-000000000099') -> 'smart_groups')),
  1,
  'the other owner''s own export lists only their own smart group');

select is(
  strpos(public.export_contact_data_for_subject('c0430000-0000-4000-8000-000000000099')::text,
    tests.get_supabase_uid('export_owner')::text),
  0,
  'the other owner''s export of their own contact never mentions the first owner');

-- ============================================================================================
-- anon
-- ============================================================================================
select tests.clear_authentication();

select throws_ok(
  $$ select public.export_contact_data_for_subject('c0430000-0000-4000-8000-000000000001') $$,
  '42501', 'permission denied for function export_contact_data_for_subject',
  'anon cannot execute export_contact_data_for_subject');

select * from finish();
rollback;
