begin;
select plan(16);

-- gdpr_delete_subject, mode erase (the default): the subject named by an identifier loses every
-- contact that carries it and every row about them, in every table (a table created a moment ago
-- included). Afterwards a scan of every text, varchar, char, array, JSON and tsvector column of
-- every table in every non-system schema finds none of the subject's names, e-mails or phones, not
-- even unkeyed hashes of them. The receipt counts each table and holds only keyed hashes.

-- ============================================================================================
-- Setup (superuser). Subject: Vexworth Pendragast, two contacts (phone on one, WhatsApp with the
-- same number on the other), channels of four types, 3 groups, a grant, interactions, an import
-- error quoting the e-mail, searches in the access log, a consent event quoting the name, notes in
-- a table the migrations never saw. Bystander: Clementine Stayput, same owner. Another owner's contact, Otto Other.
-- ============================================================================================
select tests.create_supabase_user('erase61_owner');
select tests.create_supabase_user('erase61_other');

insert into public.contacts (id, user_id, first_name, last_name, organization, job_title, metadata, tags, external_id) values
  ('c0610000-0000-4000-8000-000000000001', tests.get_supabase_uid('erase61_owner'), 'Vexworth', 'Pendragast', 'Pendragast Mills',
    'Vexworth Chief', '{"nickname": "Vex Pendragast"}', '{pendragast-vip}', 'crm-vexworth'),
  ('c0610000-0000-4000-8000-000000000002', tests.get_supabase_uid('erase61_owner'), 'V.', 'Pendragast', null, null, '{}', '{}', null),
  ('c0610000-0000-4000-8000-000000000003', tests.get_supabase_uid('erase61_owner'), 'Clementine', 'Stayput', null, null, '{}', '{}', null),
  ('c0610000-0000-4000-8000-000000000099', tests.get_supabase_uid('erase61_other'), 'Otto', 'Other', null, null, '{}', '{}', null);
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier, consent_source) values
  ('d0610000-0000-4000-8000-000000000011', tests.get_supabase_uid('erase61_owner'), 'c0610000-0000-4000-8000-000000000001', 'email', 'Vexworth.Pendragast@example.test', 'signed by Vexworth'),
  ('d0610000-0000-4000-8000-000000000012', tests.get_supabase_uid('erase61_owner'), 'c0610000-0000-4000-8000-000000000001', 'phone', '+44 7700 900611', null),
  ('d0610000-0000-4000-8000-000000000013', tests.get_supabase_uid('erase61_owner'), 'c0610000-0000-4000-8000-000000000001', 'telegram', '@vexworth_p', null),
  ('d0610000-0000-4000-8000-000000000021', tests.get_supabase_uid('erase61_owner'), 'c0610000-0000-4000-8000-000000000002', 'whatsapp', '+447700900611', null),
  ('d0610000-0000-4000-8000-000000000031', tests.get_supabase_uid('erase61_owner'), 'c0610000-0000-4000-8000-000000000003', 'email', 'clementine@example.test', null),
  ('d0610000-0000-4000-8000-000000000991', tests.get_supabase_uid('erase61_other'), 'c0610000-0000-4000-8000-000000000099', 'email', 'otto.other@example.test', null);
-- Consent history (contract 2): proof that quotes the subject.
insert into public.contact_consent_events (user_id, contact_id, channel_id, channel_type, status, source, proof_reference) values
  (tests.get_supabase_uid('erase61_owner'), 'c0610000-0000-4000-8000-000000000001', 'd0610000-0000-4000-8000-000000000011', 'email',
    'granted', 'form', 'Signed form of Vexworth Pendragast, 2026-01-02');
