begin;
select plan(38);

-- The audit trail: every insert, update and delete on contacts, channels, groups, memberships,
-- agent grants (and their listed contacts) and import jobs appends one contact_audit_log row per
-- changed row, with the table, the row's key, the contact it concerns and the names of the
-- columns involved. Updates that change nothing leave no trace; an owner's account deletion takes
-- the owner's trail with it.

-- ============================================================================================
-- Setup (superuser, with fixed ids): an owner with an agent (agents themselves are not audited)
-- and one row of every audited table.
-- ============================================================================================
select tests.create_supabase_user('audit_owner');
insert into public.agents (id, user_id, name) values
  ('a0800000-0000-4000-8000-000000000001', tests.get_supabase_uid('audit_owner'), 'Auditor');

insert into public.contacts (id, user_id, first_name, last_name, organization)
values ('c0800000-0000-4000-8000-000000000001', tests.get_supabase_uid('audit_owner'), 'Ada', 'Audit', 'Ledger Ltd');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier)
values ('d0800000-0000-4000-8000-000000000001', tests.get_supabase_uid('audit_owner'),
        'c0800000-0000-4000-8000-000000000001', 'email', 'ada.audit@example.test');
insert into public.contact_groups (id, user_id, name) values
  ('60800000-0000-4000-8000-000000000001', tests.get_supabase_uid('audit_owner'), 'Audited group');
insert into public.contact_group_memberships (user_id, group_id, contact_id) values
  (tests.get_supabase_uid('audit_owner'), '60800000-0000-4000-8000-000000000001', 'c0800000-0000-4000-8000-000000000001');
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type) values
  ('70800000-0000-4000-8000-000000000001', tests.get_supabase_uid('audit_owner'), 'a0800000-0000-4000-8000-000000000001', 'specific_contacts');
insert into public.agent_specific_contact_access (id, user_id, permission_id, agent_id, contact_id) values
  ('71800000-0000-4000-8000-000000000001', tests.get_supabase_uid('audit_owner'), '70800000-0000-4000-8000-000000000001',
   'a0800000-0000-4000-8000-000000000001', 'c0800000-0000-4000-8000-000000000001');
insert into public.contact_import_jobs (id, user_id, file_name) values
  ('e0800000-0000-4000-8000-000000000001', tests.get_supabase_uid('audit_owner'), 'audited.csv');

-- ============================================================================================
-- Persona: owner (authenticated) updates and deletes them.
-- ============================================================================================
select tests.authenticate_as('audit_owner');
update public.contacts set job_title = 'Bookkeeper' where id = 'c0800000-0000-4000-8000-000000000001';
update public.contact_communication_channels set label = 'work' where id = 'd0800000-0000-4000-8000-000000000001';
update public.contact_communication_channels set label = label where id = 'd0800000-0000-4000-8000-000000000001';
update public.contact_groups set description = 'People we audit' where id = '60800000-0000-4000-8000-000000000001';
update public.agent_contact_permissions set permission_level = 'write' where id = '70800000-0000-4000-8000-000000000001';
update public.contact_import_jobs set status = 'processing' where id = 'e0800000-0000-4000-8000-000000000001';

-- Memberships and listed contacts have no client-updatable column: the service updates them.
select tests.authenticate_as_service_role();
update public.contact_group_memberships set created_at = created_at - interval '1 day'
where group_id = '60800000-0000-4000-8000-000000000001';
update public.agent_specific_contact_access set created_at = created_at - interval '1 day'
where id = '71800000-0000-4000-8000-000000000001';

select tests.authenticate_as('audit_owner');
delete from public.agent_specific_contact_access where id = '71800000-0000-4000-8000-000000000001';
delete from public.contact_group_memberships where group_id = '60800000-0000-4000-8000-000000000001';
delete from public.agent_contact_permissions where id = '70800000-0000-4000-8000-000000000001';
delete from public.contact_communication_channels where id = 'd0800000-0000-4000-8000-000000000001';
delete from public.contact_import_jobs where id = 'e0800000-0000-4000-8000-000000000001';
delete from public.contact_groups where id = '60800000-0000-4000-8000-000000000001';
delete from public.contacts where id = 'c0800000-0000-4000-8000-000000000001';

-- A helper view of what was recorded for this owner, read as the superuser.
reset role;
create temporary view audited as
  select * from public.contact_audit_log where user_id = tests.get_supabase_uid('audit_owner');

-- ============================================================================================
-- One row per table and action, keyed by the changed row.
-- ============================================================================================
select is((select count(*) from audited where table_name = 'contacts' and action = 'insert' and row_id = 'c0800000-0000-4000-8000-000000000001'), 1::bigint,
  'inserting a contact records one insert row for it');
select is((select count(*) from audited where table_name = 'contacts' and action = 'update' and row_id = 'c0800000-0000-4000-8000-000000000001'), 1::bigint,
  'updating a contact records one update row for it');
select is((select count(*) from audited where table_name = 'contacts' and action = 'delete' and row_id = 'c0800000-0000-4000-8000-000000000001'), 1::bigint,
  'deleting a contact records one delete row for it');
