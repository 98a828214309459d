-- Agent permissions: what an agent may do (read, message, write) with which contacts (all, a
-- specific list, or a group), when (valid_from / valid_until) and on which channel types.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on tables this migration creates: empty, and concurrently cannot run inside the migration's transaction.

create table public.agent_contact_permissions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  agent_id uuid not null,
  permission_type text not null,
  group_id uuid,
  permission_level text not null default 'read',
  allowed_channel_types text[],
  valid_from timestamptz not null default now(),
  valid_until timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint agent_contact_permissions_id_user_id_key unique (id, user_id),
  constraint agent_contact_permissions_id_agent_id_user_id_key unique (id, agent_id, user_id),
  constraint agent_contact_permissions_agent_fkey foreign key (agent_id, user_id)
    references public.agents (id, user_id) on delete cascade,
  constraint agent_contact_permissions_group_fkey foreign key (group_id, user_id)
    references public.contact_groups (id, user_id) on delete cascade,
  constraint agent_contact_permissions_permission_type_check check (
    permission_type in ('all_contacts', 'specific_contacts', 'group')),
  constraint agent_contact_permissions_group_check check ((permission_type = 'group') = (group_id is not null)),
  constraint agent_contact_permissions_permission_level_check check (permission_level in ('read', 'message', 'write')),
  constraint agent_contact_permissions_channel_types_check check (
    cardinality(allowed_channel_types) >= 1
    and allowed_channel_types <@ array['email', 'phone', 'sms', 'whatsapp', 'telegram', 'slack', 'webchat', 'other']),
  constraint agent_contact_permissions_window_check check (valid_until > valid_from)
);
comment on table public.agent_contact_permissions is 'Grants of contacts to agents. private.agent_can_access_contact is the one place that reads them.';
comment on column public.agent_contact_permissions.permission_type is 'all_contacts, specific_contacts (listed in agent_specific_contact_access) or group (members of group_id and its subgroups).';
comment on column public.agent_contact_permissions.permission_level is 'read (see), message (see and send interactions), write (see, send and edit contacts). Each level includes the ones before it.';
comment on column public.agent_contact_permissions.allowed_channel_types is 'Channel types the agent may see and use; null means all.';
comment on column public.agent_contact_permissions.valid_until is 'End of the grant''s window (exclusive); null means open-ended. Must be after valid_from.';
create index agent_contact_permissions_agent_idx on public.agent_contact_permissions (agent_id, user_id);
comment on index public.agent_contact_permissions_agent_idx is 'An agent''s grants, read by every access decision; serves the agent foreign key.';
create index agent_contact_permissions_group_idx on public.agent_contact_permissions (group_id, user_id);
comment on index public.agent_contact_permissions_group_idx is 'Serves the group foreign key and its cascade.';
create index agent_contact_permissions_user_id_idx on public.agent_contact_permissions (user_id);
comment on index public.agent_contact_permissions_user_id_idx is 'Owner-scoped grant lists; serves the user_id foreign key.';

create trigger agent_contact_permissions_set_updated_at
  before update on public.agent_contact_permissions
  for each row execute function private.set_updated_at();

create table public.agent_specific_contact_access (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  permission_id uuid not null,
  agent_id uuid not null,
  contact_id uuid not null,
  created_at timestamptz not null default now(),
  constraint agent_specific_contact_access_permission_fkey foreign key (permission_id, agent_id, user_id)
    references public.agent_contact_permissions (id, agent_id, user_id) on delete cascade,
  constraint agent_specific_contact_access_contact_fkey foreign key (contact_id, user_id)
    references public.contacts (id, user_id) on delete cascade,
  constraint agent_specific_contact_access_permission_contact_key unique (permission_id, contact_id)
);
comment on table public.agent_specific_contact_access is 'The contacts of a specific_contacts grant.';
comment on column public.agent_specific_contact_access.agent_id is 'The grant''s agent, repeated so that the decision looks up (agent_id, contact_id) in one index.';
create index agent_specific_contact_access_agent_contact_idx on public.agent_specific_contact_access (agent_id, contact_id);
comment on index public.agent_specific_contact_access_agent_contact_idx is 'Access decisions and agent-scoped search: is this contact granted to this agent?';
create index agent_specific_contact_access_permission_idx on public.agent_specific_contact_access (permission_id, agent_id, user_id);
comment on index public.agent_specific_contact_access_permission_idx is 'Serves the permission foreign key and its cascade.';
create index agent_specific_contact_access_contact_idx on public.agent_specific_contact_access (contact_id, user_id);
comment on index public.agent_specific_contact_access_contact_idx is 'Grants naming a contact (GDPR export); serves the contact foreign key.';
create index agent_specific_contact_access_user_id_idx on public.agent_specific_contact_access (user_id);
comment on index public.agent_specific_contact_access_user_id_idx is 'Serves the user_id foreign key.';

create function private.require_specific_contacts_grant()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- A grant the caller cannot see is left to the foreign key and RLS, which answer it properly.
  if exists (
    select 1 from public.agent_contact_permissions p
    where p.id = new.permission_id and p.permission_type <> 'specific_contacts'
  ) then
    raise exception 'contacts can only be listed on a specific_contacts grant'
      using errcode = '23514';
  end if;
  return new;
end;
$$;
comment on function private.require_specific_contacts_grant() is 'Trigger: rows of agent_specific_contact_access belong to specific_contacts grants only.';
revoke execute on function private.require_specific_contacts_grant() from public;
grant execute on function private.require_specific_contacts_grant() to authenticated, service_role;

create trigger agent_specific_contact_access_require_specific_grant
  before insert or update on public.agent_specific_contact_access
  for each row execute function private.require_specific_contacts_grant();

alter table public.agent_contact_permissions enable row level security;
alter table public.agent_specific_contact_access enable row level security;

revoke all on table public.agent_contact_permissions, public.agent_specific_contact_access from anon, authenticated;
grant select, delete on table public.agent_contact_permissions to authenticated;
grant insert (agent_id, permission_type, group_id, permission_level, allowed_channel_types, valid_from, valid_until)
  on table public.agent_contact_permissions to authenticated;
grant update (permission_level, allowed_channel_types, valid_from, valid_until)
  on table public.agent_contact_permissions to authenticated;
grant select, delete on table public.agent_specific_contact_access to authenticated;
grant insert (permission_id, agent_id, contact_id) on table public.agent_specific_contact_access to authenticated;
grant all on table public.agent_contact_permissions, public.agent_specific_contact_access to service_role;