insert into public.contact_groups (id, user_id, name)
select ('60610000-0000-4000-8000-00000000000' || n)::uuid, tests.get_supabase_uid('erase61_owner'), 'Group ' || n from generate_series(1, 3) n;
insert into public.contact_group_memberships (user_id, group_id, contact_id)
select tests.get_supabase_uid('erase61_owner'), ('60610000-0000-4000-8000-00000000000' || n)::uuid, c.id
from generate_series(1, 3) n, (values ('c0610000-0000-4000-8000-000000000001'::uuid), ('c0610000-0000-4000-8000-000000000003'::uuid)) c (id);
insert into public.agents (id, user_id, name) values ('a0610000-0000-4000-8000-000000000001', tests.get_supabase_uid('erase61_owner'), 'concierge');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type) values
  ('70610000-0000-4000-8000-000000000001', tests.get_supabase_uid('erase61_owner'), 'a0610000-0000-4000-8000-000000000001', 'all_contacts'),
  ('70610000-0000-4000-8000-000000000002', tests.get_supabase_uid('erase61_owner'), 'a0610000-0000-4000-8000-000000000001', 'specific_contacts');
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('erase61_owner'), '70610000-0000-4000-8000-000000000002', 'a0610000-0000-4000-8000-000000000001', 'c0610000-0000-4000-8000-000000000001');
insert into public.contact_interactions (user_id, contact_id, channel_id, channel_type, direction, subject, content, metadata, occurred_at)
select tests.get_supabase_uid('erase61_owner'), 'c0610000-0000-4000-8000-000000000001', 'd0610000-0000-4000-8000-000000000011', 'email',
  'outbound', 'Hello Vexworth ' || n, 'Dear Vexworth Pendragast, message ' || n, '{"to": "vexworth.pendragast@example.test"}',
  now() - make_interval(days => n)
from generate_series(1, 12) n;
insert into public.contact_interactions (user_id, contact_id, channel_type, direction, content) values
  (tests.get_supabase_uid('erase61_owner'), 'c0610000-0000-4000-8000-000000000002', 'whatsapp', 'inbound', 'Pendragast on +447700900611'),
  (tests.get_supabase_uid('erase61_owner'), 'c0610000-0000-4000-8000-000000000003', 'email', 'outbound', 'Hello Clementine');
insert into public.contact_import_jobs (id, user_id, file_name, total_rows) values
  ('e0610000-0000-4000-8000-000000000001', tests.get_supabase_uid('erase61_owner'), 'leads.csv', 3);
insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason) values
  (tests.get_supabase_uid('erase61_owner'), 'e0610000-0000-4000-8000-000000000001', 2, 'email', 'vexworth.pendragast@example.test', 'duplicate');

create table public.zz_subject_notes (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  contact_id uuid not null,
  note text not null,
  foreign key (contact_id, user_id) references public.contacts (id, user_id) on delete cascade
);
grant select, delete on table public.zz_subject_notes to authenticated;
alter table public.zz_subject_notes enable row level security;
create policy zz_subject_notes_select_policy on public.zz_subject_notes as permissive for select to authenticated
  using (user_id = (select auth.uid()));
create policy zz_subject_notes_delete_policy on public.zz_subject_notes as permissive for delete to authenticated
  using (user_id = (select auth.uid()));
insert into public.zz_subject_notes (user_id, contact_id, note) values
  (tests.get_supabase_uid('erase61_owner'), 'c0610000-0000-4000-8000-000000000001', 'Vexworth prefers mornings'),
  (tests.get_supabase_uid('erase61_owner'), 'c0610000-0000-4000-8000-000000000003', 'Clementine prefers evenings');

-- Every text-like column of every table outside the system schemas that contains one of the
-- terms (case-insensitive), with its number of matching rows.
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
    where ns.nspname not in ('pg_catalog', 'information_schema') and ns.nspname not like 'pg\_%'
      and cl.relkind in ('r', 'p') and cl.relpersistence <> 't'
      -- The Supabase image keeps its own bookkeeping (auth.schema_migrations) from postgres.
      and pg_catalog.has_table_privilege(cl.oid, 'select')
      and att.attnum > 0 and not att.attisdropped
      and att.atttypid in ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype, 'text[]'::regtype, 'varchar[]'::regtype,
                           'json'::regtype, 'jsonb'::regtype, 'tsvector'::regtype, 'name'::regtype)
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

create temporary table subject_terms as
select array['vexworth', 'pendragast', '7700900611', '7700 900611', '@vexworth_p'] as terms;
create temporary table receipts (label text primary key, receipt jsonb);
grant all on table receipts to public;

select ok((select count(*) >= 12 from pg_temp.personal_data_hits((select terms from subject_terms))),
  'before erasure the scan finds the subject in many columns of many tables (so the scan itself works)');

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('erase61_owner');

select ok((select count(*) >= 1 from public.search_contacts_for_agent('a0610000-0000-4000-8000-000000000001', 'Vexworth Pendragast')),
  'before erasure the concierge agent finds the subject by full name (the search is logged)');

insert into receipts values ('erase', public.gdpr_delete_subject(identifier => '0044 7700 900611'));

select is((select receipt -> 'contact_ids' from receipts),
  '["c0610000-0000-4000-8000-000000000001", "c0610000-0000-4000-8000-000000000002"]'::jsonb,
  'the phone number (written with 00 and spaces) designates both contacts that carry it, and both are erased');
