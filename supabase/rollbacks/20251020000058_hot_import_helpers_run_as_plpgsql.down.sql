-- Rollback of 20251020000058_hot_import_helpers_run_as_plpgsql: the six helpers as `language sql`
-- again, with the text of their last definitions (20251005000001, 20251017000001, 20251019000006,
-- 20251020000000 and 20250916000000 for the last two); comments and grants were never changed.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function public.is_valid_e164_phone(phone text)
returns boolean
language sql
immutable
strict
set search_path = ''
as $$
  select is_valid_e164_phone.phone ~ '^\+[1-9][0-9]{6,14}$'
$$;

create or replace function private.normalize_channel_identifier(channel_type text, identifier text)
returns text
language sql
immutable
strict
set search_path = ''
as $$
  select case
    when normalize_channel_identifier.channel_type = 'email' then lower(btrim(normalize_channel_identifier.identifier))
    when normalize_channel_identifier.channel_type in ('phone', 'sms', 'whatsapp') then
      regexp_replace(
        regexp_replace(btrim(normalize_channel_identifier.identifier), '^00', '+'),
        '[\s().\-/]', '', 'g')
    else lower(btrim(normalize_channel_identifier.identifier))
  end
$$;

create or replace function private.import_row_has_no_identifier(item private.contact_import_row)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select item.external_id is null and coalesce(jsonb_array_length(item.channels), 0) = 0
$$;

create or replace function private.import_consent_applies(policy text, current_status text, given text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select import_consent_applies.given is not null
    and import_consent_applies.current_status is distinct from import_consent_applies.given
    and (import_consent_applies.policy = 'update' or import_consent_applies.given = 'withdrawn'
         or import_consent_applies.current_status = 'unknown')
$$;

create or replace function private.import_merged_metadata(policy text, current_value jsonb, incoming jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case
    when import_merged_metadata.incoming is null then import_merged_metadata.current_value
    when import_merged_metadata.policy = 'update' then import_merged_metadata.current_value || import_merged_metadata.incoming
    else import_merged_metadata.current_value || coalesce((
      select jsonb_object_agg(i.key, i.value)
      from jsonb_each(import_merged_metadata.incoming) as i
      where nullif(btrim(import_merged_metadata.current_value ->> i.key), '') is null), '{}'::jsonb)
  end
$$;

create or replace function private.import_merged_value(policy text, current_value text, incoming text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when nullif(btrim(import_merged_value.incoming), '') is null then import_merged_value.current_value
    when import_merged_value.policy = 'update' then import_merged_value.incoming
    when nullif(btrim(import_merged_value.current_value), '') is null then import_merged_value.incoming
    else import_merged_value.current_value
  end
$$;
