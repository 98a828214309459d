-- Consent history: one row per consent decision about a channel (granted or withdrawn), where it
-- came from, its proof and who recorded it. A channel's consent columns (consent_status,
-- consent_source, consent_updated_at) are derived from its latest event by trigger, so history is
-- never overwritten. The columns stay writable as before (clients, imports and the seed write
-- them): such a write is recorded as an event first, then derived like any other. consent_source
-- reads '<source> <reference>': a write naming a known source first ('import <job id>') keeps it,
-- any other text is prefixed with 'api' (or 'agent_conversation' for agent tokens).
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on the table this migration creates: concurrently cannot run inside the migration's transaction.

create table public.contact_consent_events (
  id bigint generated always as identity primary key,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  contact_id uuid not null,
  channel_id uuid not null,
  channel_type text not null,
  status text not null,
  source text not null,
  source_ref text,
  proof_reference text,
  actor_user_id uuid,
  actor_agent_id uuid,
  occurred_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  -- The channel of the event, of this contact and owner (so the contact's deletion removes its
  -- history with its channels); the type is repeated so that policies test local columns.
  constraint contact_consent_events_channel_fkey foreign key (channel_id, contact_id, user_id, channel_type)
    references public.contact_communication_channels (id, contact_id, user_id, channel_type) on delete cascade,
  constraint contact_consent_events_status_check check (status in ('granted', 'withdrawn')),
  constraint contact_consent_events_source_check check (
    source in ('import', 'api', 'form', 'agent_conversation', 'manual', 'merge')),
  constraint contact_consent_events_text_check check (
    char_length(source_ref) between 1 and 200 and char_length(proof_reference) between 1 and 500)
);
comment on table public.contact_consent_events is 'Consent history per channel, append-only: the channel''s consent_status, consent_source and consent_updated_at are those of its latest event (by occurred_at, then id).';
comment on column public.contact_consent_events.channel_type is 'The channel''s type, copied from the channel by trigger (policies test it against the agent''s allowed channel types).';
comment on column public.contact_consent_events.source is 'Where the decision came from: import, api, form, agent_conversation, manual or merge.';
comment on column public.contact_consent_events.source_ref is 'What in that source: the import job id, a form name, the text a client wrote into consent_source.';
comment on column public.contact_consent_events.proof_reference is 'Where the proof is kept (a document id, a message id, a signed form); not the proof itself.';
comment on column public.contact_consent_events.actor_user_id is 'The user whose token recorded the event (null for the service unless it names one).';
comment on column public.contact_consent_events.actor_agent_id is 'The agent whose token recorded the event, if any. No foreign key: the record outlives the agent.';
comment on index public.contact_consent_events_pkey is 'Primary key; also the order of events recorded at the same time.';
comment on column public.contact_consent_events.occurred_at is 'When the decision was made (may be earlier than created_at for backfilled history, never in the future).';

create index contact_consent_events_channel_idx
  on public.contact_consent_events (channel_id, contact_id, user_id, channel_type, occurred_at desc, id desc);
comment on index public.contact_consent_events_channel_idx is 'A channel''s history, newest first (the derivation reads its first row); serves the channel foreign key.';
create index contact_consent_events_contact_idx on public.contact_consent_events (contact_id, user_id, occurred_at);
comment on index public.contact_consent_events_contact_idx is 'A contact''s consent history (export, merge).';
create index contact_consent_events_user_idx on public.contact_consent_events (user_id, occurred_at);
comment on index public.contact_consent_events_user_idx is 'An owner''s consent history by time; serves the user_id foreign key.';

-- Fills the channel's contact and type, stamps the actor from the token, refuses events in the
-- future. Reads the channel as the caller (RLS applies): a channel the caller cannot see is missing.
create function private.prepare_consent_event()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- Clients cannot write contact_id or channel_type (column grants); set-based writers that know
  -- them (the channel triggers below) skip the lookup, and the foreign key checks what they gave.
  if new.contact_id is null or new.channel_type is null then
    select ch.contact_id, ch.channel_type into new.contact_id, new.channel_type
    from public.contact_communication_channels ch
    where ch.id = new.channel_id and ch.user_id = new.user_id;
    if not found then
      raise exception 'channel not found' using errcode = '23503';
    end if;
  end if;
  if new.occurred_at > now() + interval '5 minutes' then
    raise exception 'a consent event cannot lie in the future' using errcode = '23514';
  end if;
  if not private.is_service_caller() then
    new.actor_user_id := (select auth.uid());
    new.actor_agent_id := private.current_agent_id();
  end if;
  return new;
end;
$$;
comment on function private.prepare_consent_event() is 'Trigger: copies the channel''s contact and type into a consent event, stamps the actor, refuses future events.';
revoke execute on function private.prepare_consent_event() from public;
grant execute on function private.prepare_consent_event() to authenticated, service_role;

