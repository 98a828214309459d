-- Shared duplicate keys: the keys (channel match keys, folded external ids, name blocks of
-- 20251002000002_duplicate_contact_matching) that two or more contacts of an owner share, kept up
-- to date by statement triggers on contacts and channels, so that the owner-wide duplicate search
-- reads a short list rather than grouping all of an owner's keys on every call.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- The keys that two or more contacts of an owner share, kept by statement triggers as rows are
-- written and deleted, so that the owner-wide search reads a short list instead of grouping every
-- key of the owner on each call. A key is noted when a write makes it shared and dropped when a
-- delete or change leaves it unshared, so nothing of an erased contact stays here.
-- squawk-ignore require-concurrent-index-creation -- the primary key of the table created here: empty.
create table private.duplicate_keys (
  user_id uuid not null references auth.users (id) on delete cascade,
  kind text not null,
  match_key text not null,
  noted_at timestamptz not null default now(),
  constraint duplicate_keys_pkey primary key (user_id, kind, match_key),
  constraint duplicate_keys_kind_check check (kind in ('identifier', 'external_id', 'name'))
);
comment on table private.duplicate_keys is 'Keys shared by two or more contacts of an owner (channel match keys, folded external ids, name blocks), kept by triggers; read by the owner-wide duplicate search. Not exposed.';
comment on column private.duplicate_keys.match_key is 'identifier: private.channel_match_key; external_id: lower(btrim(external_id)); name: private.contact_name_block, as text.';
comment on index private.duplicate_keys_pkey is 'An owner''s shared keys by kind (the owner-wide duplicate search); one row per key.';
-- Like private.owner_keys, no RLS: the private schema is not exposed; definer triggers write it.
revoke all on table private.duplicate_keys from anon, authenticated;
grant select, insert, update, delete on table private.duplicate_keys to service_role;

-- Security definer: the statements of any writer of channels or contacts (owners, agents, imports,
-- erasure, retention) keep the shared keys, a private table callers cannot write. Each key touched
-- is looked up in the match-key indexes (a hash join for bulk loads); statements that change no key
-- cost one test of their transition tables.
create function private.track_shared_channel_keys()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' then
    if not exists (select 1 from new_rows n join old_rows o on o.id = n.id
                   where (n.channel_type, n.normalized_identifier, n.contact_id)
                     is distinct from (o.channel_type, o.normalized_identifier, o.contact_id)) then
      return null;
    end if;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    delete from private.duplicate_keys d
    using (select distinct o.user_id, private.channel_match_key(o.channel_type, o.normalized_identifier) as match_key
           from old_rows o) k
    where d.user_id = k.user_id and d.kind = 'identifier' and d.match_key = k.match_key
      and not exists (
        select 1 from public.contact_communication_channels a
        join public.contact_communication_channels b on b.user_id = a.user_id
          and private.channel_match_key(b.channel_type, b.normalized_identifier) = k.match_key and b.contact_id <> a.contact_id
        where a.user_id = k.user_id and private.channel_match_key(a.channel_type, a.normalized_identifier) = k.match_key);
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into private.duplicate_keys (user_id, kind, match_key)
    select distinct n.user_id, 'identifier', k.match_key
    from new_rows n
    cross join lateral (select private.channel_match_key(n.channel_type, n.normalized_identifier) as match_key) k
    where k.match_key is not null
      and exists (
        select 1 from public.contact_communication_channels ch
        where ch.user_id = n.user_id and private.channel_match_key(ch.channel_type, ch.normalized_identifier) = k.match_key
          and ch.contact_id <> n.contact_id)
    on conflict do nothing;
  end if;
  return null;
end;
$$;
comment on function private.track_shared_channel_keys() is 'Statement trigger: notes the channel match keys that written channels share with another contact of the owner, and drops those that deleted or changed channels left unshared.';
revoke execute on function private.track_shared_channel_keys() from public;
grant execute on function private.track_shared_channel_keys() to authenticated, service_role;

