-- An erased Telegram username came back with an @: a handle is stored as given (lower-cased), so
-- "tghandle" and "@tghandle", one account, had different identifier keys; erasing the one put only
-- its key on the suppression list, and the other was accepted on insert and by an import. The keys
-- of a Telegram username are now both spellings, with and without the leading @, so either
-- spelling meets a suppression of the other, whether the erasure happened before this migration
-- (its key is one of the two) or after it (both are stored). Numbers and the other channel types
-- are keyed as before; the duplicate finder and the memory of withdrawals have keys of their own
-- (channel_match_key, channel_address_key), unchanged.
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
      private.channel_phone_number(channel_identifier_keys.channel_type, channel_identifier_keys.normalized_identifier),
      -- A Telegram username is the same with or without its leading @.
      case when channel_identifier_keys.channel_type = 'telegram' and channel_identifier_keys.normalized_identifier ~ '^@?[a-z0-9_]+$'
           then case when left(channel_identifier_keys.normalized_identifier, 1) = '@'
                     then substr(channel_identifier_keys.normalized_identifier, 2)
                     else '@' || channel_identifier_keys.normalized_identifier end
      end]) as v (value)
    where v.value is not null
    order by 1)
$$;

comment on function private.channel_identifier_keys(text, text) is 'The identifier keys a channel is checked against the suppression list under: its own; for a number spelled otherwise on a Telegram or other channel, the E.164 number''s; for a Telegram username, its spelling with and without the leading @.';
