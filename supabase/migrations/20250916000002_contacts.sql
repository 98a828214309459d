-- Contacts: the people and organizations an owner keeps. Children reference (id, user_id).
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on tables this migration creates: empty, and concurrently cannot run inside the migration's transaction.

create table public.contacts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  first_name text,
  last_name text,
  display_name text not null,
  organization text,
  job_title text,
  metadata jsonb not null default '{}'::jsonb,
  tags text[] not null default '{}',
  status text not null default 'active',
  source text not null default 'manual',
  external_id text,
  legal_hold boolean not null default false,
  legal_hold_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  search_vector tsvector generated always as (
    to_tsvector('simple'::regconfig,
      coalesce(display_name, '') || ' ' || coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' ||
      coalesce(organization, '') || ' ' || coalesce(job_title, ''))
  ) stored,
  constraint contacts_id_user_id_key unique (id, user_id),
  constraint contacts_user_id_external_id_key unique (user_id, external_id),
  constraint contacts_status_check check (status in ('active', 'archived', 'anonymized')),
  constraint contacts_source_check check (source in ('manual', 'import', 'api', 'agent', 'merge')),
  constraint contacts_names_check check (
    char_length(first_name) <= 200 and char_length(last_name) <= 200 and char_length(display_name) between 1 and 500
    and char_length(organization) <= 300 and char_length(job_title) <= 300),
  constraint contacts_external_id_check check (char_length(external_id) between 1 and 255),
  constraint contacts_metadata_check check (jsonb_typeof(metadata) = 'object' and pg_column_size(metadata) <= 65536),
  constraint contacts_tags_check check (cardinality(tags) <= 100),
  constraint contacts_legal_hold_reason_check check (legal_hold or legal_hold_reason is null)
);
comment on table public.contacts is 'Contacts of an owner. Channels, memberships, grants and interactions hang off (id, user_id).';
comment on column public.contacts.user_id is 'Owner (auth.users.id); every policy tests it.';
comment on column public.contacts.display_name is 'Name shown and searched; filled from first/last name or organization when not given.';
comment on column public.contacts.metadata is 'Custom fields (JSON object, at most 64 kB).';
comment on column public.contacts.status is 'active, archived, or anonymized (personal fields wiped, row kept for aggregates).';
comment on column public.contacts.external_id is 'Identifier in the owner''s other systems; unique per owner.';
comment on column public.contacts.legal_hold is 'Under legal hold: GDPR deletion and retention never touch the contact or its children.';
comment on column public.contacts.search_vector is 'Full-text vector of the names, organization and title (simple configuration: names are not words of a language).';

comment on index public.contacts_user_id_external_id_key is 'Lookups by external id during imports; also serves the user_id foreign key.';
create index contacts_user_id_display_name_active_idx on public.contacts (user_id, display_name, id) where status = 'active';
comment on index public.contacts_user_id_display_name_active_idx is 'Owner-scoped alphabetical lists of active contacts, keyset-paged.';
create index contacts_user_id_updated_at_idx on public.contacts (user_id, updated_at desc);
comment on index public.contacts_user_id_updated_at_idx is 'Owner-scoped "recently changed" lists and sync.';
create index contacts_search_vector_idx on public.contacts using gin (search_vector);
comment on index public.contacts_search_vector_idx is 'Full-text search over names, organization and title.';
create index contacts_display_name_trgm_idx on public.contacts using gin (display_name extensions.gin_trgm_ops);
comment on index public.contacts_display_name_trgm_idx is 'Typo-tolerant and substring name search (trigram).';
create index contacts_organization_trgm_idx on public.contacts using gin (organization extensions.gin_trgm_ops);
comment on index public.contacts_organization_trgm_idx is 'Typo-tolerant organization search (trigram).';
create index contacts_metadata_idx on public.contacts using gin (metadata jsonb_path_ops);
comment on index public.contacts_metadata_idx is 'Containment queries on custom fields (metadata @> ...).';
create index contacts_tags_idx on public.contacts using gin (tags);
comment on index public.contacts_tags_idx is 'Tag filters (tags @> array[...]).';

-- A contact always has a name to show: the given display name, else first and last name, else the
-- organization. Checked here rather than by not-null so that the error says what is missing.
create function private.fill_contact_display_name()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  whitespace constant text := E' \t\n\r\f\v';
begin
  new.display_name := coalesce(
    nullif(btrim(new.display_name, whitespace), ''),
    nullif(btrim(concat_ws(' ', btrim(new.first_name, whitespace), btrim(new.last_name, whitespace)), whitespace), ''),
    nullif(btrim(new.organization, whitespace), ''));
  if new.display_name is null then
    raise exception 'a contact needs a display name, a first or last name, or an organization'
      using errcode = '23502';
  end if;
  return new;
end;
$$;
comment on function private.fill_contact_display_name() is 'Trigger: derives display_name when it is not given; rejects a contact with no name at all.';
revoke execute on function private.fill_contact_display_name() from public;
grant execute on function private.fill_contact_display_name() to authenticated, service_role;

-- Legal hold is the owner's decision: agent-scoped tokens with write grants edit contacts, but
-- cannot place or lift a hold (column grants cannot tell an agent token from its owner's). A held
-- contact cannot be deleted directly; removing its owner's account (a cascade) still removes it.
create function private.protect_legal_hold()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    if old.legal_hold and pg_trigger_depth() = 1 then
      raise exception 'contact is under legal hold and cannot be deleted'
        using errcode = '55000', hint = 'Lift the legal hold first.';
    end if;
    return old;
  end if;
  if (new.legal_hold, new.legal_hold_reason) is distinct from (old.legal_hold, old.legal_hold_reason)
     and private.current_agent_id() is not null then
    raise exception 'agent tokens cannot change a legal hold' using errcode = '42501';
  end if;
  return new;
end;
$$;
comment on function private.protect_legal_hold() is 'Trigger: only owners and the service place or lift legal holds; held contacts are not deleted directly.';
revoke execute on function private.protect_legal_hold() from public;
grant execute on function private.protect_legal_hold() to authenticated, service_role;

create trigger contacts_protect_legal_hold
  before update of legal_hold, legal_hold_reason or delete on public.contacts
  for each row execute function private.protect_legal_hold();
create trigger contacts_fill_display_name
  before insert or update of display_name, first_name, last_name, organization on public.contacts
  for each row execute function private.fill_contact_display_name();
create trigger contacts_set_updated_at
  before update on public.contacts
  for each row execute function private.set_updated_at();

alter table public.contacts enable row level security;

revoke all on table public.contacts from anon, authenticated;
grant select, delete on table public.contacts to authenticated;
grant insert (first_name, last_name, display_name, organization, job_title, metadata, tags, status, source, external_id)
  on table public.contacts to authenticated;
grant update (first_name, last_name, display_name, organization, job_title, metadata, tags, status, external_id,
  legal_hold, legal_hold_reason)
  on table public.contacts to authenticated;
grant all on table public.contacts to service_role;
