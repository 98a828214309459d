-- Consent is recorded per channel, and it went with the channel: once an owner deleted a channel
-- whose consent was withdrawn (or its whole contact, to clean up), the same address added again
-- (by the owner, an agent with a write grant, or an import of an old list) started `unknown`, which
-- lets agents with a message grant write to it. A person who opted out was contacted again.
-- Now the owner's withdrawn addresses are remembered after their channel goes, as a CRM keeps an
-- opt-out after the contact is deleted, and never in clear: private.withdrawn_addresses holds a
-- keyed hash (HMAC-SHA-256 under the owner's secret, as contact_suppressions) per channel type.
--   * A channel deleted while withdrawn (directly or with its contact) is remembered, with the time
--     of the withdrawal; one deleted with a later grant (granted again, not by an import, whose
--     undo deletes the channels it made) is forgotten.
--   * A channel added, or re-pointed, `unknown` to a remembered address gets a `withdrawn` event
--     (source manual, 'withdrawn earlier on a deleted channel', dated at the withdrawal), so the
--     channel is withdrawn and its history says why. An explicit decision written with the channel
--     stands, except an import's opt-in: a remembered withdrawal is known consent, and the import
--     grants over it only as over an existing channel's (under `update`, not `merge_fill_empty`).
--   * A suppressed (erased) address needs no memory: a suppression removes it, and a channel
--     deleted under a suppression is not remembered, so an erasure leaves only its suppression.
-- A retention delete or anonymization without suppression keeps the memory (an opt-out outlives
-- the contact); the owner's account going takes it along. An erasure request by an address that no
-- contact holds any more finds the entry (20251020000045): it suppresses the address, removing it.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The key an address is remembered under: its identifier key, a number on a Telegram or other
-- channel as the E.164 number, so that any spelling of the address finds it.
create function private.channel_address_key(channel_type text, normalized_identifier text)
returns text
language sql
immutable
strict
set search_path = ''
as $$
  select private.channel_identifier_key(channel_address_key.channel_type,
    coalesce(private.channel_phone_number(channel_address_key.channel_type, channel_address_key.normalized_identifier),
             channel_address_key.normalized_identifier))
$$;
comment on function private.channel_address_key(text, text) is 'The identifier key a channel''s address is remembered under when withdrawn: its own, a number on a Telegram or other channel as the E.164 number''s.';
revoke execute on function private.channel_address_key(text, text) from public;
grant execute on function private.channel_address_key(text, text) to authenticated, service_role;

create table private.withdrawn_addresses (
  user_id uuid not null references auth.users (id) on delete cascade,
  channel_type text not null,
  identifier_hmac text not null,
  withdrawn_at timestamptz not null,
  remembered_at timestamptz not null default now(),
  constraint withdrawn_addresses_pkey primary key (user_id, identifier_hmac, channel_type),
  constraint withdrawn_addresses_identifier_hmac_check check (identifier_hmac ~ '^[0-9a-f]{64}$'),
  constraint withdrawn_addresses_withdrawn_at_check check (isfinite(withdrawn_at))
);
comment on table private.withdrawn_addresses is 'Addresses whose channel was deleted while its consent was withdrawn, as keyed hashes: the same address added again starts withdrawn.';
comment on column private.withdrawn_addresses.channel_type is 'The deleted channel''s type: consent is per channel, so a withdrawal on WhatsApp does not close SMS.';
comment on column private.withdrawn_addresses.identifier_hmac is 'HMAC-SHA-256 (hex) of private.channel_address_key under the owner''s secret; the address itself is never stored.';
comment on column private.withdrawn_addresses.withdrawn_at is 'When the withdrawal was made (the channel''s consent_updated_at): the date of the event a new channel gets.';
comment on column private.withdrawn_addresses.remembered_at is 'When the channel holding the withdrawal was deleted.';
comment on index private.withdrawn_addresses_pkey is 'One entry per owner, address and type: the probe of channel writes (by owner first), and the removal of a suppressed address (by owner and hash).';
-- Not exposed (schema private): the triggers write it; the service may read it and forget an entry.
revoke all on table private.withdrawn_addresses from public, anon, authenticated;
grant select, delete on table private.withdrawn_addresses to service_role;

-- Security definer: the memory and the owners' keys are out of every caller's reach; it writes
-- only what the caller's own deletion implies. Statement-level (once per contact of a cascade):
-- deletions of channels without a decision, nearly all of them, cost one test of old_rows.
create function private.remember_withdrawn_addresses()
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
comment on function private.remember_withdrawn_addresses() is 'Statement trigger: remembers the addresses of deleted channels whose consent was withdrawn (not those suppressed), and forgets those whose latest decision was a later grant (not an import''s).';
revoke execute on function private.remember_withdrawn_addresses() from public;
grant execute on function private.remember_withdrawn_addresses() to authenticated, service_role;

-- Security definer: reads the memory and the owners' keys, and records the event whoever wrote
-- the channel (an agent with a write grant may not record withdrawals on its own). One probe per
-- statement when the owners involved remember no withdrawal, the common case of a bulk import;
-- hashes are computed only for owners that do.
create function private.recall_withdrawn_addresses()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from private.withdrawn_addresses w
                 where w.user_id in (select n.user_id from new_rows n where n.consent_status = 'unknown')) then
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
comment on function private.recall_withdrawn_addresses() is 'Statement trigger: a channel written without a decision to an address its owner remembers withdrawn gets that withdrawal as a consent event (so it is withdrawn, and its history says why).';
revoke execute on function private.recall_withdrawn_addresses() from public;
grant execute on function private.recall_withdrawn_addresses() to authenticated, service_role;

