-- Rollback of 20251020000027_consent_event_dates_are_finite: prepare_consent_event as
-- 20251019000007 left it, derive_channel_consent and record_channel_consent_updates as
-- 20251002000000 made them, with their comments. Channels re-derived from their latest finite event
-- keep that consent.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.prepare_consent_event()
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
  -- Within the tolerance for a client's clock, the event happened now: a later-dated one would
  -- outrank every decision recorded in the next minutes, an opt-out included.
  new.occurred_at := least(new.occurred_at, now());
  if not private.is_service_caller() then
    new.actor_user_id := (select auth.uid());
    new.actor_agent_id := private.current_agent_id();
  end if;
  return new;
end;
$$;
comment on function private.prepare_consent_event() is 'Trigger: copies the channel''s contact and type into a consent event, stamps the actor, refuses future events.';

-- Security definer: the channel follows its history whoever recorded the event. An agent allowed to
-- record a withdrawal (message grant) may not edit channels (write grant); RLS would silently skip
-- the update. The events themselves were authorized by their insert policy. Statement-level: one
-- update for all the channels of a batch of events.
create or replace function private.derive_channel_consent()
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

create or replace function private.record_channel_consent_updates()
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
