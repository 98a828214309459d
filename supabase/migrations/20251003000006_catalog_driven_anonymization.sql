-- Anonymization, catalog-driven: private.anonymize_contacts (the one place GDPR requests and
-- retention wipe personal fields) also wipes the free-text and JSON fields of every other table
-- that references a contact (consent history, import changes, whatever lands later): nullable
-- text, varchar, text[], json and jsonb columns become null, required jsonb columns '{}'. Required
-- text columns are enumerations (status, action, source) and stay. Replaces anonymize_contacts of
-- 20250916000010_gdpr_functions (same signature, same counts for the tables it handled).
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Every column of a public table that references a contact by its id (a foreign key to
-- public.contacts, single or composite with user_id), apart from the tables the GDPR functions
-- handle by name. Identifiers come from the catalog only.
create function private.contact_reference_columns()
returns table (table_name text, column_name text, has_user_id boolean, cascades boolean, wipe_list text)
language sql
stable
set search_path = ''
as $$
  select cl.relname::text, att.attname::text,
    exists (select 1 from pg_catalog.pg_attribute u where u.attrelid = cl.oid and u.attname = 'user_id' and not u.attisdropped),
    con.confdeltype = 'c',
    (select string_agg(format('%I = %s', a.attname, case when a.attnotnull then '''{}''::jsonb' else 'null' end), ', ' order by a.attnum)
     from pg_catalog.pg_attribute a
     where a.attrelid = cl.oid and a.attnum > 0 and not a.attisdropped
       and ((not a.attnotnull and a.atttypid in ('text'::regtype, 'varchar'::regtype, 'text[]'::regtype, 'varchar[]'::regtype,
                                                   'json'::regtype, 'jsonb'::regtype))
            or (a.attnotnull and a.atttypid = 'jsonb'::regtype)))
  -- Foreign keys to contacts, found through the referential triggers they put on contacts (an
  -- indexed lookup, where pg_constraint has no index on the referenced table).
  from pg_catalog.pg_trigger tg
  join pg_catalog.pg_constraint con on con.oid = tg.tgconstraint
  join pg_catalog.pg_class cl on cl.oid = con.conrelid
  cross join lateral unnest(con.conkey, con.confkey) as k (child_attnum, parent_attnum)
  join pg_catalog.pg_attribute parent_att on parent_att.attrelid = con.confrelid and parent_att.attnum = k.parent_attnum
  join pg_catalog.pg_attribute att on att.attrelid = con.conrelid and att.attnum = k.child_attnum
  where tg.tgrelid = 'public.contacts'::regclass and tg.tgisinternal and tg.tgtype & 8 = 8  -- the on-delete trigger
    and con.contype = 'f' and con.confrelid = 'public.contacts'::regclass
    and con.connamespace = 'public'::regnamespace and parent_att.attname = 'id'
    and cl.relname not in ('contacts', 'contact_communication_channels', 'contact_interactions',
                           'contact_group_memberships', 'agent_specific_contact_access')
  order by 1, 2
$$;
comment on function private.contact_reference_columns() is 'From the catalog: the columns of other public tables that reference a contact, whether deleting the contact cascades to them, and what anonymization sets in each such table.';
revoke execute on function private.contact_reference_columns() from public;
grant execute on function private.contact_reference_columns() to authenticated, service_role;

-- Security definer: tables that reference contacts may be append-only for their owners (import
-- changes keep what undo needs), yet anonymization must wipe their free text. Authorizes the
-- caller itself: the service, or the owner of every contact given; never an agent token.
create function private.wipe_contact_references(contact_ids uuid[])
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  counts jsonb := '{}'::jsonb;
  child record;
  wiped_count bigint;
begin
  if private.current_agent_id() is not null or not (private.is_service_caller() or not exists (
       select 1 from public.contacts c
       where c.id = any (wipe_contact_references.contact_ids) and c.user_id is distinct from (select auth.uid()))) then
    raise exception 'only the owner of these contacts or the service can anonymize them' using errcode = '42501';
  end if;
  for child in select * from private.contact_reference_columns() r where r.wipe_list is not null loop
    execute format('with wiped as (update public.%I t set %s where t.%I = any ($1) returning 1) select count(*) from wiped',
      child.table_name, child.wipe_list, child.column_name)
      into wiped_count using wipe_contact_references.contact_ids;
    counts := private.sum_counts(counts, jsonb_build_object(child.table_name, wiped_count));
  end loop;
  return counts;
end;
$$;
comment on function private.wipe_contact_references(uuid[]) is 'Wipes the free text and JSON of every other table that references these contacts (catalog-driven); returns the rows wiped per table.';
revoke execute on function private.wipe_contact_references(uuid[]) from public;
grant execute on function private.wipe_contact_references(uuid[]) to authenticated, service_role;

create or replace function private.anonymize_contacts(contact_ids uuid[])
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  interactions_count bigint;
  channels_count bigint;
  contacts_count bigint;
  other_counts jsonb;
begin
  with wiped as (
    update public.contact_interactions i
    set subject = null, content = null, summary = null, error_message = null, metadata = '{}'::jsonb
    where i.contact_id = any (anonymize_contacts.contact_ids)
    returning 1
  )
  select count(*) into interactions_count from wiped;

  with removed as (
    delete from public.contact_communication_channels ch
    where ch.contact_id = any (anonymize_contacts.contact_ids)
    returning 1
  )
  select count(*) into channels_count from removed;

  -- Every other table about these contacts, found in the catalog: free text and JSON wiped.
  other_counts := private.wipe_contact_references(anonymize_contacts.contact_ids);

  with wiped as (
    update public.contacts c
    set first_name = null, last_name = null, display_name = 'Anonymized contact', organization = null,
        job_title = null, metadata = '{}'::jsonb, tags = '{}', external_id = null, status = 'anonymized'
    where c.id = any (anonymize_contacts.contact_ids)
    returning 1
  )
  select count(*) into contacts_count from wiped;

  return other_counts || jsonb_build_object(
    'contacts', contacts_count,
    'contact_communication_channels', channels_count,
    'contact_interactions', interactions_count);
end;
$$;
comment on function private.anonymize_contacts(uuid[]) is 'Wipes personal fields of contacts, their interactions and every other table that references them (found in the catalog), and removes their channels; rows stay for aggregates.';
