begin;
select plan(28);

-- merge_contacts: everything about the duplicate moves to the survivor in one transaction. The
-- checks walk the catalog (every table in public with a contact_id column), so a table added later
-- is covered without an edit here: no row is left on the duplicate, and every row is either on the
-- survivor or was dropped as a repeat of one the survivor had. Unique keys hold (one membership per
-- group, one listing per grant, one primary channel per type); the survivor's empty fields are
-- filled; the merge record holds no personal data; a dry run writes nothing and reports exactly
-- what the merge then does; a second call reports the merge that happened.

-- ============================================================================================
-- Setup (superuser)
--   c...01 survivor  'Ada Lovelace' (no last name, organization or external id), e-mail + phone
--   c...02 duplicate 'Ada Lovelace', with last name, organization, title, external id; e-mail
--          (consent withdrawn), whatsapp and a second phone; 3 interactions, an import change
--   c...03 bystander of the same owner
--   c...04 / c...05 a second pair, merged with fields picked one by one
-- Groups: g...01 has both, g...02 the duplicate only. Grants: p...01 lists both, p...02 the duplicate.
-- ============================================================================================
select tests.create_supabase_user('merge_owner');

insert into public.contacts (id, user_id, first_name, last_name, display_name, organization, job_title, external_id, tags, metadata) values
  ('c0930000-0000-4000-8000-000000000001', tests.get_supabase_uid('merge_owner'), 'Ada', null, 'Ada Lovelace', null,
   'Mathematician', null, '{vip}', '{"a": 1}'),
  ('c0930000-0000-4000-8000-000000000002', tests.get_supabase_uid('merge_owner'), 'Ada', 'Lovelace', 'Ada Lovelace',
   'Analytical Engines', 'Countess', 'CRM-7', '{lead,vip}', '{"a": 2, "b": 3}'),
  ('c0930000-0000-4000-8000-000000000003', tests.get_supabase_uid('merge_owner'), 'Bea', 'Bystander', 'Bea Bystander',
   null, null, null, '{}', '{}'),
  ('c0930000-0000-4000-8000-000000000004', tests.get_supabase_uid('merge_owner'), 'Charles', null, 'Charles Babbage', null,
   null, null, '{inventor}', '{}'),
  ('c0930000-0000-4000-8000-000000000005', tests.get_supabase_uid('merge_owner'), 'Charlie', 'Babbage', 'Charlie Babbage', null,
   null, null, '{friend}', '{}');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier, is_primary, consent_status) values
  ('d0930000-0000-4000-8000-000000000001', tests.get_supabase_uid('merge_owner'), 'c0930000-0000-4000-8000-000000000001', 'email', 'ada@example.com', true, 'granted'),
  ('d0930000-0000-4000-8000-000000000002', tests.get_supabase_uid('merge_owner'), 'c0930000-0000-4000-8000-000000000001', 'phone', '+442071230001', true, 'unknown'),
  ('d0930000-0000-4000-8000-000000000003', tests.get_supabase_uid('merge_owner'), 'c0930000-0000-4000-8000-000000000002', 'email', 'countess@example.com', true, 'withdrawn'),
  ('d0930000-0000-4000-8000-000000000004', tests.get_supabase_uid('merge_owner'), 'c0930000-0000-4000-8000-000000000002', 'whatsapp', '+442071230002', true, 'unknown'),
  ('d0930000-0000-4000-8000-000000000005', tests.get_supabase_uid('merge_owner'), 'c0930000-0000-4000-8000-000000000002', 'phone', '+442071230003', false, 'unknown'),
  ('d0930000-0000-4000-8000-000000000006', tests.get_supabase_uid('merge_owner'), 'c0930000-0000-4000-8000-000000000003', 'email', 'bea@example.com', true, 'unknown');
insert into public.contact_groups (id, user_id, name) values
  ('60930000-0000-4000-8000-000000000001', tests.get_supabase_uid('merge_owner'), 'Both'),
  ('60930000-0000-4000-8000-000000000002', tests.get_supabase_uid('merge_owner'), 'Duplicate only');
