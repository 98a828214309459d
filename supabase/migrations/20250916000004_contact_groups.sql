-- Groups: static groups (explicit memberships) and smart groups (JSONB criteria evaluated into
-- members), nested through a parent of the same owner, without cycles.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on tables this migration creates: empty, and concurrently cannot run inside the migration's transaction.

-- Smart-group criteria: {"match": "all"|"any", "rules": [{"field", "op", "value"}, ...]}.
-- Fields: display_name, first_name, last_name, organization, job_title, status, source,
-- external_id, metadata.<key> (text ops), tags (contains / is_empty / not_empty),
-- channel_type (has). Text ops: equals, not_equals, contains, starts_with, in, is_empty, not_empty.
create function public.is_valid_smart_group_criteria(criteria jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(
    jsonb_typeof(criteria) = 'object'
    and (criteria - 'match' - 'rules') = '{}'::jsonb
    and coalesce(criteria ->> 'match', 'all') in ('all', 'any')
    and jsonb_typeof(criteria -> 'rules') = 'array'
    and jsonb_array_length(criteria -> 'rules') between 1 and 50
    and (
      select bool_and(coalesce(
        jsonb_typeof(rule) = 'object'
        and (rule - 'field' - 'op' - 'value') = '{}'::jsonb
        and case
          when rule ->> 'field' = 'tags' then
            (rule ->> 'op' = 'contains' and jsonb_typeof(rule -> 'value') = 'string')
            or (rule ->> 'op' in ('is_empty', 'not_empty') and not rule ? 'value')
          when rule ->> 'field' = 'channel_type' then
            rule ->> 'op' = 'has' and rule ->> 'value' in ('email', 'phone', 'sms', 'whatsapp', 'telegram', 'slack', 'webchat', 'other')
          when rule ->> 'field' in ('display_name', 'first_name', 'last_name', 'organization', 'job_title', 'status', 'source', 'external_id')
            or rule ->> 'field' ~ '^metadata\.[A-Za-z0-9_\-]{1,64}$' then
            (rule ->> 'op' in ('equals', 'not_equals', 'contains', 'starts_with') and jsonb_typeof(rule -> 'value') = 'string')
            or (rule ->> 'op' = 'in' and jsonb_typeof(rule -> 'value') = 'array' and jsonb_array_length(rule -> 'value') between 1 and 100)
            or (rule ->> 'op' in ('is_empty', 'not_empty') and not rule ? 'value')
          else false
        end, false))
      from jsonb_array_elements(criteria -> 'rules') as rules (rule)
    ),
    false)
$$;
comment on function public.is_valid_smart_group_criteria(jsonb) is 'True when a smart group''s criteria follow the documented shape (match all/any, 1 to 50 rules of known fields and operators).';
revoke execute on function public.is_valid_smart_group_criteria(jsonb) from public, anon;
grant execute on function public.is_valid_smart_group_criteria(jsonb) to authenticated, service_role;

create table public.contact_groups (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  name text not null,
  description text,
  group_type text not null default 'static',
  criteria jsonb,
  parent_group_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint contact_groups_id_user_id_key unique (id, user_id),
  constraint contact_groups_user_id_name_key unique (user_id, name),
  constraint contact_groups_parent_fkey foreign key (parent_group_id, user_id)
    references public.contact_groups (id, user_id) on delete set null (parent_group_id),
  constraint contact_groups_name_check check (char_length(btrim(name)) between 1 and 200),
  constraint contact_groups_description_check check (char_length(description) <= 2000),
  constraint contact_groups_group_type_check check (group_type in ('static', 'smart')),
  constraint contact_groups_criteria_check check (
    case group_type when 'smart' then public.is_valid_smart_group_criteria(criteria) else criteria is null end),
  constraint contact_groups_parent_not_self_check check (parent_group_id <> id)
);
comment on table public.contact_groups is 'Static and smart groups of contacts, nested through parent_group_id.';
comment on column public.contact_groups.criteria is 'Smart groups only: the rules that select members (see public.is_valid_smart_group_criteria).';
comment on column public.contact_groups.parent_group_id is 'Parent group of the same owner; a group''s members include its subgroups'' members.';
comment on index public.contact_groups_user_id_name_key is 'Owner-scoped group lists by name; serves the user_id foreign key.';
create index contact_groups_parent_idx on public.contact_groups (parent_group_id, user_id);
comment on index public.contact_groups_parent_idx is 'Walking the hierarchy downwards; serves the parent foreign key.';

-- Rejects a parent that is the group itself or one of its descendants.
create function private.prevent_contact_group_cycle()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.parent_group_id is not null and exists (
    with recursive ancestors (id, parent_group_id) as (
      select g.id, g.parent_group_id from public.contact_groups g where g.id = new.parent_group_id
      union
      select g.id, g.parent_group_id from public.contact_groups g join ancestors a on g.id = a.parent_group_id
    )
    select 1 from ancestors where ancestors.id = new.id
  ) then
    raise exception 'group "%" cannot be nested inside its own subgroup', new.name
      using errcode = '23514';
  end if;
  return new;
end;
$$;
comment on function private.prevent_contact_group_cycle() is 'Trigger: keeps the group hierarchy a forest.';
revoke execute on function private.prevent_contact_group_cycle() from public;
grant execute on function private.prevent_contact_group_cycle() to authenticated, service_role;

create trigger contact_groups_prevent_cycle
  before insert or update of parent_group_id on public.contact_groups
  for each row execute function private.prevent_contact_group_cycle();
create trigger contact_groups_set_updated_at
  before update on public.contact_groups
  for each row execute function private.set_updated_at();

create table public.contact_group_memberships (
  group_id uuid not null,
  contact_id uuid not null,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  constraint contact_group_memberships_pkey primary key (group_id, contact_id),
  constraint contact_group_memberships_group_fkey foreign key (group_id, user_id)
    references public.contact_groups (id, user_id) on delete cascade,
  constraint contact_group_memberships_contact_fkey foreign key (contact_id, user_id)
    references public.contacts (id, user_id) on delete cascade
);
comment on table public.contact_group_memberships is 'Members of static groups. Smart groups have none: their criteria decide.';
create index contact_group_memberships_group_idx on public.contact_group_memberships (group_id, user_id);
comment on index public.contact_group_memberships_group_idx is 'Serves the (group_id, user_id) foreign key.';
create index contact_group_memberships_contact_idx on public.contact_group_memberships (contact_id, user_id);
comment on index public.contact_group_memberships_contact_idx is 'A contact''s groups; serves the (contact_id, user_id) foreign key and cascades.';
create index contact_group_memberships_user_id_idx on public.contact_group_memberships (user_id);
comment on index public.contact_group_memberships_user_id_idx is 'Serves the user_id foreign key.';

create function private.require_static_group()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if exists (select 1 from public.contact_groups g where g.id = new.group_id and g.group_type = 'smart') then
    raise exception 'members of a smart group come from its criteria and cannot be added by hand'
      using errcode = '23514';
  end if;
  return new;
end;
$$;
comment on function private.require_static_group() is 'Trigger: memberships only for static groups.';
revoke execute on function private.require_static_group() from public;
grant execute on function private.require_static_group() to authenticated, service_role;

create trigger contact_group_memberships_require_static_group
  before insert or update on public.contact_group_memberships
  for each row execute function private.require_static_group();

alter table public.contact_groups enable row level security;
alter table public.contact_group_memberships enable row level security;

revoke all on table public.contact_groups, public.contact_group_memberships from anon, authenticated;
grant select, delete on table public.contact_groups to authenticated;
grant insert (name, description, group_type, criteria, parent_group_id) on table public.contact_groups to authenticated;
grant update (name, description, criteria, parent_group_id) on table public.contact_groups to authenticated;
grant select, delete on table public.contact_group_memberships to authenticated;
grant insert (group_id, contact_id) on table public.contact_group_memberships to authenticated;
grant all on table public.contact_groups, public.contact_group_memberships to service_role;
