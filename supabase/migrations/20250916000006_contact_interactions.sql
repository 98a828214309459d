-- Interactions: the communication history with a contact (messages, calls, notes), who handled
-- it, on which channel, and the delivery lifecycle of outbound messages.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on tables this migration creates: empty, and concurrently cannot run inside the migration's transaction.

create table public.contact_interactions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  contact_id uuid not null,
  agent_id uuid,
  channel_id uuid,
  channel_type text not null,
  interaction_type text not null default 'message',
  direction text not null,
  subject text,
  content text,
  summary text,
  delivery_status text not null default 'queued',
  queued_at timestamptz,
  sent_at timestamptz,
  delivered_at timestamptz,
  read_at timestamptz,
  failed_at timestamptz,
  error_code text,
  error_message text,
  metadata jsonb not null default '{}'::jsonb,
  occurred_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint contact_interactions_contact_fkey foreign key (contact_id, user_id)
    references public.contacts (id, user_id) on delete cascade,
  constraint contact_interactions_agent_fkey foreign key (agent_id, user_id)
    references public.agents (id, user_id) on delete set null (agent_id),
  -- The channel used must be one of this contact's channels, of the interaction's type.
  constraint contact_interactions_channel_fkey foreign key (channel_id, contact_id, user_id, channel_type)
    references public.contact_communication_channels (id, contact_id, user_id, channel_type) on delete set null (channel_id),
  constraint contact_interactions_channel_type_check check (
    channel_type in ('email', 'phone', 'sms', 'whatsapp', 'telegram', 'slack', 'webchat', 'other')),
  constraint contact_interactions_interaction_type_check check (
    interaction_type in ('message', 'email', 'call', 'meeting', 'note')),
  constraint contact_interactions_direction_check check (direction in ('inbound', 'outbound', 'internal')),
  constraint contact_interactions_delivery_status_check check (
    delivery_status in ('queued', 'sent', 'delivered', 'read', 'failed')),
  constraint contact_interactions_failure_check check ((delivery_status = 'failed') = (failed_at is not null)),
  constraint contact_interactions_text_check check (
    char_length(subject) <= 1000 and char_length(summary) <= 10000 and char_length(content) <= 1000000),
  constraint contact_interactions_error_check check (char_length(error_code) <= 100 and char_length(error_message) <= 2000),
  constraint contact_interactions_metadata_check check (jsonb_typeof(metadata) = 'object')
);
comment on table public.contact_interactions is 'Communication history of a contact, with the delivery lifecycle of outbound messages.';
comment on column public.contact_interactions.agent_id is 'The agent that handled the interaction; null for people, or once the agent is deleted.';
comment on column public.contact_interactions.channel_id is 'The channel used, when known; null once the channel is deleted.';
comment on column public.contact_interactions.content is 'Message body: personal data, wiped by anonymization and content retention.';
comment on column public.contact_interactions.delivery_status is 'queued -> sent -> delivered -> read; any unfinished state -> failed; failed -> queued to retry.';
comment on column public.contact_interactions.occurred_at is 'When the interaction happened (the timeline order and the retention clock).';

create index contact_interactions_timeline_idx on public.contact_interactions (contact_id, user_id, occurred_at desc);
comment on index public.contact_interactions_timeline_idx is 'A contact''s timeline, newest first; serves the contact foreign key and cascades.';
create index contact_interactions_user_occurred_idx on public.contact_interactions (user_id, occurred_at);
comment on index public.contact_interactions_user_occurred_idx is 'Retention by age per owner; serves the user_id foreign key.';
create index contact_interactions_agent_idx on public.contact_interactions (agent_id, user_id);
comment on index public.contact_interactions_agent_idx is 'An agent''s activity; serves the agent foreign key.';
create index contact_interactions_channel_idx on public.contact_interactions (channel_id, contact_id, user_id, channel_type);
comment on index public.contact_interactions_channel_idx is 'Serves the channel foreign key (set null on channel delete).';
create index contact_interactions_pending_idx on public.contact_interactions (user_id, delivery_status, queued_at)
  where delivery_status in ('queued', 'sent');
comment on index public.contact_interactions_pending_idx is 'Delivery workers: messages still queued or in flight.';

-- Allows only forward moves of the delivery lifecycle and stamps the time of each state.
create function private.track_interaction_delivery()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  allowed constant jsonb := '{"queued": ["sent", "delivered", "failed"], "sent": ["delivered", "read", "failed"],
    "delivered": ["read"], "read": [], "failed": ["queued"]}'::jsonb;
begin
  if tg_op = 'UPDATE' and new.delivery_status is distinct from old.delivery_status
     and not (allowed -> old.delivery_status) ? new.delivery_status then
    raise exception 'delivery status cannot go from % to %', old.delivery_status, new.delivery_status
      using errcode = '23514';
  end if;
  if tg_op = 'INSERT' or new.delivery_status is distinct from old.delivery_status then
    case new.delivery_status
      when 'queued' then new.queued_at := coalesce(new.queued_at, now()); new.failed_at := null;
      when 'sent' then new.sent_at := coalesce(new.sent_at, now());
      when 'delivered' then new.delivered_at := coalesce(new.delivered_at, now());
      when 'read' then new.read_at := coalesce(new.read_at, now());
      when 'failed' then new.failed_at := coalesce(new.failed_at, now());
      else null; -- an unknown status is the check constraint's to refuse
    end case;
  end if;
  return new;
end;
$$;
comment on function private.track_interaction_delivery() is 'Trigger: enforces the delivery lifecycle and stamps its timestamps.';
revoke execute on function private.track_interaction_delivery() from public;
grant execute on function private.track_interaction_delivery() to authenticated, service_role;

create trigger contact_interactions_track_delivery
  before insert or update of delivery_status on public.contact_interactions
  for each row execute function private.track_interaction_delivery();
create trigger contact_interactions_set_updated_at
  before update on public.contact_interactions
  for each row execute function private.set_updated_at();

alter table public.contact_interactions enable row level security;

revoke all on table public.contact_interactions from anon, authenticated;
grant select, delete on table public.contact_interactions to authenticated;
grant insert (contact_id, agent_id, channel_id, channel_type, interaction_type, direction, subject, content, summary,
  delivery_status, error_code, error_message, metadata, occurred_at)
  on table public.contact_interactions to authenticated;
grant update (subject, content, summary, delivery_status, error_code, error_message, metadata)
  on table public.contact_interactions to authenticated;
grant all on table public.contact_interactions to service_role;