select ok((select receipt -> 'counts' @> '{"contacts": 2, "contact_interactions": 13, "contact_communication_channels": 4,
                                           "contact_group_memberships": 3, "agent_specific_contact_access": 1,
                                           "zz_subject_notes": 1, "contact_import_job_errors": 1, "agent_contact_access_log": 1}'::jsonb
           from receipts),
  'the receipt counts every row removed, table by table, the new table and the traces included');
select is((select receipt ->> 'mode' from receipts), 'erase', 'erase is the default mode');
select results_eq(
  $$ select receipt -> 'actor' from receipts $$,
  $$ select jsonb_build_object('role', 'owner', 'user_id', tests.get_supabase_uid('erase61_owner')) $$,
  'the receipt names the actor: the owner');
select is((select jsonb_array_length(receipt -> 'identifier_hashes') from receipts), 4,
  'the receipt holds one hash per identifier key of the subject (e-mail, the phone number once for phone and WhatsApp, the Telegram handle with and without its @)');

-- ============================================================================================
-- Superuser: what is left in the database
-- ============================================================================================
reset role;

select is_empty(
  $$ select * from pg_temp.personal_data_hits((select terms from subject_terms)) $$,
  'after erasure no text-like column of any table in any schema holds the subject''s names, e-mail, phone or handle');
select is_empty(
  $$ select * from pg_temp.personal_data_hits(array[
       encode(extensions.digest('vexworth.pendragast@example.test', 'sha256'), 'hex'),
       encode(extensions.digest('email:vexworth.pendragast@example.test', 'sha256'), 'hex'),
       encode(extensions.digest('+447700900611', 'sha256'), 'hex'),
       encode(extensions.digest('phone:+447700900611', 'sha256'), 'hex')]) $$,
  'no column holds an unkeyed SHA-256 of the subject''s identifiers (that would still be personal data)');
select set_eq(
  $$ select jsonb_array_elements_text(receipt -> 'identifier_hashes') from receipts $$,
  $$ select private.owner_hmac(tests.get_supabase_uid('erase61_owner'), k)
     from unnest(array['email:vexworth.pendragast@example.test', 'phone:+447700900611', 'telegram:@vexworth_p', 'telegram:vexworth_p']) as keys (k) $$,
  'the hashes are HMACs of the identifier keys under the owner''s secret');
select results_eq(
  $$ select request_type, contact_ids, (counts ->> 'contacts')::integer from public.contact_subject_requests
     where id = (select (receipt ->> 'request_id')::uuid from receipts) $$,
  $$ values ('erase', array['c0610000-0000-4000-8000-000000000001', 'c0610000-0000-4000-8000-000000000002']::uuid[], 2) $$,
  'the receipt is stored under its request id');
select is(
  (select count(*) from public.contact_suppressions where user_id = tests.get_supabase_uid('erase61_owner') and lifted_at is null),
  9::bigint, 'the subject''s three identifiers are on the owner''s suppression list, under every channel type that can hold each (4 + 3 + 1, the handle in both spellings)');
select is_empty($$ select 1 from public.contact_interaction_statistics where user_id = tests.get_supabase_uid('erase61_owner') $$,
  'the owner did not choose to keep statistics, so the erased interactions leave no trace');
select results_eq(
  $$ select (select count(*) from public.contacts where id = 'c0610000-0000-4000-8000-000000000003'),
            (select count(*) from public.contact_interactions where contact_id = 'c0610000-0000-4000-8000-000000000003'),
            (select count(*) from public.contact_group_memberships where contact_id = 'c0610000-0000-4000-8000-000000000003'),
            (select count(*) from public.zz_subject_notes where contact_id = 'c0610000-0000-4000-8000-000000000003') $$,
  $$ values (1::bigint, 1::bigint, 3::bigint, 1::bigint) $$,
  'the bystander of the same owner keeps its contact, interaction, memberships and note');
select is(
  (select count(*) from public.contact_communication_channels where user_id = tests.get_supabase_uid('erase61_other')),
  1::bigint, 'the other owner''s contact with the same e-mail is untouched');
select is(
  (select count(*) from public.contact_audit_log
   where contact_id = 'c0610000-0000-4000-8000-000000000001' and action = 'delete' and table_name = 'contacts'),
  1::bigint, 'the audit trail records the deletion (who, when, which columns held values: never the values)');

select * from finish();
rollback;
