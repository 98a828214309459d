-- Communication channels of a contact: e-mail, phone, messaging handles, with the normalized form
-- used for matching, one primary per type, verification and per-channel consent.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on tables this migration creates: empty, and concurrently cannot run inside the migration's transaction.

create table public.contact_communication_channels (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  contact_id uuid not null,
  channel_type text not null,
  identifier text not null,
  normalized_identifier text not null,
  label text,
  is_primary boolean not null default false,
  is_verified boolean not null default false,
  verified_at timestamptz,
  consent_status text not null default 'unknown',
  consent_source text,
  consent_updated_at timestamptz,
  vault_secret_id uuid,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint contact_communication_channels_contact_fkey foreign key (contact_id, user_id)
    references public.contacts (id, user_id) on delete cascade,
  constraint contact_communication_channels_id_user_id_key unique (id, user_id),
  constraint contact_communication_channels_id_contact_type_key unique (id, contact_id, user_id, channel_type),
  constraint contact_communication_channels_channel_type_check check (
    channel_type in ('email', 'phone', 'sms', 'whatsapp', 'telegram', 'slack', 'webchat', 'other')),
  constraint contact_communication_channels_identifier_check check (char_length(identifier) between 1 and 320),
  constraint contact_communication_channels_email_check check (
    channel_type <> 'email' or public.is_valid_email(normalized_identifier)),
  constraint contact_communication_channels_phone_check check (
    channel_type not in ('phone', 'sms', 'whatsapp') or public.is_valid_e164_phone(normalized_identifier)),
  constraint contact_communication_channels_label_check check (char_length(label) <= 100),
  constraint contact_communication_channels_consent_status_check check (
    consent_status in ('unknown', 'granted', 'withdrawn')),
  constraint contact_communication_channels_consent_source_check check (char_length(consent_source) <= 200),
  constraint contact_communication_channels_metadata_check check (jsonb_typeof(metadata) = 'object')
);
comment on table public.contact_communication_channels is 'How to reach a contact. Agents see only the channel types their grants allow.';
comment on column public.contact_communication_channels.identifier is 'The identifier as given (e-mail, phone, handle).';
comment on column public.contact_communication_channels.normalized_identifier is 'Matching form, set by trigger: lower-cased e-mail, E.164 phone, trimmed handle. Unique per owner and type.';
comment on column public.contact_communication_channels.consent_status is 'Current consent to be contacted on this channel: unknown, granted or withdrawn.';
comment on column public.contact_communication_channels.vault_secret_id is 'Id of a Supabase Vault secret holding this channel''s API key. Only the id is stored; null where Vault is absent (the local stack).';

create unique index contact_communication_channels_identifier_key
  on public.contact_communication_channels (user_id, channel_type, normalized_identifier);
comment on index public.contact_communication_channels_identifier_key is 'One owner cannot hold the same identifier twice per type; exact-identifier search; serves the user_id foreign key.';
create unique index contact_communication_channels_primary_key
  on public.contact_communication_channels (contact_id, channel_type) where is_primary;
comment on index public.contact_communication_channels_primary_key is 'At most one primary channel per contact and type.';
create index contact_communication_channels_contact_idx
  on public.contact_communication_channels (contact_id, user_id);
comment on index public.contact_communication_channels_contact_idx is 'A contact''s channels; serves the (contact_id, user_id) foreign key and cascades.';

create index contact_communication_channels_phone_suffix_idx
  on public.contact_communication_channels (user_id, reverse(normalized_identifier) text_pattern_ops)
  where channel_type in ('phone', 'sms', 'whatsapp');
comment on index public.contact_communication_channels_phone_suffix_idx is 'Phone search in national formats: the digits typed match the end of the E.164 number.';

-- Derives the normalized identifier and keeps the verification and consent timestamps in step.
create function private.prepare_contact_channel()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.normalized_identifier := private.normalize_channel_identifier(new.channel_type, new.identifier);
  if new.is_verified and (tg_op = 'INSERT' or not old.is_verified) then
    new.verified_at := coalesce(new.verified_at, now());
  elsif not new.is_verified then
    new.verified_at := null;
  end if;
  if tg_op = 'INSERT' or new.consent_status is distinct from old.consent_status then
    new.consent_updated_at := case when new.consent_status = 'unknown' then null else now() end;
  end if;
  return new;
end;
$$;
comment on function private.prepare_contact_channel() is 'Trigger: normalizes the identifier, stamps verified_at and consent_updated_at.';
revoke execute on function private.prepare_contact_channel() from public;
grant execute on function private.prepare_contact_channel() to authenticated, service_role;

create trigger contact_communication_channels_prepare
  before insert or update on public.contact_communication_channels
  for each row execute function private.prepare_contact_channel();
create trigger contact_communication_channels_set_updated_at
  before update on public.contact_communication_channels
  for each row execute function private.set_updated_at();

alter table public.contact_communication_channels enable row level security;

revoke all on table public.contact_communication_channels from anon, authenticated;
grant select, delete on table public.contact_communication_channels to authenticated;
grant insert (contact_id, channel_type, identifier, label, is_primary, is_verified, consent_status, consent_source, metadata)
  on table public.contact_communication_channels to authenticated;
grant update (identifier, label, is_primary, is_verified, consent_status, consent_source, metadata)
  on table public.contact_communication_channels to authenticated;
grant all on table public.contact_communication_channels to service_role;
