-- Per-owner privacy settings, and the PII-free interaction statistics an owner may choose to keep
-- when contacts are erased: counts per month, channel type, interaction type, direction and
-- delivery status, with no contact, agent, channel or text attached.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on tables this migration creates: empty, and concurrently cannot run inside the migration's transaction.

create table public.contact_privacy_settings (
  user_id uuid primary key default auth.uid() references auth.users (id) on delete cascade,
  keep_interaction_statistics boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.contact_privacy_settings is 'An owner''s choices for data subject requests. No row means the defaults.';
comment on column public.contact_privacy_settings.keep_interaction_statistics is 'When true, erasing a contact first adds its interactions to contact_interaction_statistics (counts only); when false (default) they leave no trace.';

comment on index public.contact_privacy_settings_pkey is 'One settings row per owner, read by every erasure; serves the user_id foreign key.';

create trigger contact_privacy_settings_set_updated_at
  before update on public.contact_privacy_settings
  for each row execute function private.set_updated_at();
comment on trigger contact_privacy_settings_set_updated_at on public.contact_privacy_settings is 'Stamps updated_at.';

create table public.contact_interaction_statistics (
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  period_start date not null,
  channel_type text not null,
  interaction_type text not null,
  direction text not null,
  delivery_status text not null,
  interaction_count bigint not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint contact_interaction_statistics_pkey
    primary key (user_id, period_start, channel_type, interaction_type, direction, delivery_status),
  constraint contact_interaction_statistics_period_check check (period_start = date_trunc('month', period_start)::date),
  constraint contact_interaction_statistics_channel_type_check check (
    channel_type in ('email', 'phone', 'sms', 'whatsapp', 'telegram', 'slack', 'webchat', 'other')),
  constraint contact_interaction_statistics_interaction_type_check check (
    interaction_type in ('message', 'email', 'call', 'meeting', 'note')),
  constraint contact_interaction_statistics_direction_check check (direction in ('inbound', 'outbound', 'internal')),
  constraint contact_interaction_statistics_delivery_status_check check (
    delivery_status in ('queued', 'sent', 'delivered', 'read', 'failed')),
  constraint contact_interaction_statistics_count_check check (interaction_count > 0)
);
comment on table public.contact_interaction_statistics is 'Interactions of erased contacts, as counts per month and kind only (kept when the owner chose so in contact_privacy_settings). Live interactions are counted from contact_interactions.';
comment on column public.contact_interaction_statistics.period_start is 'First day of the month the interactions occurred in.';
comment on column public.contact_interaction_statistics.interaction_count is 'How many interactions of erased contacts fall in this bucket.';
comment on index public.contact_interaction_statistics_pkey is 'One bucket per owner, month and kind; serves the user_id foreign key.';

create trigger contact_interaction_statistics_set_updated_at
  before update on public.contact_interaction_statistics
  for each row execute function private.set_updated_at();
comment on trigger contact_interaction_statistics_set_updated_at on public.contact_interaction_statistics is 'Stamps updated_at.';

alter table public.contact_privacy_settings enable row level security;
alter table public.contact_interaction_statistics enable row level security;

revoke all on table public.contact_privacy_settings, public.contact_interaction_statistics from anon, authenticated;
grant select, delete on table public.contact_privacy_settings to authenticated;
grant insert (keep_interaction_statistics) on table public.contact_privacy_settings to authenticated;
grant update (keep_interaction_statistics) on table public.contact_privacy_settings to authenticated;
grant select on table public.contact_interaction_statistics to authenticated;
grant all on table public.contact_privacy_settings, public.contact_interaction_statistics to service_role;

-- Settings are the owner's alone; agent tokens neither read nor change them.
create policy contact_privacy_settings_select_policy on public.contact_privacy_settings
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
comment on policy contact_privacy_settings_select_policy on public.contact_privacy_settings is 'Owners read their own settings.';
create policy contact_privacy_settings_insert_policy on public.contact_privacy_settings
  as permissive for insert to authenticated
  with check (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
comment on policy contact_privacy_settings_insert_policy on public.contact_privacy_settings is 'Owners create their own settings row.';
create policy contact_privacy_settings_update_policy on public.contact_privacy_settings
  as permissive for update to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null)
  with check (user_id = (select auth.uid()));
comment on policy contact_privacy_settings_update_policy on public.contact_privacy_settings is 'Owners change their own settings.';
create policy contact_privacy_settings_delete_policy on public.contact_privacy_settings
  as permissive for delete to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
comment on policy contact_privacy_settings_delete_policy on public.contact_privacy_settings is 'Owners return to the defaults by deleting their settings row.';

-- Statistics are written by gdpr erasure only; the owner reads them.
create policy contact_interaction_statistics_select_policy on public.contact_interaction_statistics
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
comment on policy contact_interaction_statistics_select_policy on public.contact_interaction_statistics is 'Owners read their own statistics; agent tokens read none.';
