begin;
select plan(33);

-- gdpr_delete_contact: erase removes the subject and everything about it; anonymize keeps the rows
-- but no personal data. Either way a scan of every text-like column of every table in public and
-- private (built from the catalog, so new tables and columns are covered) finds nothing of the
-- subject. Legal holds are honoured; other contacts and owners are untouched; agents cannot ask.

-- ============================================================================================
-- Setup (superuser). Subjects carry made-up, distinctive strings so the scan cannot confuse them
-- with anything else in the database.
--   c...01 Zyxqvor Plimbetto   erased
--   c...02 Quembly Vortigax    anonymized
--   c...03 Heldon Frostwick    under legal hold
--   c...04 Barnaby Bystander   same owner, must stay untouched
--   c...05 Importa Residua     erased; an import error row quotes the e-mail
--   c...99 Otto Othery         another owner's contact, must stay untouched
-- ============================================================================================
select tests.create_supabase_user('gdpr_owner');
select tests.create_supabase_user('gdpr_other_owner');

insert into public.contacts
  (id, user_id, first_name, last_name, display_name, organization, job_title, metadata, tags, external_id, legal_hold, legal_hold_reason) values
  ('c0440000-0000-4000-8000-000000000001', tests.get_supabase_uid('gdpr_owner'), 'Zyxqvor', 'Plimbetto', 'Zyxqvor Plimbetto',
    'Plimbetto Holdings', 'Chief Zyxqvor Officer', '{"nickname": "Zyxqvor the Great", "birthday": "1980-02-29"}', '{zyxqvor-fan}',
    'crm-zyxqvor-1', false, null),
  ('c0440000-0000-4000-8000-000000000002', tests.get_supabase_uid('gdpr_owner'), 'Quembly', 'Vortigax', 'Quembly Vortigax',
    'Vortigax GmbH', 'Quembly Specialist', '{"nickname": "Quembly"}', '{vortigax-club}', 'crm-vortigax-2', false, null),
  ('c0440000-0000-4000-8000-000000000003', tests.get_supabase_uid('gdpr_owner'), 'Heldon', 'Frostwick', 'Heldon Frostwick',
    null, null, '{}', '{}', null, true, 'Litigation Frostwick v. Owner'),
  ('c0440000-0000-4000-8000-000000000004', tests.get_supabase_uid('gdpr_owner'), 'Barnaby', 'Bystander', 'Barnaby Bystander',
    null, null, '{"note": "keeps everything"}', '{regular}', 'crm-bystander-4', false, null),
  ('c0440000-0000-4000-8000-000000000005', tests.get_supabase_uid('gdpr_owner'), 'Importa', 'Residua', 'Importa Residua',
    null, null, '{}', '{}', null, false, null),
  ('c0440000-0000-4000-8000-000000000099', tests.get_supabase_uid('gdpr_other_owner'), 'Otto', 'Othery', 'Otto Othery',
    null, null, '{}', '{}', null, false, null);

insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier, consent_source) values
  ('d0440000-0000-4000-8000-000000000011', tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000001', 'email', 'Zyxqvor.Plimbetto@example.test', 'form signed by Zyxqvor'),
  ('d0440000-0000-4000-8000-000000000012', tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000001', 'phone', '+44 7700 900123', null),
  ('d0440000-0000-4000-8000-000000000013', tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000001', 'whatsapp', '+447700900123', null),
  ('d0440000-0000-4000-8000-000000000021', tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000002', 'email', 'quembly.vortigax@example.test', null),
  ('d0440000-0000-4000-8000-000000000022', tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000002', 'phone', '+447700900456', null),
  ('d0440000-0000-4000-8000-000000000031', tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000003', 'email', 'heldon.frostwick@example.test', null),
  ('d0440000-0000-4000-8000-000000000041', tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000004', 'email', 'barnaby.bystander@example.test', null),
  ('d0440000-0000-4000-8000-000000000051', tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000005', 'email', 'importa.residua@example.test', null),
  ('d0440000-0000-4000-8000-000000000991', tests.get_supabase_uid('gdpr_other_owner'), 'c0440000-0000-4000-8000-000000000099', 'email', 'otto.othery@example.test', null);

insert into public.contact_groups (id, user_id, name) values
  ('60440000-0000-4000-8000-000000000001', tests.get_supabase_uid('gdpr_owner'), 'Customers');
insert into public.contact_group_memberships (user_id, group_id, contact_id) values
  (tests.get_supabase_uid('gdpr_owner'), '60440000-0000-4000-8000-000000000001', 'c0440000-0000-4000-8000-000000000001'),
  (tests.get_supabase_uid('gdpr_owner'), '60440000-0000-4000-8000-000000000001', 'c0440000-0000-4000-8000-000000000002'),
  (tests.get_supabase_uid('gdpr_owner'), '60440000-0000-4000-8000-000000000001', 'c0440000-0000-4000-8000-000000000004');

insert into public.agents (id, user_id, name) values
  ('a0440000-0000-4000-8000-000000000001', tests.get_supabase_uid('gdpr_owner'), 'concierge');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type, permission_level) values
  ('70440000-0000-4000-8000-000000000001', tests.get_supabase_uid('gdpr_owner'), 'a0440000-0000-4000-8000-000000000001', 'specific_contacts', 'write');
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('gdpr_owner'), '70440000-0000-4000-8000-000000000001', 'a0440000-0000-4000-8000-000000000001', 'c0440000-0000-4000-8000-000000000001'),
  (tests.get_supabase_uid('gdpr_owner'), '70440000-0000-4000-8000-000000000001', 'a0440000-0000-4000-8000-000000000001', 'c0440000-0000-4000-8000-000000000003'),
  (tests.get_supabase_uid('gdpr_owner'), '70440000-0000-4000-8000-000000000001', 'a0440000-0000-4000-8000-000000000001', 'c0440000-0000-4000-8000-000000000004');

insert into public.contact_interactions
  (user_id, contact_id, agent_id, channel_id, channel_type, direction, subject, content, summary, error_message, metadata, delivery_status, failed_at) values
  (tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000001', 'a0440000-0000-4000-8000-000000000001',
    'd0440000-0000-4000-8000-000000000011', 'email', 'outbound', 'Hello Zyxqvor', 'Dear Zyxqvor Plimbetto, your order shipped.',
    'Told Zyxqvor about the order', null, '{"to": "zyxqvor.plimbetto@example.test"}', 'queued', null),
  (tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000001', null,
    'd0440000-0000-4000-8000-000000000012', 'phone', 'inbound', null, 'Plimbetto called from +44 7700 900123', null, null, '{}', 'queued', null),
  (tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000001', null,
    'd0440000-0000-4000-8000-000000000013', 'whatsapp', 'outbound', null, 'Hi Zyxqvor!', null,
    'recipient +447700900123 unreachable', '{}', 'failed', now()),
  (tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000002', null,
    'd0440000-0000-4000-8000-000000000021', 'email', 'outbound', 'Hello Quembly', 'Dear Quembly Vortigax, welcome.',
    'Welcomed Vortigax', null, '{"to": "quembly.vortigax@example.test"}', 'queued', null),
  (tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000002', null,
    'd0440000-0000-4000-8000-000000000022', 'phone', 'outbound', null, 'SMS to +447700900456 failed', null,
    'Vortigax number +447700900456 blocked', '{"number": "+447700900456"}', 'failed', now()),
  (tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000003', null,
    'd0440000-0000-4000-8000-000000000031', 'email', 'inbound', 'Frostwick claim', 'Heldon Frostwick writes about the case.',
    null, null, '{}', 'queued', null),
  (tests.get_supabase_uid('gdpr_owner'), 'c0440000-0000-4000-8000-000000000004', null,
    'd0440000-0000-4000-8000-000000000041', 'email', 'outbound', 'Hello Barnaby', 'Dear Barnaby, thanks.', null, null, '{}', 'queued', null),
  (tests.get_supabase_uid('gdpr_other_owner'), 'c0440000-0000-4000-8000-000000000099', null,
    'd0440000-0000-4000-8000-000000000991', 'email', 'inbound', 'Hi', 'Otto here.', null, null, '{}', 'queued', null);

-- An import in which a line was skipped because its e-mail duplicated Importa Residua's.
insert into public.contact_import_jobs (id, user_id, file_name, total_rows) values
  ('e0440000-0000-4000-8000-000000000001', tests.get_supabase_uid('gdpr_owner'), 'customers.csv', 2);
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason) values
  (tests.get_supabase_uid('gdpr_owner'), 'e0440000-0000-4000-8000-000000000001', 3, 'email', 'importa.residua@example.test',
    'duplicate of an existing contact');

-- Every text-like column (text, varchar, char, their arrays, json, jsonb, tsvector) of every table
-- in public and private that contains one of the terms, with its number of matching rows.
create function pg_temp.personal_data_hits(terms text[])
returns table (location text, hits bigint)
language plpgsql
as $$
declare
  col record;
begin
  for col in
    select ns.nspname, cl.relname, att.attname
    from pg_catalog.pg_attribute att
    join pg_catalog.pg_class cl on cl.oid = att.attrelid
    join pg_catalog.pg_namespace ns on ns.oid = cl.relnamespace
    where ns.nspname in ('public', 'private')
      and cl.relkind in ('r', 'p')
      and att.attnum > 0 and not att.attisdropped
      and att.atttypid in ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype, 'text[]'::regtype,
                           'varchar[]'::regtype, 'json'::regtype, 'jsonb'::regtype, 'tsvector'::regtype)
    order by 1, 2, 3
  loop
    location := format('%I.%I.%I', col.nspname, col.relname, col.attname);
    execute format(
      'select count(*) from %I.%I as t where exists (select 1 from unnest($1) as term where strpos(lower(t.%I::text), lower(term)) > 0)',
      col.nspname, col.relname, col.attname)
      into hits using terms;
    if hits > 0 then
      return next;
    end if;
  end loop;
end;
$$;

-- Everything held about a contact, as one value: compared before and after to prove it untouched.
create function pg_temp.everything_about(contact uuid)
returns jsonb
language sql
as $$
  select jsonb_build_object(
    'contact', (select to_jsonb(c) from public.contacts c where c.id = contact),
    'channels', (select jsonb_agg(to_jsonb(x) order by x.id) from public.contact_communication_channels x where x.contact_id = contact),
    'memberships', (select jsonb_agg(to_jsonb(x) order by x.group_id) from public.contact_group_memberships x where x.contact_id = contact),
    'grants', (select jsonb_agg(to_jsonb(x) order by x.id) from public.agent_specific_contact_access x where x.contact_id = contact),
    'interactions', (select jsonb_agg(to_jsonb(x) order by x.id) from public.contact_interactions x where x.contact_id = contact))
$$;

create temporary table snapshots as
select c.id as contact_id, pg_temp.everything_about(c.id) as everything
from public.contacts c
where c.id in ('c0440000-0000-4000-8000-000000000003', 'c0440000-0000-4000-8000-000000000004', 'c0440000-0000-4000-8000-000000000099');

create temporary table receipts (subject text primary key, receipt jsonb);
grant all on table receipts to public;
create temporary table hold_attempts (actor text primary key, lifted boolean);
grant all on table hold_attempts to public;

select ok(
  (select count(*) >= 10 from pg_temp.personal_data_hits(array['zyxqvor', 'plimbetto', '7700900123', '7700 900123'])),
  'before erasure the scan finds the first subject in many columns (so the scan itself works)');

-- ============================================================================================
-- Agent token: agents never act on data subject requests
-- ============================================================================================
select tests.authenticate_as_agent('gdpr_owner', 'a0440000-0000-4000-8000-000000000001');

select throws_ok(
  $$ select public.gdpr_delete_contact('c0440000-0000-4000-8000-000000000004') $$,
  '42501', 'agent tokens cannot delete personal data',
  'an agent token cannot erase a contact, even one it may write');

select throws_ok(
  $$ select public.gdpr_delete_contact('c0440000-0000-4000-8000-000000000004', 'anonymize') $$,
  '42501', 'agent tokens cannot delete personal data',
  'an agent token cannot anonymize a contact either');

-- The agent (granted write on the held contact) tries to lift the legal hold. The attempt runs in a
-- subtransaction that is always undone, so only whether it succeeded is kept: a hold lifted here
-- would otherwise let every later erase succeed and hide which rule failed.
do $$
declare
  lifted boolean := false;
begin
  begin
    update public.contacts set legal_hold = false, legal_hold_reason = null
    where id = 'c0440000-0000-4000-8000-000000000003';
    lifted := found;
    raise exception 'undo the attempt';
  exception when others then
    null;
  end;
  insert into hold_attempts values ('agent', lifted);
end;
$$;

select is((select lifted from hold_attempts where actor = 'agent'), false,
  'an agent token, even with a write grant on the contact, cannot lift its legal hold');

-- ============================================================================================
-- Other owner
-- ============================================================================================
select tests.authenticate_as('gdpr_other_owner');

select throws_ok(
  $$ select public.gdpr_delete_contact('c0440000-0000-4000-8000-000000000004') $$,
  'P0002', 'contact not found',
  'another owner''s contact is answered as not found and not erased');

select throws_ok(
  $$ select public.gdpr_delete_contact('c0440000-0000-4000-8000-000000000004', 'anonymize') $$,
  'P0002', 'contact not found',
  'another owner''s contact is answered as not found and not anonymized');

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('gdpr_owner');

select is(
  (select count(*) from public.search_contacts_for_agent('a0440000-0000-4000-8000-000000000001', 'Zyxqvor.Plimbetto@example.test')),
  1::bigint,
  'before erasure the owner finds the subject by e-mail through the concierge agent (the search is logged)');

select is(
  (select count(*) from public.search_contacts_for_agent('a0440000-0000-4000-8000-000000000001', 'Zyxqvor Plimbetto')),
  1::bigint,
  'before erasure the owner finds the subject by full name (logged too)');

insert into receipts values ('erased', public.gdpr_delete_contact('c0440000-0000-4000-8000-000000000001'));
insert into receipts values ('anonymized', public.gdpr_delete_contact('c0440000-0000-4000-8000-000000000002', 'anonymize'));

select results_eq(
  $$ select receipt ->> 'contact_id', receipt ->> 'mode' from receipts where subject = 'erased' $$,
  $$ values ('c0440000-0000-4000-8000-000000000001', 'erase') $$,
  'the erase receipt names the contact and the mode');

select ok(
  (select receipt -> 'counts' @> '{"contacts": 1, "contact_interactions": 3, "contact_communication_channels": 3,
                                   "contact_group_memberships": 1, "agent_specific_contact_access": 1}'::jsonb
   from receipts where subject = 'erased'),
  'the erase receipt counts every row removed, table by table: 1 contact, 3 interactions, 3 channels, 1 membership, 1 grant');

select ok((select (receipt ->> 'processed_at')::timestamptz is not null from receipts where subject = 'erased'),
  'the erase receipt carries the time of processing');

select is_empty(
  $$ select 1 from public.contacts where id = 'c0440000-0000-4000-8000-000000000001' $$,
  'the erased contact is gone');

select results_eq(
  $$ select receipt ->> 'contact_id', receipt ->> 'mode', receipt -> 'counts' @> '{"contacts": 1, "contact_interactions": 2, "contact_communication_channels": 2}'::jsonb
     from receipts where subject = 'anonymized' $$,
  $$ values ('c0440000-0000-4000-8000-000000000002', 'anonymize', true) $$,
  'the anonymize receipt counts the contact, its 2 wiped (kept) interactions and its 2 removed channels');

select results_eq(
  $$ select status, display_name, first_name, last_name, organization, job_title, metadata, tags, external_id
     from public.contacts where id = 'c0440000-0000-4000-8000-000000000002' $$,
  $$ values ('anonymized', 'Anonymized contact', null::text, null::text, null::text, null::text, '{}'::jsonb, '{}'::text[], null::text) $$,
  'the anonymized contact is kept, with status anonymized and every personal field wiped');

select results_eq(
  $$ select count(*), count(content), count(subject), count(summary), count(error_message)
     from public.contact_interactions where contact_id = 'c0440000-0000-4000-8000-000000000002' $$,
  $$ values (2::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint) $$,
  'the anonymized contact''s interactions are kept, without subject, content, summary or error text');

select results_eq(
  $$ select count(*) from public.contact_group_memberships where contact_id = 'c0440000-0000-4000-8000-000000000002' $$,
  $$ values (1::bigint) $$,
  'the anonymized contact keeps its group membership (no personal data in it)');

select throws_ok(
  $$ select public.gdpr_delete_contact('c0440000-0000-4000-8000-000000000003') $$,
  '55000', 'contact is under legal hold and cannot be erased or anonymized',
  'a contact under legal hold cannot be erased');

select throws_ok(
  $$ select public.gdpr_delete_contact('c0440000-0000-4000-8000-000000000003', 'anonymize') $$,
  '55000', 'contact is under legal hold and cannot be erased or anonymized',
  'a contact under legal hold cannot be anonymized');

select throws_ok(
  $$ select public.gdpr_delete_contact('c0440000-0000-4000-8000-000000000001') $$,
  'P0002', 'contact not found',
  'erasing the same contact a second time answers not found');

select throws_ok(
  $$ select public.gdpr_delete_contact('c0440000-0000-4000-8000-000000000004', 'shred') $$,
  '22023', 'mode must be erase or anonymize',
  'an unknown mode is rejected');

select lives_ok(
  $$ select public.gdpr_delete_contact('c0440000-0000-4000-8000-000000000005') $$,
  'the owner can erase the contact whose e-mail an import error quotes');

-- ============================================================================================
-- Superuser: what is left in the database
-- ============================================================================================
reset role;

select is_empty(
  $$ select * from pg_temp.personal_data_hits(array['zyxqvor', 'plimbetto', '7700900123', '7700 900123']) $$,
  'after erasure no text, array, JSON or tsvector column in public or private holds the erased subject''s names, e-mail or phone');

select is_empty(
  $$ select 1 from public.contact_communication_channels where id in (
       'd0440000-0000-4000-8000-000000000011', 'd0440000-0000-4000-8000-000000000012', 'd0440000-0000-4000-8000-000000000013')
     union all select 1 from public.contact_interactions where contact_id = 'c0440000-0000-4000-8000-000000000001'
     union all select 1 from public.contact_group_memberships where contact_id = 'c0440000-0000-4000-8000-000000000001'
     union all select 1 from public.agent_specific_contact_access where contact_id = 'c0440000-0000-4000-8000-000000000001' $$,
  'after erasure no channel, interaction, membership or grant of the subject remains');

select is_empty(
  $$ select * from pg_temp.personal_data_hits(array[
       encode(extensions.digest('zyxqvor.plimbetto@example.test', 'sha256'), 'hex'),
       encode(extensions.digest('zyxqvor plimbetto', 'sha256'), 'hex')]) $$,
  'after erasure no column holds the SHA-256 of the subject''s e-mail or name (an unsalted hash of an identifier is still personal data)');

select is_empty(
  $$ select * from pg_temp.personal_data_hits(array['quembly', 'vortigax', '7700900456']) $$,
  'after anonymization the same scan finds none of the anonymized subject''s names, e-mail or phone');

select is_empty(
  $$ select * from pg_temp.personal_data_hits(array['importa', 'residua']) $$,
  'after erasure no import error row still quotes the erased subject''s e-mail');

select is(
  pg_temp.everything_about('c0440000-0000-4000-8000-000000000003'),
  (select everything from snapshots where contact_id = 'c0440000-0000-4000-8000-000000000003'),
  'the contact under legal hold, its channel and its interaction are exactly as before');

select is(
  pg_temp.everything_about('c0440000-0000-4000-8000-000000000004'),
  (select everything from snapshots where contact_id = 'c0440000-0000-4000-8000-000000000004'),
  'the bystander contact of the same owner, with its channel, membership, grant and interaction, is exactly as before');

select is(
  pg_temp.everything_about('c0440000-0000-4000-8000-000000000099'),
  (select everything from snapshots where contact_id = 'c0440000-0000-4000-8000-000000000099'),
  'the other owner''s contact is exactly as before');

select ok(
  (select count(*) >= 3 from pg_temp.personal_data_hits(array['heldon', 'frostwick'])),
  'the held contact''s data is still found by the scan');

select results_eq(
  $$ select count(*) from public.contact_groups where id = '60440000-0000-4000-8000-000000000001' $$,
  $$ values (1::bigint) $$,
  'the group the erased subject belonged to still exists');

select results_eq(
  $$ select count(*) from public.agent_contact_permissions where id = '70440000-0000-4000-8000-000000000001' $$,
  $$ values (1::bigint) $$,
  'the grant that listed the erased subject still exists for the contacts it lists');

-- ============================================================================================
-- anon
-- ============================================================================================
select tests.clear_authentication();

select throws_ok(
  $$ select public.gdpr_delete_contact('c0440000-0000-4000-8000-000000000004') $$,
  '42501', 'permission denied for function gdpr_delete_contact',
  'anon cannot execute gdpr_delete_contact');

select * from finish();
rollback;