-- History is never overwritten: the decision, its channel, time and actor are fixed. Two changes
-- remain possible, for the service and definer code only (clients hold no update grant): a merge
-- moves the event with its channel to the surviving contact, and erasure may wipe the free texts.
create function private.protect_consent_history()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if (new.id, new.user_id, new.channel_id, new.channel_type, new.status, new.source, new.occurred_at,
      new.actor_user_id, new.actor_agent_id, new.created_at)
     is distinct from (old.id, old.user_id, old.channel_id, old.channel_type, old.status, old.source, old.occurred_at,
      old.actor_user_id, old.actor_agent_id, old.created_at)
     or (new.source_ref is distinct from old.source_ref and new.source_ref is not null)
     or (new.proof_reference is distinct from old.proof_reference and new.proof_reference is not null) then
    raise exception 'consent history cannot be rewritten; record a new event instead' using errcode = '42501';
  end if;
  return new;
end;
$$;
comment on function private.protect_consent_history() is 'Trigger: consent events are append-only; only their contact (merge) may change and their free texts be wiped.';
revoke execute on function private.protect_consent_history() from public;
grant execute on function private.protect_consent_history() to authenticated, service_role;

-- Security definer: the channel follows its history whoever recorded the event. An agent allowed to
-- record a withdrawal (message grant) may not edit channels (write grant); RLS would silently skip
-- the update. The events themselves were authorized by their insert policy. Statement-level: one
-- update for all the channels of a batch of events.
create function private.derive_channel_consent()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Statement triggers fire for empty statements too; nothing to derive then (and no recursion).
  if not exists (select 1 from new_rows) then
    return null;
  end if;
  update public.contact_communication_channels ch
  set consent_status = latest.status, consent_source = latest.consent_source, consent_updated_at = latest.occurred_at
  from (
    select distinct on (e.channel_id) e.channel_id, e.user_id, e.status,
      left(e.source || coalesce(' ' || e.source_ref, ''), 200) as consent_source, e.occurred_at
    from public.contact_consent_events e
    where e.channel_id in (select n.channel_id from new_rows n)
    order by e.channel_id, e.occurred_at desc, e.id desc
  ) latest
  where ch.id = latest.channel_id and ch.user_id = latest.user_id
    and (ch.consent_status, ch.consent_source, ch.consent_updated_at)
      is distinct from (latest.status, latest.consent_source, latest.occurred_at);
  return null;
end;
$$;
comment on function private.derive_channel_consent() is 'Statement trigger: sets the consent columns of the channels of new consent events to their latest event (consent_source = ''<source> <reference>'').';
revoke execute on function private.derive_channel_consent() from public;
grant execute on function private.derive_channel_consent() to authenticated, service_role;

-- Writes of channels' consent columns that their history does not explain yet become events, one
-- insert per statement: consent_source is read as '<source> <reference>' (the channel's own
-- trigger put it in that form), the time is the channel's consent time. The events' derivation then
-- finds those channels in step. A decided channel going back to 'unknown' would erase a decision:
-- refused. Security definer: the writes were authorized by the channels' own policies and grants;
-- the events are their record (clients cannot set an event's owner, user_id, themselves).
create function private.record_channel_consent_inserts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from new_rows n where n.consent_status <> 'unknown') then
    return null;
  end if;
  insert into public.contact_consent_events
    (user_id, contact_id, channel_id, channel_type, status, source, source_ref, occurred_at, actor_user_id, actor_agent_id)
  select n.user_id, n.contact_id, n.id, n.channel_type, n.consent_status, w.source,
    nullif(btrim(substr(n.consent_source, char_length(w.source) + 2)), ''), coalesce(n.consent_updated_at, now()),
    (select auth.uid()), private.current_agent_id()
  from new_rows n
  cross join lateral (select split_part(n.consent_source, ' ', 1) as source) w
  where n.consent_status <> 'unknown';
  return null;
end;
$$;
comment on function private.record_channel_consent_inserts() is 'Statement trigger: records the consent decisions of new channels as consent events.';
revoke execute on function private.record_channel_consent_inserts() from public;
grant execute on function private.record_channel_consent_inserts() to authenticated, service_role;