insert into public.contact_group_memberships (user_id, group_id, contact_id) values
  (tests.get_supabase_uid('merge_owner'), '60930000-0000-4000-8000-000000000001', 'c0930000-0000-4000-8000-000000000001'),
  (tests.get_supabase_uid('merge_owner'), '60930000-0000-4000-8000-000000000001', 'c0930000-0000-4000-8000-000000000002'),
  (tests.get_supabase_uid('merge_owner'), '60930000-0000-4000-8000-000000000002', 'c0930000-0000-4000-8000-000000000002');
insert into public.agents (id, user_id, name) values
  ('a0930000-0000-4000-8000-000000000001', tests.get_supabase_uid('merge_owner'), 'Helper');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type) values
  ('70930000-0000-4000-8000-000000000001', tests.get_supabase_uid('merge_owner'), 'a0930000-0000-4000-8000-000000000001', 'specific_contacts'),
  ('70930000-0000-4000-8000-000000000002', tests.get_supabase_uid('merge_owner'), 'a0930000-0000-4000-8000-000000000001', 'specific_contacts');
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (tests.get_supabase_uid('merge_owner'), '70930000-0000-4000-8000-000000000001', 'a0930000-0000-4000-8000-000000000001', 'c0930000-0000-4000-8000-000000000001'),
  (tests.get_supabase_uid('merge_owner'), '70930000-0000-4000-8000-000000000001', 'a0930000-0000-4000-8000-000000000001', 'c0930000-0000-4000-8000-000000000002'),
  (tests.get_supabase_uid('merge_owner'), '70930000-0000-4000-8000-000000000002', 'a0930000-0000-4000-8000-000000000001', 'c0930000-0000-4000-8000-000000000002');
insert into public.contact_interactions (user_id, contact_id, agent_id, channel_id, channel_type, direction, content) values
  (tests.get_supabase_uid('merge_owner'), 'c0930000-0000-4000-8000-000000000001', null, 'd0930000-0000-4000-8000-000000000001', 'email', 'outbound', 'To the survivor'),
  (tests.get_supabase_uid('merge_owner'), 'c0930000-0000-4000-8000-000000000002', 'a0930000-0000-4000-8000-000000000001', 'd0930000-0000-4000-8000-000000000003', 'email', 'outbound', 'To the duplicate by e-mail'),
  (tests.get_supabase_uid('merge_owner'), 'c0930000-0000-4000-8000-000000000002', null, 'd0930000-0000-4000-8000-000000000004', 'whatsapp', 'inbound', 'From the duplicate on WhatsApp'),
  (tests.get_supabase_uid('merge_owner'), 'c0930000-0000-4000-8000-000000000002', null, null, 'other', 'internal', 'Note about the duplicate');
insert into public.contact_import_jobs (id, user_id, file_name) values
  ('e0930000-0000-4000-8000-000000000001', tests.get_supabase_uid('merge_owner'), 'people.csv');
insert into public.contact_import_changes (job_id, contact_id, user_id, action, contact_updated_at) values
  ('e0930000-0000-4000-8000-000000000001', 'c0930000-0000-4000-8000-000000000002', tests.get_supabase_uid('merge_owner'), 'created', now());

-- Rows each table with a contact_id column holds about a contact, counted as superuser.
create function pg_temp.rows_about(subject uuid)
returns table (table_name text, row_count bigint)
language plpgsql
as $$
declare
  child record;
begin
  for child in
    select c.relname from pg_catalog.pg_class c
    join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attname = 'contact_id' and not a.attisdropped
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') order by 1
  loop
    table_name := child.relname;
    execute format('select count(*) from public.%I where contact_id = $1', child.relname) into row_count using subject;
    return next;
  end loop;
end;
$$;
create temporary table before_merge as
select s.table_name, s.row_count as survivor_rows, d.row_count as duplicate_rows
from pg_temp.rows_about('c0930000-0000-4000-8000-000000000001') s
join pg_temp.rows_about('c0930000-0000-4000-8000-000000000002') d using (table_name);
create temporary table reports (label text primary key, report jsonb);
grant all on table before_merge, reports to public;

select ok((select count(*) >= 7 from before_merge),
  'the catalog walk finds the tables about a contact (channels, memberships, grants, interactions, consent, audit, import changes)');
select ok((select sum(duplicate_rows) >= 14 from before_merge),
  'the duplicate has rows in the tables about it before the merge');

-- ============================================================================================
-- Owner: dry run
-- ============================================================================================
select tests.authenticate_as('merge_owner');

