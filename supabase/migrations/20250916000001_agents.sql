-- Agents: the AI agents an owner runs. Every later table that names an agent references it by
-- (id, user_id), so an owner's grants and interactions can only name the owner's own agents.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on tables this migration creates: empty, and concurrently cannot run inside the migration's transaction.

create table public.agents (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  name text not null,
  description text,
  is_active boolean not null default true,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint agents_id_user_id_key unique (id, user_id),
  constraint agents_user_id_name_key unique (user_id, name),
  constraint agents_name_check check (char_length(btrim(name)) between 1 and 200),
  constraint agents_description_check check (char_length(description) <= 2000),
  constraint agents_metadata_check check (jsonb_typeof(metadata) = 'object')
);
comment on table public.agents is 'AI agents of an owner. What an agent may see and do is granted in agent_contact_permissions.';
comment on column public.agents.user_id is 'Owner (auth.users.id).';
comment on column public.agents.is_active is 'An inactive agent has no access, whatever its grants say.';
comment on index public.agents_user_id_name_key is 'Owner-scoped agent lists by name; also serves the user_id foreign key.';

create trigger agents_set_updated_at
  before update on public.agents
  for each row execute function private.set_updated_at();

alter table public.agents enable row level security;

revoke all on table public.agents from anon, authenticated;
grant select, delete on table public.agents to authenticated;
grant insert (name, description, is_active, metadata) on table public.agents to authenticated;
grant update (name, description, is_active, metadata) on table public.agents to authenticated;
grant all on table public.agents to service_role;

-- The agent an agent-scoped token speaks for: an ordinary user JWT of the owner carrying an
-- `agent_id` claim. A claim that is present but not a uuid string (null included) fails closed:
-- such a token must never fall back to the owner's full access.
create function private.current_agent_id()
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  claims constant jsonb := (select auth.jwt());
  claim text;
begin
  if claims is null or not claims ? 'agent_id' then
    return null;
  end if;
  claim := case when jsonb_typeof(claims -> 'agent_id') = 'string' then claims ->> 'agent_id' end;
  if claim is null or claim !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    raise exception 'the agent_id claim of this token is not a uuid'
      using errcode = '42501';
  end if;
  return claim::uuid;
end;
$$;
comment on function private.current_agent_id() is 'The agent_id claim of the request token, or null for an owner token; raises on a malformed claim.';
revoke execute on function private.current_agent_id() from public;
grant execute on function private.current_agent_id() to authenticated, service_role;

-- True for the service itself: a service_role token, or a direct connection of a privileged role
-- that carries no token and has not switched to an API role (pg_cron, migrations, an admin
-- connection of an Edge Function called with the secret key). Such callers bypass RLS anyway.
create function private.is_service_caller()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((select auth.role()) = 'service_role', false)
    or ((select auth.jwt()) is null and current_setting('role') not in ('anon', 'authenticated'))
$$;
comment on function private.is_service_caller() is 'True for service_role tokens and token-less privileged connections; false for every API user.';
revoke execute on function private.is_service_caller() from public;
grant execute on function private.is_service_caller() to authenticated, service_role;
