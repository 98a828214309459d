-- Rollback of 20251020000069_phone_trunk_zero_in_parentheses_is_dropped: private.normalize_channel_identifier
-- as 20251020000058 defined it, with the comment of 20250916000000. Channels renormalized by the
-- migration keep their new form: it is the one libphonenumber gives, and the old one would again
-- differ from what the Edge Functions match.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.normalize_channel_identifier(channel_type text, identifier text)
returns text
language plpgsql
immutable
strict
set search_path = ''
as $$
begin
  return case
    when normalize_channel_identifier.channel_type = 'email' then lower(btrim(normalize_channel_identifier.identifier))
    when normalize_channel_identifier.channel_type in ('phone', 'sms', 'whatsapp') then
      regexp_replace(
        regexp_replace(btrim(normalize_channel_identifier.identifier), '^00', '+'),
        '[\s().\-/]', '', 'g')
    else lower(btrim(normalize_channel_identifier.identifier))
  end;
end;
$$;

comment on function private.normalize_channel_identifier(text, text) is 'The matching form of a channel identifier: lower-cased e-mail, +digits phone, trimmed handle.';