create function private.record_channel_consent_updates()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Most updates of channels leave consent alone (and statement triggers fire for empty ones).
  if not exists (select 1 from new_rows n join old_rows o on o.id = n.id
                 where (n.consent_status, n.consent_source) is distinct from (o.consent_status, o.consent_source)) then
    return null;
  end if;
  if exists (select 1 from new_rows n join old_rows o on o.id = n.id
             where n.consent_status = 'unknown' and o.consent_status <> 'unknown') then
    raise exception 'consent cannot go back to unknown; record a withdrawal instead' using errcode = '23514';
  end if;
  insert into public.contact_consent_events
    (user_id, contact_id, channel_id, channel_type, status, source, source_ref, occurred_at, actor_user_id, actor_agent_id)
  select n.user_id, n.contact_id, n.id, n.channel_type, n.consent_status, w.source,
    nullif(btrim(substr(n.consent_source, char_length(w.source) + 2)), ''), coalesce(n.consent_updated_at, now()),
    (select auth.uid()), private.current_agent_id()
  from new_rows n
  join old_rows o on o.id = n.id
  cross join lateral (select split_part(n.consent_source, ' ', 1) as source) w
  where n.consent_status <> 'unknown'
    and (n.consent_status, n.consent_source) is distinct from (o.consent_status, o.consent_source)
    and not exists (
      select 1
      from (select e.status, left(e.source || coalesce(' ' || e.source_ref, ''), 200) as consent_source
            from public.contact_consent_events e
            where e.channel_id = n.id and e.contact_id = n.contact_id and e.user_id = n.user_id and e.channel_type = n.channel_type
            order by e.occurred_at desc, e.id desc
            limit 1) latest
      where latest.status = n.consent_status and latest.consent_source = n.consent_source);
  return null;
end;
$$;
comment on function private.record_channel_consent_updates() is 'Statement trigger: records changed consent columns of channels as consent events (unless they are the derivation of the latest event); refuses a return to unknown.';
revoke execute on function private.record_channel_consent_updates() from public;
grant execute on function private.record_channel_consent_updates() to authenticated, service_role;

-- Redefines the channel trigger of 20250916000003_contact_communication_channels. Two changes: a
-- consent_updated_at the statement sets itself (the derivation copies the event's time) is kept;
-- a written decision gets its consent_source in the '<source> <reference>' form of the history.
create or replace function private.prepare_contact_channel()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  sources constant text[] := array['import', 'api', 'form', 'agent_conversation', 'manual', 'merge'];
  consent_written constant boolean := tg_op = 'INSERT'
    or (new.consent_status, new.consent_source) is distinct from (old.consent_status, old.consent_source);
begin
  new.normalized_identifier := private.normalize_channel_identifier(new.channel_type, new.identifier);
  if new.is_verified and (tg_op = 'INSERT' or not old.is_verified) then
    new.verified_at := coalesce(new.verified_at, now());
  elsif not new.is_verified then
    new.verified_at := null;
  end if;
  if new.consent_status = 'unknown' then
    new.consent_updated_at := null;
  elsif consent_written then
    if tg_op = 'INSERT' or new.consent_updated_at is not distinct from old.consent_updated_at then
      new.consent_updated_at := case when tg_op = 'INSERT' then coalesce(new.consent_updated_at, now()) else now() end;
    end if;
    if coalesce(split_part(btrim(new.consent_source), ' ', 1), '') <> all (sources) then
      new.consent_source := left(case when private.current_agent_id() is null then 'api' else 'agent_conversation' end
        || coalesce(' ' || nullif(btrim(new.consent_source), ''), ''), 200);
    end if;
  end if;
  return new;
end;
$$;

-- Channels already holding a decision get it as their first event, before the triggers exist (so
-- the channels themselves are left as they are). Their time is the channel's consent time.
insert into public.contact_consent_events
  (user_id, contact_id, channel_id, channel_type, status, source, source_ref, occurred_at, created_at)
select ch.user_id, ch.contact_id, ch.id, ch.channel_type, ch.consent_status, 'manual', nullif(btrim(ch.consent_source), ''),
  coalesce(ch.consent_updated_at, ch.updated_at), now()
from public.contact_communication_channels ch
where ch.consent_status in ('granted', 'withdrawn')
order by ch.user_id, ch.contact_id, ch.id;

create trigger contact_consent_events_prepare
  before insert on public.contact_consent_events
  for each row execute function private.prepare_consent_event();
create trigger contact_consent_events_protect_history
  before update on public.contact_consent_events
  for each row execute function private.protect_consent_history();
create trigger contact_consent_events_derive_channel
  after insert on public.contact_consent_events
  referencing new table as new_rows
  for each statement execute function private.derive_channel_consent();
create trigger contact_communication_channels_record_consent_insert
  after insert on public.contact_communication_channels
  referencing new table as new_rows
  for each statement execute function private.record_channel_consent_inserts();
create trigger contact_communication_channels_record_consent_update
  after update on public.contact_communication_channels
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.record_channel_consent_updates();

alter table public.contact_consent_events enable row level security;

revoke all on table public.contact_consent_events from anon, authenticated;
grant select on table public.contact_consent_events to authenticated;
grant insert (channel_id, status, source, source_ref, proof_reference, occurred_at)
  on table public.contact_consent_events to authenticated;
grant all on table public.contact_consent_events to service_role;
revoke all on sequence public.contact_consent_events_id_seq from anon, authenticated;