select is((select count(*) from audited where table_name = 'contact_communication_channels' and action = 'insert' and row_id = 'd0800000-0000-4000-8000-000000000001'), 1::bigint,
  'inserting a channel records one insert row for it');
select is((select count(*) from audited where table_name = 'contact_communication_channels' and action = 'update' and row_id = 'd0800000-0000-4000-8000-000000000001'), 1::bigint,
  'updating a channel records one update row for it (the no-op update records none)');
select is((select count(*) from audited where table_name = 'contact_communication_channels' and action = 'delete' and row_id = 'd0800000-0000-4000-8000-000000000001'), 1::bigint,
  'deleting a channel records one delete row for it');
select is((select count(*) from audited where table_name = 'contact_groups' and action = 'insert' and row_id = '60800000-0000-4000-8000-000000000001'), 1::bigint,
  'inserting a group records one insert row for it');
select is((select count(*) from audited where table_name = 'contact_groups' and action = 'update' and row_id = '60800000-0000-4000-8000-000000000001'), 1::bigint,
  'updating a group records one update row for it');
select is((select count(*) from audited where table_name = 'contact_groups' and action = 'delete' and row_id = '60800000-0000-4000-8000-000000000001'), 1::bigint,
  'deleting a group records one delete row for it');
select is((select count(*) from audited where table_name = 'contact_group_memberships' and action = 'insert' and row_id = '60800000-0000-4000-8000-000000000001'), 1::bigint,
  'adding a contact to a group records one insert row, keyed by the group');
select is((select count(*) from audited where table_name = 'contact_group_memberships' and action = 'update' and row_id = '60800000-0000-4000-8000-000000000001'), 1::bigint,
  'updating a membership records one update row');
select is((select count(*) from audited where table_name = 'contact_group_memberships' and action = 'delete' and row_id = '60800000-0000-4000-8000-000000000001'), 1::bigint,
  'removing a contact from a group records one delete row');
select is((select count(*) from audited where table_name = 'agent_contact_permissions' and action = 'insert' and row_id = '70800000-0000-4000-8000-000000000001'), 1::bigint,
  'granting an agent records one insert row for the grant');
select is((select count(*) from audited where table_name = 'agent_contact_permissions' and action = 'update' and row_id = '70800000-0000-4000-8000-000000000001'), 1::bigint,
  'changing a grant records one update row');
select is((select count(*) from audited where table_name = 'agent_contact_permissions' and action = 'delete' and row_id = '70800000-0000-4000-8000-000000000001'), 1::bigint,
  'revoking a grant records one delete row');
select is((select count(*) from audited where table_name = 'agent_specific_contact_access' and action = 'insert' and row_id = '71800000-0000-4000-8000-000000000001'), 1::bigint,
  'listing a contact on a grant records one insert row');
select is((select count(*) from audited where table_name = 'agent_specific_contact_access' and action = 'update' and row_id = '71800000-0000-4000-8000-000000000001'), 1::bigint,
  'updating a listed contact records one update row');
select is((select count(*) from audited where table_name = 'agent_specific_contact_access' and action = 'delete' and row_id = '71800000-0000-4000-8000-000000000001'), 1::bigint,
  'unlisting a contact records one delete row');
select is((select count(*) from audited where table_name = 'contact_import_jobs' and action = 'insert' and row_id = 'e0800000-0000-4000-8000-000000000001'), 1::bigint,
  'starting an import job records one insert row');
select is((select count(*) from audited where table_name = 'contact_import_jobs' and action = 'update' and row_id = 'e0800000-0000-4000-8000-000000000001'), 1::bigint,
  'advancing an import job records one update row');
select is((select count(*) from audited where table_name = 'contact_import_jobs' and action = 'delete' and row_id = 'e0800000-0000-4000-8000-000000000001'), 1::bigint,
  'deleting an import job records one delete row');

-- ============================================================================================
-- What the rows say: column names, the contact concerned, the owner.
-- ============================================================================================
select is((select changed_columns from audited where table_name = 'contacts' and action = 'update'), array['job_title'],
  'a contact update names exactly the changed column (updated_at is left out)');
select is((select changed_columns from audited where table_name = 'contact_communication_channels' and action = 'update'), array['label'],
  'a channel update names exactly the changed column');
select ok((select changed_columns @> array['first_name', 'last_name', 'organization', 'display_name', 'user_id', 'id']
                  and not changed_columns && array['updated_at', 'search_vector', 'job_title']
           from audited where table_name = 'contacts' and action = 'insert'),
  'a contact insert names the columns holding a value, leaving out updated_at, the generated search vector and empty columns');
select is((select changed_columns = (select array_agg(x order by x) from unnest(changed_columns) as x) from audited where table_name = 'contacts' and action = 'insert'), true,
  'column names are recorded in sorted order');
select is((select array_agg(distinct contact_id) from audited where table_name in ('contact_communication_channels', 'contact_group_memberships', 'agent_specific_contact_access')),
  array['c0800000-0000-4000-8000-000000000001'::uuid],
  'rows of channels, memberships and listed contacts carry the contact they concern');
