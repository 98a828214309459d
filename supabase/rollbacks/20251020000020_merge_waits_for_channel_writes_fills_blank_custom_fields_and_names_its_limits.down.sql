-- Rollback of 20251020000020_merge_waits_for_channel_writes_fills_blank_custom_fields_and_names_its_limits:
-- private.merge_contact_pair as 20251002000006_merge_contacts made it.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Security definer: re-pointing rewrites rows no client may update (consent history, audit entries,
-- import changes) and reads the catalog. It authorizes the caller itself (the owner's own token, or
-- the service naming the owner) and scopes every statement to that owner.
create or replace function private.merge_contact_pair(survivor_id uuid, duplicate_id uuid, options jsonb, owner_id uuid)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  merge_fields constant text[] := array['first_name', 'last_name', 'display_name', 'organization', 'job_title',
    'external_id', 'metadata', 'tags', 'status'];
  owner constant uuid := case when private.is_service_caller() then merge_contact_pair.owner_id else (select auth.uid()) end;
  dry_run boolean;
  picks jsonb;
  survivor public.contacts;
  duplicate public.contacts;
  earlier public.contact_merges;
  field text;
  mine jsonb;
  theirs jsonb;
  chosen jsonb;
  changes jsonb := '{}'::jsonb;
  field_report jsonb := '{}'::jsonb;
  dropped jsonb := '{}'::jsonb;
  moved jsonb;
  demoted jsonb;
  moving_channels jsonb;
  unique_key record;
  dropped_count bigint;
  statement_ctes text;
  statement_counts text;
  trail_ctes text;
  merge_id uuid;
  merge_time timestamptz;
  report jsonb;
