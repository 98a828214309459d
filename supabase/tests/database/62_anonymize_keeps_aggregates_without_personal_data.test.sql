begin;
select plan(11);

-- gdpr_delete_subject, mode anonymize: the subject's rows stay (so counts, timelines and group
-- sizes still add up) but every personal field is wiped: names, metadata, tags, interaction texts
-- and metadata, the free text of any other table that references the contact (a table created a
-- moment ago included), and the channels, which are nothing but identifiers. The same scan as
-- after an erasure then finds nothing of the subject.

-- ============================================================================================
-- Setup (superuser): Quorrin Blathwayte with e-mail, phone, 2 groups, 8 interactions and a note.
-- ============================================================================================
select tests.create_supabase_user('anon62_owner');

insert into public.contacts (id, user_id, first_name, last_name, organization, metadata, tags, external_id) values
  ('c0620000-0000-4000-8000-000000000001', tests.get_supabase_uid('anon62_owner'), 'Quorrin', 'Blathwayte', 'Blathwayte & Sons',
    '{"spouse": "Quorrina Blathwayte"}', '{blathwayte}', 'crm-quorrin'),
  ('c0620000-0000-4000-8000-000000000002', tests.get_supabase_uid('anon62_owner'), 'Maud', 'Remains', null, '{}', '{}', null);
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier) values
  (tests.get_supabase_uid('anon62_owner'), 'c0620000-0000-4000-8000-000000000001', 'email', 'quorrin@blathwayte.example'),
  (tests.get_supabase_uid('anon62_owner'), 'c0620000-0000-4000-8000-000000000001', 'phone', '+33 6 12 34 56 62'),
  (tests.get_supabase_uid('anon62_owner'), 'c0620000-0000-4000-8000-000000000002', 'email', 'maud@example.test');
insert into public.contact_groups (id, user_id, name) values
  ('60620000-0000-4000-8000-000000000001', tests.get_supabase_uid('anon62_owner'), 'Customers'),
  ('60620000-0000-4000-8000-000000000002', tests.get_supabase_uid('anon62_owner'), 'Newsletter');
insert into public.contact_group_memberships (user_id, group_id, contact_id)
select tests.get_supabase_uid('anon62_owner'), g, c
from unnest(array['60620000-0000-4000-8000-000000000001', '60620000-0000-4000-8000-000000000002']::uuid[]) g,
  unnest(array['c0620000-0000-4000-8000-000000000001', 'c0620000-0000-4000-8000-000000000002']::uuid[]) c;
insert into public.contact_interactions (user_id, contact_id, channel_type, interaction_type, direction, subject, content, summary, metadata, occurred_at)
select tests.get_supabase_uid('anon62_owner'), 'c0620000-0000-4000-8000-000000000001', case when n % 2 = 0 then 'email' else 'phone' end,
  case when n % 2 = 0 then 'email' else 'call' end, case when n % 3 = 0 then 'inbound' else 'outbound' end,
  'About Quorrin', 'Quorrin Blathwayte said ' || n, 'Call with Blathwayte', '{"caller": "+33612345662"}', now() - make_interval(days => n * 20)
from generate_series(1, 8) n;

-- Import changes (contract 4): an import overwrote the organization; undo keeps the old value.
insert into public.contact_import_jobs (id, user_id, file_name) values
  ('e0620000-0000-4000-8000-000000000001', tests.get_supabase_uid('anon62_owner'), 'update.csv');
insert into public.contact_import_changes (job_id, contact_id, user_id, action, previous, contact_updated_at) values
  ('e0620000-0000-4000-8000-000000000001', 'c0620000-0000-4000-8000-000000000001', tests.get_supabase_uid('anon62_owner'),
    'updated', '{"organization": "Blathwayte Old Firm"}', now());

create table public.zz_anon_notes (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  contact_id uuid not null,
  kind text not null,
  note text,
  details jsonb not null default '{}'::jsonb,
  foreign key (contact_id, user_id) references public.contacts (id, user_id) on delete cascade
);
insert into public.zz_anon_notes (user_id, contact_id, kind, note, details) values
  (tests.get_supabase_uid('anon62_owner'), 'c0620000-0000-4000-8000-000000000001', 'call', 'Quorrin asked for a refund', '{"by": "Quorrin"}');

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