select is((select count(*) from audited where table_name in ('contact_groups', 'agent_contact_permissions', 'contact_import_jobs') and contact_id is not null), 0::bigint,
  'rows of groups, grants and import jobs concern no single contact');
select is((select count(*) from audited where table_name = 'contacts' and contact_id = row_id), 3::bigint,
  'rows of contacts carry the contact itself as contact_id');

-- ============================================================================================
-- Statements (superuser): one row per changed row, cascades recorded, account deletion takes the
-- trail with it.
-- ============================================================================================
insert into public.contacts (id, user_id, display_name) values
  ('c0800000-0000-4000-8000-000000000011', tests.get_supabase_uid('audit_owner'), 'Batch one'),
  ('c0800000-0000-4000-8000-000000000012', tests.get_supabase_uid('audit_owner'), 'Batch two'),
  ('c0800000-0000-4000-8000-000000000013', tests.get_supabase_uid('audit_owner'), 'Batch three');
update public.contacts set tags = array['batch'] where id::text like 'c0800000-0000-4000-8000-00000000001_';
select is((select count(*) from audited where table_name = 'contacts' and action = 'update' and changed_columns = array['tags']), 3::bigint,
  'one statement updating three contacts records three rows');

insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier) values
  ('d0800000-0000-4000-8000-000000000011', tests.get_supabase_uid('audit_owner'), 'c0800000-0000-4000-8000-000000000011', 'phone', '+15550100111');
delete from public.contacts where id = 'c0800000-0000-4000-8000-000000000011';
select is((select count(*) from audited where table_name = 'contact_communication_channels' and action = 'delete' and row_id = 'd0800000-0000-4000-8000-000000000011'), 1::bigint,
  'deleting a contact records the deletion of its channels by the cascade too');

-- Batches of more than 20 rows are recorded by a statement built for the table instead of the
-- per-call static one: the same rows, the same column names.
insert into public.contacts (id, user_id, first_name, last_name, organization)
select ('c0800000-0000-4000-8000-0000000001' || lpad(g::text, 2, '0'))::uuid, tests.get_supabase_uid('audit_owner'),
  'Batch', 'Member ' || g, 'Ledger Ltd'
from generate_series(1, 25) as g;
select is((select count(*) from audited where table_name = 'contacts' and action = 'insert' and row_id::text like 'c0800000-0000-4000-8000-0000000001__'
             and changed_columns = (select changed_columns from audited where table_name = 'contacts' and action = 'insert'
                                    and row_id = 'c0800000-0000-4000-8000-000000000001')), 25::bigint,
  'a batch of 25 inserted contacts records 25 rows naming the same columns as a single insert of the same shape');
update public.contacts set job_title = 'Bookkeeper' where id::text like 'c0800000-0000-4000-8000-0000000001__';
select is((select count(*) from audited where table_name = 'contacts' and action = 'update' and row_id::text like 'c0800000-0000-4000-8000-0000000001__'
             and changed_columns = array['job_title']), 25::bigint,
  'a batch of 25 updated contacts records 25 rows naming exactly the changed column');
insert into public.contact_groups (id, user_id, name) values
  ('60800000-0000-4000-8000-000000000002', tests.get_supabase_uid('audit_owner'), 'Batch group');
insert into public.contact_group_memberships (user_id, group_id, contact_id)
select tests.get_supabase_uid('audit_owner'), '60800000-0000-4000-8000-000000000002', c.id
from public.contacts c where c.id::text like 'c0800000-0000-4000-8000-0000000001__';
update public.contact_group_memberships set created_at = created_at - interval '1 day'
where group_id = '60800000-0000-4000-8000-000000000002';
select is((select count(distinct contact_id) from audited where table_name = 'contact_group_memberships' and action = 'update'
             and row_id = '60800000-0000-4000-8000-000000000002' and changed_columns = array['created_at']), 25::bigint,
  'a batch of 25 membership updates pairs old and new rows by (group, contact): one row per membership, naming the changed column');
delete from public.contacts where id::text like 'c0800000-0000-4000-8000-0000000001__';
select is((select count(*) from audited where table_name = 'contacts' and action = 'delete' and row_id::text like 'c0800000-0000-4000-8000-0000000001__'), 25::bigint,
  'a batch of 25 deleted contacts records 25 delete rows');
select is((select count(*) from audited where table_name = 'contact_group_memberships' and action = 'delete'
             and row_id = '60800000-0000-4000-8000-000000000002'), 25::bigint,
  'and the cascade to their 25 memberships records 25 delete rows');

select ok((select count(*) from audited) > 0, 'the owner has an audit trail before the account is deleted');
select lives_ok($$ delete from auth.users where id = tests.get_supabase_uid('audit_owner') $$,
  'deleting the owner''s account (cascading to every row of theirs) succeeds with the audit triggers in place');
select is((select count(*) from public.contact_audit_log l where not exists (select 1 from auth.users u where u.id = l.user_id)), 0::bigint,
  'the deleted owner''s trail is gone with the account, and nothing was recorded for the cascade');

select * from finish();
rollback;