insert into reports values ('dry run', public.merge_contacts('c0930000-0000-4000-8000-000000000001',
  'c0930000-0000-4000-8000-000000000002', '{"dry_run": true}'));
select is((select report ->> 'status' from reports where label = 'dry run'), 'dry_run', 'a dry run reports itself as such');
select is((select report ->> 'merge_id' from reports where label = 'dry run'), null, 'a dry run records no merge');

reset role;
select is_empty(
  $$ select b.table_name from before_merge b
     join pg_temp.rows_about('c0930000-0000-4000-8000-000000000002') d using (table_name)
     where d.row_count <> b.duplicate_rows $$,
  'after the dry run the duplicate still has every one of its rows');
select is((select count(*)::integer from public.contacts where id = 'c0930000-0000-4000-8000-000000000002'), 1,
  'after the dry run the duplicate still exists');
select is_empty($$ select 1 from public.contact_merges $$, 'the dry run left no merge record');

-- ============================================================================================
-- Owner: the merge
-- ============================================================================================
select tests.authenticate_as('merge_owner');
insert into reports values ('merge', public.merge_contacts('c0930000-0000-4000-8000-000000000001',
  'c0930000-0000-4000-8000-000000000002'));
select is((select report ->> 'status' from reports where label = 'merge'), 'merged', 'the merge reports merged');
select is((select report -> 'row_counts' from reports where label = 'merge'),
  (select report -> 'row_counts' from reports where label = 'dry run'),
  'the dry run reported exactly the rows the merge moved and dropped');
select is((select report -> 'fields' from reports where label = 'merge'),
  (select report -> 'fields' from reports where label = 'dry run'),
  'the dry run reported exactly the fields the merge changed');
select is((select report -> 'channels' from reports where label = 'merge'),
  (select report -> 'channels' from reports where label = 'dry run'),
  'the dry run reported exactly the channels the merge moved and demoted');

reset role;
select is_empty($$ select 1 from public.contacts where id = 'c0930000-0000-4000-8000-000000000002' $$, 'the duplicate is gone');
select is_empty(
  $$ select table_name from pg_temp.rows_about('c0930000-0000-4000-8000-000000000002') where row_count > 0 $$,
  'no table in public holds a row about the duplicate any more: nothing is orphaned');
select is_empty(
  $$ select b.table_name from before_merge b
     join pg_temp.rows_about('c0930000-0000-4000-8000-000000000001') s using (table_name)
     cross join reports r
     where r.label = 'merge'
       and s.row_count <> b.survivor_rows + b.duplicate_rows - coalesce((r.report -> 'row_counts' -> 'dropped' ->> b.table_name)::bigint, 0)
       and b.table_name <> 'contact_audit_log' $$,
  'every row of the duplicate is now the survivor''s, except those dropped as repeats (audit entries aside: the merge adds its own)');
select is((select (report -> 'row_counts' -> 'moved' ->> 'contact_interactions')::integer from reports where label = 'merge'), 3,
  'the report counts the three interactions moved');

select results_eq(
  $$ select group_id from public.contact_group_memberships where contact_id = 'c0930000-0000-4000-8000-000000000001' order by 1 $$,
  $$ values ('60930000-0000-4000-8000-000000000001'::uuid), ('60930000-0000-4000-8000-000000000002'::uuid) $$,
  'the survivor is a member of both groups, once each: the repeated membership collapsed');
select results_eq(
  $$ select permission_id from public.agent_specific_contact_access where contact_id = 'c0930000-0000-4000-8000-000000000001' order by 1 $$,
  $$ values ('70930000-0000-4000-8000-000000000001'::uuid), ('70930000-0000-4000-8000-000000000002'::uuid) $$,
  'the survivor is listed on both grants, once each');
select results_eq(
  $$ select id, channel_type, is_primary from public.contact_communication_channels
     where contact_id = 'c0930000-0000-4000-8000-000000000001' order by channel_type, identifier $$,
  $$ values ('d0930000-0000-4000-8000-000000000001'::uuid, 'email'::text, true),
            ('d0930000-0000-4000-8000-000000000003', 'email', false),
            ('d0930000-0000-4000-8000-000000000002', 'phone', true),
            ('d0930000-0000-4000-8000-000000000005', 'phone', false),
            ('d0930000-0000-4000-8000-000000000004', 'whatsapp', true) $$,
  'the survivor keeps its primary per type; the duplicate''s primary e-mail became secondary, its whatsapp stays primary');
