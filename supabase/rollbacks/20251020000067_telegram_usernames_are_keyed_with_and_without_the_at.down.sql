-- Rollback of 20251020000067: private.channel_identifier_keys as 20251020000007 defined it.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.channel_identifier_keys(channel_type text, normalized_identifier text)
returns text[]
language sql
immutable
strict
set search_path = ''
as $$
  select array(
    select distinct private.channel_identifier_key(channel_identifier_keys.channel_type, v.value)
    from unnest(array[channel_identifier_keys.normalized_identifier,
      private.channel_phone_number(channel_identifier_keys.channel_type, channel_identifier_keys.normalized_identifier)]) as v (value)
    where v.value is not null
    order by 1)
$$;

comment on function private.channel_identifier_keys(text, text) is 'The identifier keys a channel is checked against the suppression list under: its own and, for a number spelled otherwise on a Telegram or other channel, the E.164 number''s.';
