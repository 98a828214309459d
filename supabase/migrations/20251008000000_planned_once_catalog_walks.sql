-- The catalog walks of the data subject requests (which tables hold rows about a contact, which
-- reference one) as PL/pgSQL: a SQL function that is not inlined is planned again on every call,
-- and planning these catalog joins cost more than running them (about 2 ms per erasure, 3 ms per
-- export). PL/pgSQL keeps the plan for the session; the rows still come from the catalog at each
-- call, so a table added later is found without anything being invalidated. Same signatures,
-- same rows. Replaces contact_data_sources of 20251003000005_catalog_driven_export and
-- contact_reference_columns of 20251003000006_catalog_driven_anonymization.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.contact_data_sources()
returns table (table_name text, rows_query text, jobs_query text)
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_column
begin
  return query
    with refs as (
      select cl.oid as relid, att.attname::text as column_name
      from pg_catalog.pg_attribute att
      join pg_catalog.pg_class cl on cl.oid = att.attrelid
      where cl.relnamespace = 'public'::regnamespace and cl.relkind in ('r', 'p')
        and att.attname = 'contact_id' and att.attnum > 0 and not att.attisdropped
        and att.atttypid = 'uuid'::regtype
      union
      -- Foreign keys to contacts, found through the referential triggers they put on contacts (an
      -- indexed lookup, where pg_constraint has no index on the referenced table).
      select con.conrelid, att.attname::text
      from pg_catalog.pg_trigger tg
      join pg_catalog.pg_constraint con on con.oid = tg.tgconstraint
      cross join lateral unnest(con.conkey, con.confkey) as k (child_attnum, parent_attnum)
      join pg_catalog.pg_attribute parent_att on parent_att.attrelid = con.confrelid and parent_att.attnum = k.parent_attnum
      join pg_catalog.pg_attribute att on att.attrelid = con.conrelid and att.attnum = k.child_attnum
      where tg.tgrelid = 'public.contacts'::regclass and tg.tgisinternal
        and con.contype = 'f' and con.confrelid = 'public.contacts'::regclass
        and con.connamespace = 'public'::regnamespace and parent_att.attname = 'id'
      union
      select 'public.contacts'::regclass, 'id'
    ),
    tables as (
      select cl.oid as relid, cl.relname::text as table_name,
        (select string_agg(format('t.%I = $1', r.column_name), ' or ' order by r.column_name) from refs r where r.relid = cl.oid) as match,
        (select array_agg(a.attname::text order by a.attnum) from pg_catalog.pg_attribute a
         where a.attrelid = cl.oid and a.attnum > 0 and not a.attisdropped) as columns,
        (select string_agg(format('t.%I', a.attname), ', ' order by a.attnum) from pg_catalog.pg_attribute a
         where a.attrelid = cl.oid and a.attnum > 0 and not a.attisdropped and a.atttypid <> 'tsvector'::regtype) as exported,
        exists (select 1 from pg_catalog.pg_attribute a
                where a.attrelid = cl.oid and a.attnum > 0 and not a.attisdropped and a.atttypid = 'tsvector'::regtype) as has_internal
      from pg_catalog.pg_class cl
      where cl.oid in (select relid from refs)
    ),
    parts as (
      select t.table_name, t.columns,
        case when 'user_id' = any (t.columns) then format('t.user_id = $2 and (%s)', t.match) else t.match end as filter,
        t.has_internal or (t.table_name <> 'contacts' and t.columns && array['agent_id', 'group_id', 'permission_id']) as reshaped,
        concat_ws(', ', t.exported,
          case when t.table_name <> 'contacts' and 'agent_id' = any (t.columns) then 'a.name as agent_name' end,
          case when t.table_name <> 'contacts' and 'group_id' = any (t.columns) then 'g.name as group_name' end,
          case when t.table_name <> 'contacts' and 'permission_id' = any (t.columns) then
            'p.permission_level, p.valid_from, p.valid_until' end) as select_list,
        concat(
          case when t.table_name <> 'contacts' and 'agent_id' = any (t.columns) then
            ' left join public.agents a on a.id = t.agent_id and a.user_id = t.user_id' end,
          case when t.table_name <> 'contacts' and 'group_id' = any (t.columns) then
            ' left join public.contact_groups g on g.id = t.group_id and g.user_id = t.user_id' end,
          case when t.table_name <> 'contacts' and 'permission_id' = any (t.columns) then
            ' left join public.agent_contact_permissions p on p.id = t.permission_id and p.user_id = t.user_id' end) as joins,
        concat_ws(', ',
          case when 'occurred_at' = any (t.columns) then 't.occurred_at' when 'created_at' = any (t.columns) then 't.created_at' end,
          case when 'id' = any (t.columns) then 't.id' end) as sort
      from tables t
    )
    -- Rows are sorted in a subquery and aggregated in that order: cheaper than an ordered aggregate,
    -- which sorts whole rows again. Rows keep their shape unless columns are left out or names added.
    select p.table_name,
      format('select coalesce(json_agg(s.r), ''[]''::json), count(*) from (select %s as r from public.%I t%s%s where %s%s) as s',
        case when p.reshaped then 'x' else 't' end, p.table_name, p.joins,
        case when p.reshaped then format(' cross join lateral (select %s) as x', p.select_list) else '' end,
        p.filter, case when p.sort <> '' then ' order by ' || p.sort else '' end),
      case when 'job_id' = any (p.columns) then
        format('select coalesce(array_agg(distinct t.job_id) filter (where t.job_id is not null), ''{}'') from public.%I t where %s',
          p.table_name, p.filter)
      end
    from parts p
    order by p.table_name <> 'contacts', p.table_name;
end;
$$;

create or replace function private.contact_reference_columns()
returns table (table_name text, column_name text, has_user_id boolean, cascades boolean, wipe_list text)
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_column
begin
  return query
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
    order by 1, 2;
end;
$$;