select results_eq(
  $$ select content, channel_id from public.contact_interactions where contact_id = 'c0930000-0000-4000-8000-000000000001' order by content $$,
  $$ values ('From the duplicate on WhatsApp', 'd0930000-0000-4000-8000-000000000004'::uuid),
            ('Note about the duplicate', null), ('To the duplicate by e-mail', 'd0930000-0000-4000-8000-000000000003'),
            ('To the survivor', 'd0930000-0000-4000-8000-000000000001') $$,
  'the interactions moved with the channels they went out on');
select results_eq(
  $$ select e.contact_id, ch.consent_status from public.contact_consent_events e
     join public.contact_communication_channels ch on ch.id = e.channel_id
     where e.channel_id = 'd0930000-0000-4000-8000-000000000003' $$,
  $$ values ('c0930000-0000-4000-8000-000000000001'::uuid, 'withdrawn'::text) $$,
  'the consent history moved with its channel, and the withdrawal still holds');
select results_eq(
  $$ select first_name, last_name, organization, job_title, external_id, tags, metadata
     from public.contacts where id = 'c0930000-0000-4000-8000-000000000001' $$,
  $$ values ('Ada'::text, 'Lovelace'::text, 'Analytical Engines'::text, 'Mathematician'::text, 'CRM-7'::text,
             '{vip,lead}'::text[], '{"a": 1, "b": 3}'::jsonb) $$,
  'the survivor''s empty fields were filled from the duplicate; its own values, tags and metadata keys won');
select is((select count(*)::integer from public.contact_import_changes where contact_id = 'c0930000-0000-4000-8000-000000000001'), 1,
  'the import-job link follows the survivor');

select results_eq(
  $$ select survivor_id, duplicate_id, filled_fields, actor_role, actor_user_id from public.contact_merges $$,
  $$ values ('c0930000-0000-4000-8000-000000000001'::uuid, 'c0930000-0000-4000-8000-000000000002'::uuid,
             '{external_id,last_name,metadata,organization,tags}'::text[], 'owner'::text, tests.get_supabase_uid('merge_owner')) $$,
  'the merge record names the pair, the fields that changed, and the owner who merged');
select ok(
  (select strpos(m::text, 'Lovelace') = 0 and strpos(m::text, 'Analytical') = 0 and strpos(m::text, 'CRM-7') = 0
          and strpos(m::text, '@example.com') = 0 and strpos(m::text, '+44') = 0 from public.contact_merges m),
  'the merge record holds no personal data: no names, organization, external id, address or number');
select results_eq(
  $$ select display_name, tags from public.contacts where id = 'c0930000-0000-4000-8000-000000000003' $$,
  $$ values ('Bea Bystander'::text, '{}'::text[]) $$, 'a bystander contact is untouched');

-- ============================================================================================
-- Owner: the same merge again, and a merge with fields picked
-- ============================================================================================
select tests.authenticate_as('merge_owner');
select results_eq(
  $$ select r ->> 'status', (r ->> 'merge_id')::uuid
     from public.merge_contacts('c0930000-0000-4000-8000-000000000001', 'c0930000-0000-4000-8000-000000000002') as r $$,
  $$ select 'already_merged'::text, m.id from public.contact_merges m $$,
  'merging the same pair again reports the merge that already happened');

select is(
  public.merge_contacts('c0930000-0000-4000-8000-000000000004', 'c0930000-0000-4000-8000-000000000005',
    '{"fields": {"first_name": "duplicate", "display_name": "duplicate", "tags": "survivor", "last_name": "survivor"}}') ->> 'status',
  'merged', 'a merge with fields picked one by one succeeds');
select results_eq(
  $$ select first_name, last_name, display_name, tags from public.contacts where id = 'c0930000-0000-4000-8000-000000000004' $$,
  $$ values ('Charlie'::text, null::text, 'Charlie Babbage'::text, '{inventor}'::text[]) $$,
  'picked fields come from the side named, even where the survivor''s value was empty or the other''s richer');

select * from finish();
rollback;