-- An import's opt-in for a new channel of a remembered address applies as it would over the
-- channel's withdrawal (private.import_consent_applies: under update, not under merge_fill_empty);
-- otherwise the channel is written without a decision and gets the remembered withdrawal above.
-- Security definer: reads the memory and the owner's key. Fires only for import grants (when).
create function private.hold_import_grants_behind_withdrawals()
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
comment on function private.hold_import_grants_behind_withdrawals() is 'Trigger: an import''s opt-in for a new channel of a remembered withdrawn address applies only where the import would grant over a withdrawal (on_duplicate update).';
revoke execute on function private.hold_import_grants_behind_withdrawals() from public;
grant execute on function private.hold_import_grants_behind_withdrawals() to authenticated, service_role;

-- Security definer: the memory is private. Erasures (and retention with suppression) suppress an
-- address: its memory goes, so that an erasure leaves no hash beyond its suppression.
create function private.forget_suppressed_withdrawals()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from private.withdrawn_addresses w
  using new_rows s
  where w.user_id = s.user_id and w.identifier_hmac = s.identifier_hmac and s.lifted_at is null;
  return null;
end;
$$;
comment on function private.forget_suppressed_withdrawals() is 'Statement trigger: a suppressed address is no longer remembered as withdrawn (the suppression refuses it; an erasure keeps no other hash of it).';
revoke execute on function private.forget_suppressed_withdrawals() from public;
grant execute on function private.forget_suppressed_withdrawals() to authenticated, service_role;

create trigger contact_communication_channels_remember_withdrawn_delete
  after delete on public.contact_communication_channels
  referencing old table as old_rows
  for each statement execute function private.remember_withdrawn_addresses();
comment on trigger contact_communication_channels_remember_withdrawn_delete on public.contact_communication_channels is 'Remembers the addresses of channels deleted while withdrawn (keyed hashes), forgets those deleted with a later grant (not an import''s).';
create trigger contact_communication_channels_recall_withdrawn_insert
  after insert on public.contact_communication_channels
  referencing new table as new_rows
  for each statement execute function private.recall_withdrawn_addresses();
comment on trigger contact_communication_channels_recall_withdrawn_insert on public.contact_communication_channels is 'A new channel without a decision, of a remembered withdrawn address, gets the withdrawal.';
create trigger contact_communication_channels_recall_withdrawn_update
  after update on public.contact_communication_channels
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.recall_withdrawn_addresses();
comment on trigger contact_communication_channels_recall_withdrawn_update on public.contact_communication_channels is 'A channel without a decision given a remembered withdrawn address gets the withdrawal.';
-- Named to fire after contact_communication_channels_prepare, which derives normalized_identifier.
create trigger contact_communication_channels_recall_withdrawn_import_grant
  before insert on public.contact_communication_channels
  for each row
  when (new.consent_status = 'granted' and new.consent_source like 'import %')
  execute function private.hold_import_grants_behind_withdrawals();
comment on trigger contact_communication_channels_recall_withdrawn_import_grant on public.contact_communication_channels is 'An import''s opt-in does not override a remembered withdrawal unless the import grants over withdrawals (update).';
create trigger contact_suppressions_forget_withdrawn_addresses
  after insert on public.contact_suppressions
  referencing new table as new_rows
  for each statement execute function private.forget_suppressed_withdrawals();
comment on trigger contact_suppressions_forget_withdrawn_addresses on public.contact_suppressions is 'A suppressed address is no longer remembered as withdrawn.';