begin
  if private.current_agent_id() is not null then
    raise exception 'agent tokens cannot merge contacts' using errcode = '42501';
  end if;
  if owner is null then
    raise exception 'owner_id is required for service callers' using errcode = '22023';
  end if;
  if not private.is_service_caller() and merge_contact_pair.owner_id is not null and merge_contact_pair.owner_id <> owner then
    raise exception 'only the service names an owner' using errcode = '42501';
  end if;
  if merge_contact_pair.survivor_id is null or merge_contact_pair.duplicate_id is null
     or merge_contact_pair.survivor_id = merge_contact_pair.duplicate_id then
    raise exception 'survivor and duplicate must be two different contacts' using errcode = '22023';
  end if;
  if jsonb_typeof(merge_contact_pair.options) is distinct from 'object'
     or exists (select 1 from jsonb_object_keys(merge_contact_pair.options) as k (key) where k.key not in ('dry_run', 'fields'))
     or jsonb_typeof(coalesce(merge_contact_pair.options -> 'dry_run', 'false')) <> 'boolean'
     or jsonb_typeof(coalesce(merge_contact_pair.options -> 'fields', '{}')) <> 'object' then
    raise exception 'options take dry_run (boolean) and fields (an object)' using errcode = '22023';
  end if;
  dry_run := coalesce((merge_contact_pair.options ->> 'dry_run')::boolean, false);
  picks := coalesce(merge_contact_pair.options -> 'fields', '{}');
  if exists (select 1 from jsonb_each(picks) as p (key, value)
             where p.key <> all (merge_fields) or p.value not in ('"survivor"', '"duplicate"')) then
    raise exception 'fields name contact fields (%), each picked from survivor or duplicate', array_to_string(merge_fields, ', ')
      using errcode = '22023';
  end if;

  -- Lock order, fixed for every writer: the contacts (by id), then their children.
  perform 1 from public.contacts c
  where c.id in (merge_contact_pair.survivor_id, merge_contact_pair.duplicate_id) and c.user_id = owner
  order by c.id for update;
  select * into survivor from public.contacts c where c.id = merge_contact_pair.survivor_id and c.user_id = owner;
  select * into duplicate from public.contacts c where c.id = merge_contact_pair.duplicate_id and c.user_id = owner;
  if duplicate.id is null then
    select * into earlier from public.contact_merges m where m.user_id = owner and m.duplicate_id = merge_contact_pair.duplicate_id;
    if earlier.survivor_id = merge_contact_pair.survivor_id then
      return jsonb_build_object('status', 'already_merged', 'merge_id', earlier.id, 'survivor_id', earlier.survivor_id,
        'duplicate_id', earlier.duplicate_id, 'merged_at', earlier.merged_at, 'row_counts', earlier.row_counts,
        'filled_fields', to_jsonb(earlier.filled_fields));
    elsif earlier.id is not null then
      raise exception 'the duplicate was already merged into another contact' using errcode = '55000';
    end if;
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  if survivor.id is null then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  if survivor.legal_hold or duplicate.legal_hold then
    raise exception 'a contact under legal hold cannot be merged' using errcode = '55000', hint = 'Lift the legal hold first.';
  end if;
  if 'anonymized' in (survivor.status, duplicate.status) then
    raise exception 'an anonymized contact cannot be merged' using errcode = '55000';
  end if;

  -- Fields: the caller's picks, else the survivor's value unless it is empty.
  foreach field in array merge_fields loop
    mine := to_jsonb(survivor) -> field;
    theirs := to_jsonb(duplicate) -> field;
    chosen := case
      when picks ->> field = 'duplicate' then theirs
      when picks ->> field = 'survivor' then mine
      when field = 'tags' then (select coalesce(jsonb_agg(t.tag order by t.first_seen), '[]')
        from (select x.tag, min(x.position) as first_seen
              from jsonb_array_elements(mine || theirs) with ordinality as x (tag, position) group by x.tag) t)
      when field = 'metadata' then theirs || mine
      when field in ('display_name', 'status') then mine
      when coalesce(btrim(mine #>> '{}'), '') = '' and coalesce(btrim(theirs #>> '{}'), '') <> '' then theirs
      else mine
    end;
    if chosen is distinct from mine then
      changes := changes || jsonb_build_object(field, chosen);
      field_report := field_report || jsonb_build_object(field, jsonb_build_object(
        'from', case when chosen = theirs then 'duplicate' else 'both' end, 'value', chosen));
    end if;
  end loop;

  begin
    -- Channels: the survivor keeps its primary per type.
    with demoted_rows as (
      update public.contact_communication_channels ch set is_primary = false
      where ch.contact_id = duplicate.id and ch.user_id = owner and ch.is_primary
        and exists (select 1 from public.contact_communication_channels p
                    where p.contact_id = survivor.id and p.user_id = owner and p.channel_type = ch.channel_type and p.is_primary)
      returning ch.id
    )
    select coalesce(jsonb_agg(d.id order by d.id), '[]') into demoted from demoted_rows d;

    -- Rows that a unique key with contact_id would make repeats of the survivor's.
    for unique_key in
      select t.relname as table_name,
        coalesce((select string_agg(format('kept.%1$I = moving.%1$I', a.attname), ' and ' order by a.attnum)
                  from pg_catalog.pg_attribute a
                  where a.attrelid = t.oid and a.attnum = any (i.indkey) and a.attname not in ('contact_id', 'user_id')),
                 'true') as same_key,
        exists (select 1 from pg_catalog.pg_attribute u where u.attrelid = t.oid and u.attname = 'user_id' and not u.attisdropped) as has_owner
      from pg_catalog.pg_index i
      join pg_catalog.pg_class t on t.oid = i.indrelid and t.relnamespace = 'public'::regnamespace
      where i.indisunique and i.indpred is null and i.indexprs is null
        and exists (select 1 from pg_catalog.pg_attribute c where c.attrelid = t.oid and c.attnum = any (i.indkey) and c.attname = 'contact_id')
        -- a key holding a primary key without contact_id (channels' (id, contact_id, ...)) never repeats
        and not exists (select 1 from pg_catalog.pg_index pk where pk.indrelid = t.oid and pk.indisprimary
                        and (pk.indkey::int2[]) <@ (i.indkey::int2[])
                        and not exists (select 1 from pg_catalog.pg_attribute k where k.attrelid = t.oid
                                        and k.attnum = any (pk.indkey) and k.attname = 'contact_id'))
      order by t.relname, i.indexrelid
    loop
      execute format('with gone as (delete from public.%1$I moving where moving.contact_id = $2%3$s
          and exists (select 1 from public.%1$I kept where kept.contact_id = $1%4$s and %2$s) returning 1)
        select count(*) from gone', unique_key.table_name, unique_key.same_key,
        case when unique_key.has_owner then ' and moving.user_id = $3' else '' end,
        case when unique_key.has_owner then ' and kept.user_id = $3' else '' end)
        into dropped_count using survivor.id, duplicate.id, owner;
      dropped := dropped || jsonb_build_object(unique_key.table_name,
        coalesce((dropped ->> unique_key.table_name)::bigint, 0) + dropped_count);
    end loop;

    select coalesce(jsonb_agg(ch.id order by ch.id), '[]') into moving_channels
    from public.contact_communication_channels ch where ch.contact_id = duplicate.id and ch.user_id = owner;

    -- Every table with contact_id, in one statement: the composite foreign keys between them
    -- (interactions and consent events name their channel together with its contact) are checked
    -- at its end, when channels and their rows have moved together.
    select string_agg(format('m%s as (update public.%I set contact_id = $1 where contact_id = $2%s returning 1)',
             t.n, t.relname, case when t.has_owner then ' and user_id = $3' else '' end), ', '),
           string_agg(format('%L, (select count(*) from m%s)', t.relname, t.n), ', '),
           string_agg(format('m%s as (update public.%I set contact_id = $1 where contact_id = $2%s)',
             t.n, t.relname, case when t.has_owner then ' and user_id = $3' else '' end), ', ') filter (where not t.has_key)
      into statement_ctes, statement_counts, trail_ctes
    from (
      select c.relname, row_number() over (order by c.relname) as n,
        exists (select 1 from pg_catalog.pg_attribute u where u.attrelid = c.oid and u.attname = 'user_id' and not u.attisdropped) as has_owner,
        exists (select 1 from pg_catalog.pg_constraint f where f.conrelid = c.oid and f.contype = 'f' and a.attnum = any (f.conkey)) as has_key
      from pg_catalog.pg_class c
      join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attname = 'contact_id' and not a.attisdropped
      where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition
    ) t;
    execute format('with %s select jsonb_build_object(%s)', statement_ctes, statement_counts)
      into moved using survivor.id, duplicate.id, owner;

    delete from public.contacts c where c.id = duplicate.id and c.user_id = owner;
    -- Tables whose rows outlive a contact (no foreign key: the audit trail) got rows about the
    -- duplicate from the statements above, its deletion included: they follow the survivor too.
    if trail_ctes is not null then
      execute format('with %s select 1', trail_ctes) using survivor.id, duplicate.id, owner;
    end if;
    if changes <> '{}' then
      update public.contacts c
      set (first_name, last_name, display_name, organization, job_title, external_id, metadata, tags, status) = (
        select r.first_name, r.last_name, r.display_name, r.organization, r.job_title, r.external_id, r.metadata, r.tags, r.status
        from jsonb_populate_record(null::public.contacts, to_jsonb(survivor) || changes) r)
      where c.id = survivor.id and c.user_id = owner;
    end if;

    insert into public.contact_merges (user_id, survivor_id, duplicate_id, row_counts, filled_fields, actor_user_id, actor_role)
    values (owner, survivor.id, duplicate.id,
      jsonb_build_object('moved', moved, 'dropped', dropped, 'demoted_primary_channels', jsonb_array_length(demoted)),
      array(select k from jsonb_object_keys(changes) as f (k) order by k), (select auth.uid()),
      case when private.is_service_caller() then 'service' else 'owner' end)
    returning contact_merges.id, contact_merges.merged_at into merge_id, merge_time;

    report := jsonb_build_object('status', case when dry_run then 'dry_run' else 'merged' end,
      'merge_id', case when dry_run then null else merge_id end,
      'survivor_id', survivor.id, 'duplicate_id', duplicate.id, 'merged_at', case when dry_run then null else merge_time end,
      'row_counts', jsonb_build_object('moved', moved, 'dropped', dropped, 'demoted_primary_channels', jsonb_array_length(demoted)),
      'channels', jsonb_build_object('moved', moving_channels, 'demoted_to_secondary', demoted),
      'fields', field_report);
    if dry_run then
      raise exception 'dry run: undo the merge' using errcode = 'CM000';
    end if;
  exception when sqlstate 'CM000' then
    -- The dry run's writes are undone with this block; its report stays.
    null;
  end;
  return report;
end;
$$;
