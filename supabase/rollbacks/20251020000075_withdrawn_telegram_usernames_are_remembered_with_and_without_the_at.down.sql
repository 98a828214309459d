-- Rollback of 20251020000075: remember_withdrawn_addresses and hold_import_grants_behind_withdrawals
-- as 20251020000044 defined them, recall_withdrawn_addresses as 20251020000063 defined it with the
-- setting 20251020000066 gave it, the comments of channel_address_key and of
-- withdrawn_addresses.identifier_hmac as 20251020000044 wrote them; channel_address_keys dropped.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.hold_import_grants_behind_withdrawals()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  job_ref constant text := split_part(new.consent_source, ' ', 2);
  policy text;
begin
  if not exists (select 1 from private.withdrawn_addresses w where w.user_id = new.user_id)
     or job_ref !~ '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' then
    return new;
  end if;
  select coalesce(j.options ->> 'on_duplicate', 'skip') into policy
  from public.contact_import_jobs j
  where j.id = job_ref::uuid and j.user_id = new.user_id;
  if not found or private.import_consent_applies(policy, 'withdrawn', new.consent_status) then
    return new;
  end if;
  if exists (
    select 1
    from private.owner_keys k
    join private.withdrawn_addresses w on w.user_id = k.user_id and w.channel_type = new.channel_type
      and w.identifier_hmac = encode(extensions.hmac(convert_to(private.channel_address_key(new.channel_type, new.normalized_identifier), 'UTF8'),
        k.hmac_key, 'sha256'), 'hex')
    where k.user_id = new.user_id
  ) then
    new.consent_status := 'unknown';
    new.consent_source := null;
    new.consent_updated_at := null;
  end if;
  return new;
end;
$$;

create or replace function private.recall_withdrawn_addresses()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- The owners as an array, then one probe: a join of the memory with the new rows, planned once
  -- per session for the first (one-row) statement, scanned the new rows once per remembered address
  -- of every owner (20251020000063).
  if not exists (select 1 from private.withdrawn_addresses w
                 where w.user_id = any (array(select distinct n.user_id from new_rows n where n.consent_status = 'unknown'))) then
    return null;
  end if;
  -- EXECUTE: the transition tables differ by event, and static checkers cannot see them. On an
  -- update, only channels given another address: the others were checked when they got theirs.
  -- Each channel's hash is computed once (materialized), then looked up by the key.
  execute format(
    'with keyed as materialized (
       select n.user_id, n.contact_id, n.id, n.channel_type,
         encode(extensions.hmac(convert_to(private.channel_address_key(n.channel_type, n.normalized_identifier), %L),
           k.hmac_key, %L), %L) as identifier_hmac
       from new_rows n
       join private.owner_keys k on k.user_id = n.user_id
       where n.consent_status = %L %s
     )
     insert into public.contact_consent_events
       (user_id, contact_id, channel_id, channel_type, status, source, source_ref, occurred_at, actor_user_id, actor_agent_id)
     select n.user_id, n.contact_id, n.id, n.channel_type, %L, %L, %L, w.withdrawn_at, (select auth.uid()), private.current_agent_id()
     from keyed n
     join private.withdrawn_addresses w on w.user_id = n.user_id and w.identifier_hmac = n.identifier_hmac
       and w.channel_type = n.channel_type
     order by n.id',
    'UTF8', 'sha256', 'hex', 'unknown',
    case when tg_op = 'UPDATE' then
      'and not exists (select 1 from old_rows o where o.id = n.id and o.channel_type = n.channel_type
                        and o.normalized_identifier = n.normalized_identifier)'
    else '' end,
    'withdrawn', 'manual', 'withdrawn earlier on a deleted channel');
  return null;
end;
$$;
alter function private.recall_withdrawn_addresses() set enable_seqscan = off;

create or replace function private.remember_withdrawn_addresses()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from old_rows o where o.consent_status <> 'unknown') then
    return null;
  end if;
  -- Owners whose account is being deleted are skipped: their memory goes with them.
  insert into private.owner_keys (user_id)
  select distinct o.user_id from old_rows o
  where o.consent_status = 'withdrawn' and exists (select 1 from auth.users u where u.id = o.user_id)
  on conflict (user_id) do nothing;
  -- Per address, its latest decision (two spellings of one number may go at once). A suppressed
  -- (erased) address is not remembered: the suppression already refuses it. The keys written and
  -- those forgotten are distinct, so one statement does both.
  with decided as (
    select distinct on (o.user_id, o.channel_type, h.identifier_hmac) o.user_id, o.channel_type, h.identifier_hmac,
      o.consent_status = 'withdrawn' and not exists (
        select 1 from unnest(private.channel_identifier_keys(o.channel_type, o.normalized_identifier)) as key (value)
        join public.contact_suppressions s on s.user_id = o.user_id and s.lifted_at is null
          and s.identifier_hmac = encode(extensions.hmac(convert_to(key.value, 'UTF8'), k.hmac_key, 'sha256'), 'hex')) as withdrawn,
      -- A decision's time is finite since 20251020000027; a channel older than its history may lack one.
      coalesce(case when isfinite(o.consent_updated_at) then o.consent_updated_at end, now()) as decided_at,
      o.consent_source like 'import %' as by_import
    from old_rows o
    join private.owner_keys k on k.user_id = o.user_id
    cross join lateral (select encode(extensions.hmac(convert_to(private.channel_address_key(o.channel_type, o.normalized_identifier), 'UTF8'),
      k.hmac_key, 'sha256'), 'hex') as identifier_hmac) h
    where o.consent_status <> 'unknown' and exists (select 1 from auth.users u where u.id = o.user_id)
    order by o.user_id, o.channel_type, h.identifier_hmac, o.consent_updated_at desc nulls last
  ), forgotten as (
    delete from private.withdrawn_addresses w
    using decided d
    where w.user_id = d.user_id and w.identifier_hmac = d.identifier_hmac and w.channel_type = d.channel_type and not d.withdrawn
      -- Only a grant made after the withdrawal, by someone other than an import: an import's opt-in
      -- is undone with its job (the undo deletes the channel), and an older grant of the same
      -- address spelt otherwise says nothing of the later withdrawal.
      and d.decided_at > w.withdrawn_at and not d.by_import
  )
  insert into private.withdrawn_addresses (user_id, channel_type, identifier_hmac, withdrawn_at)
  select d.user_id, d.channel_type, d.identifier_hmac, d.decided_at
  from decided d
  where d.withdrawn
  order by d.user_id, d.identifier_hmac, d.channel_type
  on conflict (user_id, identifier_hmac, channel_type)
    do update set withdrawn_at = greatest(withdrawn_addresses.withdrawn_at, excluded.withdrawn_at), remembered_at = excluded.remembered_at;
  return null;
end;
$$;

comment on column private.withdrawn_addresses.identifier_hmac is 'HMAC-SHA-256 (hex) of private.channel_address_key under the owner''s secret; the address itself is never stored.';
comment on function private.channel_address_key(text, text) is 'The identifier key a channel''s address is remembered under when withdrawn: its own, a number on a Telegram or other channel as the E.164 number''s.';

drop function private.channel_address_keys(text, text);