create function private.track_shared_contact_keys()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' then
    if not exists (select 1 from new_rows n join old_rows o on o.id = n.id
                   where (n.organization, n.display_name, n.external_id)
                     is distinct from (o.organization, o.display_name, o.external_id)) then
      return null;
    end if;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    delete from private.duplicate_keys d
    using (select distinct o.user_id, private.contact_name_block(o.organization, o.display_name) as block from old_rows o) k
    where d.user_id = k.user_id and d.kind = 'name' and d.match_key = k.block::text
      and (select count(*) from public.contacts c
           where c.user_id = k.user_id and private.contact_name_block(c.organization, c.display_name) = k.block) < 2;
    delete from private.duplicate_keys d
    using (select distinct o.user_id, lower(btrim(o.external_id)) as external_key from old_rows o where o.external_id is not null) k
    where d.user_id = k.user_id and d.kind = 'external_id' and d.match_key = k.external_key
      and (select count(*) from public.contacts c
           where c.user_id = k.user_id and c.external_id is not null and lower(btrim(c.external_id)) = k.external_key) < 2;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into private.duplicate_keys (user_id, kind, match_key)
    select distinct n.user_id, 'name', b.block::text
    from new_rows n
    cross join lateral (select private.contact_name_block(n.organization, n.display_name) as block) b
    where b.block is not null
      and exists (
        select 1 from public.contacts c
        where c.user_id = n.user_id and private.contact_name_block(c.organization, c.display_name) = b.block and c.id <> n.id)
    union
    select distinct n.user_id, 'external_id', lower(btrim(n.external_id))
    from new_rows n
    where n.external_id is not null
      and exists (
        select 1 from public.contacts c
        where c.user_id = n.user_id and c.external_id is not null and lower(btrim(c.external_id)) = lower(btrim(n.external_id))
          and c.id <> n.id)
    on conflict do nothing;
  end if;
  return null;
end;
$$;
comment on function private.track_shared_contact_keys() is 'Statement trigger: notes the name blocks and external ids that written contacts share with another contact of the owner, and drops those that deleted or changed contacts left unshared.';
revoke execute on function private.track_shared_contact_keys() from public;
grant execute on function private.track_shared_contact_keys() to authenticated, service_role;

-- What is shared already.
insert into private.duplicate_keys (user_id, kind, match_key)
select ch.user_id, 'identifier', private.channel_match_key(ch.channel_type, ch.normalized_identifier)
from public.contact_communication_channels ch
where private.channel_match_key(ch.channel_type, ch.normalized_identifier) is not null
group by 1, 3
having min(uuid_hash(ch.contact_id)) <> max(uuid_hash(ch.contact_id))
union all
select c.user_id, 'name', private.contact_name_block(c.organization, c.display_name)::text
from public.contacts c
where private.contact_name_block(c.organization, c.display_name) is not null
group by 1, 3
having count(*) > 1
union all
select c.user_id, 'external_id', lower(btrim(c.external_id))
from public.contacts c
where c.external_id is not null
group by 1, 3
having count(*) > 1;

create trigger contact_communication_channels_track_shared_keys_insert
  after insert on public.contact_communication_channels
  referencing new table as new_rows
  for each statement execute function private.track_shared_channel_keys();
create trigger contact_communication_channels_track_shared_keys_update
  after update on public.contact_communication_channels
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.track_shared_channel_keys();
create trigger contact_communication_channels_track_shared_keys_delete
  after delete on public.contact_communication_channels
  referencing old table as old_rows
  for each statement execute function private.track_shared_channel_keys();
create trigger contacts_track_shared_keys_insert
  after insert on public.contacts
  referencing new table as new_rows
  for each statement execute function private.track_shared_contact_keys();
create trigger contacts_track_shared_keys_update
  after update on public.contacts
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.track_shared_contact_keys();
create trigger contacts_track_shared_keys_delete
  after delete on public.contacts
  referencing old table as old_rows
  for each statement execute function private.track_shared_contact_keys();