-- The owner's aggregates: interactions by month, type and direction; members per group; contacts.
create function pg_temp.aggregates()
returns jsonb
language sql
as $$
  select jsonb_build_object(
    'interactions', (select jsonb_agg(s.bucket || '=' || s.n order by s.bucket) from (
       select date_trunc('month', occurred_at)::date::text || '/' || channel_type || '/' || interaction_type || '/' || direction as bucket,
         count(*) as n
       from public.contact_interactions where user_id = tests.get_supabase_uid('anon62_owner') group by 1) s),
    'members', (select jsonb_object_agg(group_id, n) from (
       select group_id, count(*) as n from public.contact_group_memberships where user_id = tests.get_supabase_uid('anon62_owner') group by 1) s),
    'contacts', (select count(*) from public.contacts where user_id = tests.get_supabase_uid('anon62_owner')))
$$;
create temporary table before as select pg_temp.aggregates() as aggregates;
create temporary table receipts (receipt jsonb);
grant all on table receipts to public;

select ok((select count(*) >= 8 from pg_temp.personal_data_hits(array['quorrin', 'blathwayte', '612345662', '6 12 34 56 62'])),
  'before anonymization the scan finds the subject in many columns');

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('anon62_owner');
insert into receipts values (public.gdpr_delete_subject(identifier => 'Quorrin@Blathwayte.example', mode => 'anonymize'));

select ok((select receipt -> 'counts' @> '{"contacts": 1, "contact_interactions": 8, "contact_communication_channels": 2, "zz_anon_notes": 1}'::jsonb
           from receipts),
  'the receipt counts the contact and the 8 interactions wiped, the 2 channels removed and the note wiped');
select is((select receipt ->> 'mode' from receipts), 'anonymize', 'the receipt says anonymize');

-- ============================================================================================
-- Superuser
-- ============================================================================================
reset role;

select is_empty($$ select * from pg_temp.personal_data_hits(array['quorrin', 'blathwayte', '612345662', '6 12 34 56 62']) $$,
  'after anonymization no text-like column of any table in any schema holds the subject''s names, e-mail or phone');
select is((select aggregates from before), pg_temp.aggregates(),
  'interaction counts by month, type and direction, group sizes and the contact count are exactly as before');
select results_eq(
  $$ select status, display_name, first_name, last_name, metadata, tags, external_id from public.contacts
     where id = 'c0620000-0000-4000-8000-000000000001' $$,
  $$ values ('anonymized', 'Anonymized contact', null::text, null::text, '{}'::jsonb, '{}'::text[], null::text) $$,
  'the contact row stays, marked anonymized, without a personal field');
select results_eq(
  $$ select kind, note, details from public.zz_anon_notes where contact_id = 'c0620000-0000-4000-8000-000000000001' $$,
  $$ values ('call', null::text, '{}'::jsonb) $$,
  'in a table the migrations never saw, the row stays with its required enumeration and loses its free text and JSON');
select results_eq(
  $$ select action, previous from public.contact_import_changes where contact_id = 'c0620000-0000-4000-8000-000000000001' $$,
  $$ values ('updated', '{}'::jsonb) $$,
  'the import change stays (the job''s accounting) but the previous values it kept for undo are wiped');
select is((select count(*) from public.contact_communication_channels where contact_id = 'c0620000-0000-4000-8000-000000000001'), 0::bigint,
  'the channels, nothing but identifiers, are removed');
select is((select count(*) from public.contact_suppressions where user_id = tests.get_supabase_uid('anon62_owner') and lifted_at is null), 7::bigint,
  'the anonymized subject''s e-mail and phone are suppressed like an erased subject''s (under the 4 and 3 channel types that can hold them)');
select results_eq(
  $$ select first_name, (select count(*) from public.contact_communication_channels where contact_id = 'c0620000-0000-4000-8000-000000000002')
     from public.contacts where id = 'c0620000-0000-4000-8000-000000000002' $$,
  $$ values ('Maud'::text, 1::bigint) $$,
  'the other contact of the owner keeps its name and channel');

select * from finish();
rollback;
