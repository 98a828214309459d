-- Audit trail of contact data: inserts, updates and deletes on contacts, channels, groups,
-- memberships, agent grants and import jobs append one row per changed row to
-- public.contact_audit_log: who acted (from the token's claims), on which table and row, and the
-- NAMES of the columns involved, never their values, so the log itself holds no personal data.
-- Statement-level triggers with transition tables: one insert per statement, not one per row.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on the audit log this migration creates: empty, and concurrently cannot run inside the migration's transaction.

create table public.contact_audit_log (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  contact_id uuid,
  table_name text not null,
  row_id uuid not null,
  action text not null,
  changed_columns text[] not null default '{}',
  actor_user_id uuid,
  actor_agent_id uuid,
  actor_role text not null,
  occurred_at timestamptz not null default now(),
  -- Cheap checks only: every row of a batch pays them (a regular expression per row would cost a
  -- third of the trigger's time). That changed_columns holds column names is the trigger's doing.
  constraint contact_audit_log_table_name_check check (char_length(table_name) between 1 and 63),
  constraint contact_audit_log_action_check check (action in ('insert', 'update', 'delete')),
  constraint contact_audit_log_changed_columns_check check (cardinality(changed_columns) <= 1600),
  constraint contact_audit_log_actor_role_check check (char_length(actor_role) between 1 and 63)
);
comment on table public.contact_audit_log is 'Change log of contact data, written by triggers only: who changed which row of which table, and which columns (names, never values: no personal data). The owner reads it; entries outlive the rows they describe.';
comment on column public.contact_audit_log.user_id is 'Owner of the changed row (auth.users.id); the owner''s account deletion removes the owner''s trail.';
comment on column public.contact_audit_log.contact_id is 'The contact the change concerns (the contact itself, or the contact of a channel, membership or specific grant); null for groups, grants and import jobs. No foreign key: the entry outlives the contact.';
comment on column public.contact_audit_log.table_name is 'The changed table, in schema public.';
comment on column public.contact_audit_log.row_id is 'Primary key of the changed row; for memberships (keyed by group and contact) the group, with the contact in contact_id.';
comment on column public.contact_audit_log.action is 'insert, update or delete.';
comment on column public.contact_audit_log.changed_columns is 'Names of the columns an update changed, or that hold a value in an inserted or deleted row, sorted; updated_at and generated columns left out. Never values.';
comment on column public.contact_audit_log.actor_user_id is 'The sub claim of the token that acted (the owner); null for the service and for direct connections.';
comment on column public.contact_audit_log.actor_agent_id is 'The agent_id claim when an agent-scoped token acted. No foreign key: the entry outlives the agent.';
comment on column public.contact_audit_log.actor_role is 'The role claim of the token (authenticated, service_role), or the database role of a token-less connection (postgres for migrations and pg_cron).';
comment on column public.contact_audit_log.occurred_at is 'Start of the transaction that made the change (the retention clock of the audit_log data class).';

comment on index public.contact_audit_log_pkey is 'Primary key; also the order of entries within one transaction.';
create index contact_audit_log_user_occurred_idx on public.contact_audit_log (user_id, occurred_at);
comment on index public.contact_audit_log_user_occurred_idx is 'An owner''s trail by time (review, retention by age); serves the user_id foreign key.';
create index contact_audit_log_contact_idx on public.contact_audit_log (contact_id, occurred_at) where contact_id is not null;
comment on index public.contact_audit_log_contact_idx is 'A contact''s history (subject access export, re-pointing on merge).';

alter table public.contact_audit_log enable row level security;
revoke all on table public.contact_audit_log from anon, authenticated;
grant select on table public.contact_audit_log to authenticated;
grant all on table public.contact_audit_log to service_role;
revoke all on sequence public.contact_audit_log_id_seq from anon, authenticated;

-- Security definer: callers never write the audit log themselves (it is append-only evidence), yet
-- their statements must append to it; and it checks owners in auth.users, which callers cannot
-- read. It writes only rows derived from the statement's own transition tables.
-- Trigger arguments: the column holding the contact id ('' for none), the row id column, and for
-- memberships the second primary key column. Both ways below read the columns from the catalog
-- at run time, so a column added later is audited without touching this function:
--  - up to 20 rows (an API call): the rows as JSON, compared and appended one by one by cached
--    statements, which costs little per call;
--  - more (a batch): one statement built for the table that compares old and new rows column by
--    column and appends them all, which costs a plan per call but no row-to-JSON conversion.
create function private.record_contact_audit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  contact_column constant text := nullif(tg_argv[0], '');
  row_column constant text := tg_argv[1];
  second_key_column constant text := tg_argv[2];
  claims constant jsonb := (select auth.jwt());
  acting_user constant uuid := (select auth.uid());
  acting_agent constant uuid := private.current_agent_id();
  -- The token's role claim; without a token, the role the session switched to, else its login.
  acting_role constant text := coalesce(claims ->> 'role', nullif(current_setting('role'), 'none'), session_user);
  changed_rows bigint;
  unrecorded text[];
  row_docs jsonb[];
  before_docs jsonb[] := '{}'::jsonb[];
  row_doc jsonb;
  before_doc jsonb;
  candidate jsonb;
  names text[];
  involved text;
  source text;
begin
  if tg_op = 'DELETE' then
    select count(*) into changed_rows from (select 1 from old_rows limit 21) as few;
  else
    select count(*) into changed_rows from (select 1 from new_rows limit 21) as few;
  end if;

  if changed_rows <= 20 then
    -- updated_at and generated columns follow from the others and are left out.
    unrecorded := array['updated_at'] || array(
      select a.attname::text from pg_catalog.pg_attribute a
      where a.attrelid = tg_relid and a.attnum > 0 and not a.attisdropped and a.attgenerated <> '');
    if tg_op = 'DELETE' then
      select coalesce(array_agg(to_jsonb(o)), '{}') into row_docs from old_rows as o;
    else
      select coalesce(array_agg(to_jsonb(n)), '{}') into row_docs from new_rows as n;
    end if;
    if tg_op = 'UPDATE' then
      select coalesce(array_agg(to_jsonb(o)), '{}') into before_docs from old_rows as o;
    end if;
    foreach row_doc in array row_docs loop
      -- An update's row before it, paired by primary key (none if the key changed: then every
      -- column holding a value counts as changed).
      before_doc := null;
      foreach candidate in array before_docs loop
        if candidate -> row_column = row_doc -> row_column
           and (second_key_column is null or candidate -> second_key_column = row_doc -> second_key_column) then
          before_doc := candidate;
          exit;
        end if;
      end loop;
      names := array(
        select e.key from jsonb_each(row_doc) as e (key, value)
        where e.key <> all (unrecorded)
          and case when tg_op = 'UPDATE' then e.value is distinct from coalesce(before_doc -> e.key, 'null'::jsonb)
                   else e.value <> 'null'::jsonb end
        order by e.key collate "C");
      -- Deleting an owner's account cascades to their rows and to their trail: nothing to record.
      if cardinality(names) > 0
         and (tg_op <> 'DELETE' or exists (select 1 from auth.users as u where u.id = (row_doc ->> 'user_id')::uuid)) then
        insert into public.contact_audit_log
          (user_id, contact_id, table_name, row_id, action, changed_columns, actor_user_id, actor_agent_id, actor_role)
        values ((row_doc ->> 'user_id')::uuid, (row_doc ->> contact_column)::uuid, tg_table_name, (row_doc ->> row_column)::uuid,
          lower(tg_op), names, acting_user, acting_agent, acting_role);
      end if;
    end loop;
    return null;
  end if;

  -- The same for a batch: the names of the columns involved, sorted (for an update those whose
  -- value changed, json compared as jsonb; for an insert or delete those holding a value).
  select format('array_remove(array[%s]::text[], null)', coalesce(string_agg(
      case when tg_op = 'UPDATE' and a.atttypid = 'json'::regtype then
             format('case when n.%1$I::jsonb is distinct from o.%1$I::jsonb then %1$L end', a.attname)
           when tg_op = 'UPDATE' then format('case when n.%1$I is distinct from o.%1$I then %1$L end', a.attname)
           else format('case when n.%1$I is not null then %1$L end', a.attname)
      end, ', ' order by a.attname), ''))
  into involved
  from pg_catalog.pg_attribute a
  where a.attrelid = tg_relid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
    and a.attname <> 'updated_at';

  source := case tg_op
    when 'INSERT' then 'new_rows as n'
    when 'DELETE' then 'old_rows as n where exists (select 1 from auth.users as u where u.id = n.user_id)'
    else format('new_rows as n left join old_rows as o on o.%1$I = n.%1$I%2$s', row_column,
      case when second_key_column is not null then format(' and o.%1$I = n.%1$I', second_key_column) else '' end)
  end;

  execute format(
    'insert into public.contact_audit_log '
    '(user_id, contact_id, table_name, row_id, action, changed_columns, actor_user_id, actor_agent_id, actor_role) '
    'select * from (select n.user_id, %s, $1, n.%I, $2, %s as changed_columns, $3, $4, $5 from %s) as changes '
    'where cardinality(changes.changed_columns) > 0',
    case when contact_column is null then 'null::uuid' else format('n.%I', contact_column) end,
    row_column, involved, source)
  using tg_table_name, lower(tg_op), acting_user, acting_agent, acting_role;
  return null;
end;
$$;
comment on function private.record_contact_audit() is 'Statement trigger: appends one contact_audit_log row per inserted, updated (with a changed column) or deleted row, with the acting token''s user, agent and role and the names of the columns involved.';
revoke execute on function private.record_contact_audit() from public;
grant execute on function private.record_contact_audit() to authenticated, service_role;

create trigger contacts_audit_insert after insert on public.contacts
  referencing new table as new_rows
  for each statement execute function private.record_contact_audit('id', 'id');
create trigger contacts_audit_update after update on public.contacts
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.record_contact_audit('id', 'id');
create trigger contacts_audit_delete after delete on public.contacts
  referencing old table as old_rows
  for each statement execute function private.record_contact_audit('id', 'id');

create trigger contact_communication_channels_audit_insert after insert on public.contact_communication_channels
  referencing new table as new_rows
  for each statement execute function private.record_contact_audit('contact_id', 'id');
create trigger contact_communication_channels_audit_update after update on public.contact_communication_channels
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.record_contact_audit('contact_id', 'id');
create trigger contact_communication_channels_audit_delete after delete on public.contact_communication_channels
  referencing old table as old_rows
  for each statement execute function private.record_contact_audit('contact_id', 'id');

create trigger contact_groups_audit_insert after insert on public.contact_groups
  referencing new table as new_rows
  for each statement execute function private.record_contact_audit('', 'id');
create trigger contact_groups_audit_update after update on public.contact_groups
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.record_contact_audit('', 'id');
create trigger contact_groups_audit_delete after delete on public.contact_groups
  referencing old table as old_rows
  for each statement execute function private.record_contact_audit('', 'id');

create trigger contact_group_memberships_audit_insert after insert on public.contact_group_memberships
  referencing new table as new_rows
  for each statement execute function private.record_contact_audit('contact_id', 'group_id', 'contact_id');
create trigger contact_group_memberships_audit_update after update on public.contact_group_memberships
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.record_contact_audit('contact_id', 'group_id', 'contact_id');
create trigger contact_group_memberships_audit_delete after delete on public.contact_group_memberships
  referencing old table as old_rows
  for each statement execute function private.record_contact_audit('contact_id', 'group_id', 'contact_id');

create trigger agent_contact_permissions_audit_insert after insert on public.agent_contact_permissions
  referencing new table as new_rows
  for each statement execute function private.record_contact_audit('', 'id');
create trigger agent_contact_permissions_audit_update after update on public.agent_contact_permissions
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.record_contact_audit('', 'id');
create trigger agent_contact_permissions_audit_delete after delete on public.agent_contact_permissions
  referencing old table as old_rows
  for each statement execute function private.record_contact_audit('', 'id');

create trigger agent_specific_contact_access_audit_insert after insert on public.agent_specific_contact_access
  referencing new table as new_rows
  for each statement execute function private.record_contact_audit('contact_id', 'id');
create trigger agent_specific_contact_access_audit_update after update on public.agent_specific_contact_access
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.record_contact_audit('contact_id', 'id');
create trigger agent_specific_contact_access_audit_delete after delete on public.agent_specific_contact_access
  referencing old table as old_rows
  for each statement execute function private.record_contact_audit('contact_id', 'id');

create trigger contact_import_jobs_audit_insert after insert on public.contact_import_jobs
  referencing new table as new_rows
  for each statement execute function private.record_contact_audit('', 'id');
create trigger contact_import_jobs_audit_update after update on public.contact_import_jobs
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.record_contact_audit('', 'id');
create trigger contact_import_jobs_audit_delete after delete on public.contact_import_jobs
  referencing old table as old_rows
  for each statement execute function private.record_contact_audit('', 'id');

-- What each trigger records, for the generated schema docs.
comment on trigger contacts_audit_insert on public.contacts is 'Audit: inserted contacts are recorded in contact_audit_log.';
comment on trigger contacts_audit_update on public.contacts is 'Audit: updated contacts are recorded in contact_audit_log.';
comment on trigger contacts_audit_delete on public.contacts is 'Audit: deleted contacts are recorded in contact_audit_log.';
comment on trigger contact_communication_channels_audit_insert on public.contact_communication_channels is 'Audit: inserted channels are recorded in contact_audit_log.';
comment on trigger contact_communication_channels_audit_update on public.contact_communication_channels is 'Audit: updated channels are recorded in contact_audit_log.';
comment on trigger contact_communication_channels_audit_delete on public.contact_communication_channels is 'Audit: deleted channels are recorded in contact_audit_log.';
comment on trigger contact_groups_audit_insert on public.contact_groups is 'Audit: inserted groups are recorded in contact_audit_log.';
comment on trigger contact_groups_audit_update on public.contact_groups is 'Audit: updated groups are recorded in contact_audit_log.';
comment on trigger contact_groups_audit_delete on public.contact_groups is 'Audit: deleted groups are recorded in contact_audit_log.';
comment on trigger contact_group_memberships_audit_insert on public.contact_group_memberships is 'Audit: inserted memberships are recorded in contact_audit_log.';
comment on trigger contact_group_memberships_audit_update on public.contact_group_memberships is 'Audit: updated memberships are recorded in contact_audit_log.';
comment on trigger contact_group_memberships_audit_delete on public.contact_group_memberships is 'Audit: deleted memberships are recorded in contact_audit_log.';
comment on trigger agent_contact_permissions_audit_insert on public.agent_contact_permissions is 'Audit: inserted agent grants are recorded in contact_audit_log.';
comment on trigger agent_contact_permissions_audit_update on public.agent_contact_permissions is 'Audit: updated agent grants are recorded in contact_audit_log.';
comment on trigger agent_contact_permissions_audit_delete on public.agent_contact_permissions is 'Audit: deleted agent grants are recorded in contact_audit_log.';
comment on trigger agent_specific_contact_access_audit_insert on public.agent_specific_contact_access is 'Audit: inserted specific-contact grants are recorded in contact_audit_log.';
comment on trigger agent_specific_contact_access_audit_update on public.agent_specific_contact_access is 'Audit: updated specific-contact grants are recorded in contact_audit_log.';
comment on trigger agent_specific_contact_access_audit_delete on public.agent_specific_contact_access is 'Audit: deleted specific-contact grants are recorded in contact_audit_log.';
comment on trigger contact_import_jobs_audit_insert on public.contact_import_jobs is 'Audit: inserted import jobs are recorded in contact_audit_log.';
comment on trigger contact_import_jobs_audit_update on public.contact_import_jobs is 'Audit: updated import jobs are recorded in contact_audit_log.';
comment on trigger contact_import_jobs_audit_delete on public.contact_import_jobs is 'Audit: deleted import jobs are recorded in contact_audit_log.';
