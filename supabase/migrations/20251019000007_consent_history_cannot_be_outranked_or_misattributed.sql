-- Two ways around a channel's consent history. A consent event could be dated up to five minutes
-- ahead (a tolerance for clients' clocks), and a channel's consent is its latest event by time: an
-- agent recording a grant four minutes ahead outranked the owner's opt-out recorded a minute later,
-- and could message again. An event within the tolerance is now dated now. And an agent, which may
-- record only agent_conversation events itself, could write a channel's consent columns directly
-- naming another source (form, manual, import), which the channel's trigger kept and its history
-- recorded as such. An agent's own write is now an agent_conversation decision, the source it named
-- kept as its reference.
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
    -- An agent's own write of a channel's consent is an agent_conversation decision, whatever
    -- source it names (which becomes its reference); the derivation of events, a trigger below
    -- the statement, copies their source as it is.
    if private.current_agent_id() is not null and pg_trigger_depth() = 1
       and split_part(btrim(coalesce(new.consent_source, '')), ' ', 1) <> 'agent_conversation' then
      new.consent_source := left('agent_conversation' || coalesce(' ' || nullif(btrim(new.consent_source), ''), ''), 200);
    elsif coalesce(split_part(btrim(new.consent_source), ' ', 1), '') <> all (sources) then
      new.consent_source := left(case when private.current_agent_id() is null then 'api' else 'agent_conversation' end
        || coalesce(' ' || nullif(btrim(new.consent_source), ''), ''), 200);
    end if;
  end if;
  return new;
end;
$$;
