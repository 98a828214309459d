-- A number written with its trunk prefix in parentheses, "+44 (0)20 7946 0020", lost only its
-- punctuation in SQL and was stored as +4402079460020, where the Edge Functions (libphonenumber)
-- make +442079460020 of it. So gdpr-export and gdpr-delete did not find such a contact by its
-- number, and an erased +447700900123 could be added again as "+44 (0)7700 900123": the two
-- spellings had different suppression keys. Now:
--   * private.normalize_channel_identifier drops a "(0)" that directly follows a leading +<1-3
--     digits> (after 00 -> +; spaces, dots, dashes or slashes may stand between) before stripping
--     the punctuation: "+CC (0)" means "leave the 0 out when dialling from abroad". Not for the
--     plans where a 0 after the country code is part of the number, as libphonenumber keeps it:
--     Italy and the Vatican (+39), San Marino (+378), Côte d'Ivoire (+225), Benin (+229), Gabon
--     (+241), Congo (+242). E-mails, other types and numbers without "(0)" are unchanged.
--   * Stored phone, SMS and WhatsApp channels whose normalized form changes are recomputed; their
--     match keys (index, private.duplicate_keys) follow through the channel triggers. Left as they
--     are, and counted in a notice: a channel whose new form the owner already holds in the other
--     spelling (the unique key; no data is lost), and one whose new form is suppressed (a number
--     that came back through this very defect; the owner decides).
--   * Not done: suppressions stored before as hashes of a trunk-zero key ("phone:+4407700900123")
--     cannot be recomputed, and an alias key for them is not safe here. The keys a channel is
--     checked under (private.channel_identifier_keys) are also the keys an erasure stores and
--     hashes into its receipt, while lifting goes by private.identifier_key_aliases: an alias
--     added there would be suppressed by every erasure and never lifted. So a number erased as
--     "+44 (0)7700 900123" before this migration is refused now only if spelled "+4407700900123".
--     Remembered withdrawals of deleted channels (private.withdrawn_addresses) and hashes in
--     receipts and search logs stay keyed by the old form likewise.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.normalize_channel_identifier(channel_type text, identifier text)
returns text
language plpgsql
immutable
strict
set search_path = ''
as $$
declare
  phone text;
begin
  if normalize_channel_identifier.channel_type in ('phone', 'sms', 'whatsapp') then
    phone := regexp_replace(btrim(normalize_channel_identifier.identifier), '^00', '+');
    -- "+44 (0)20 ...": the trunk 0, left out from abroad; where a 0 is part of the number, kept.
    if phone !~ '^\+(39|378|225|229|241|242)' then
      phone := regexp_replace(phone, '^(\+[0-9]{1,3})[\s.\-/]*\(0\)', '\1');
    end if;
    return regexp_replace(phone, '[\s().\-/]', '', 'g');
  end if;
  -- E-mail addresses and handles alike.
  return lower(btrim(normalize_channel_identifier.identifier));
end;
$$;

comment on function private.normalize_channel_identifier(text, text) is 'The matching form of a channel identifier: lower-cased e-mail, +digits phone (a "(0)" after the country code dropped where it is a trunk prefix), trimmed handle.';

-- Stored channels follow. The address does not change, only its spelling: the guard that keeps a
-- channel with consent history on its address is held for this statement.
alter table public.contact_communication_channels disable trigger contact_communication_channels_protect_consented_address;

do $$
declare
  changed bigint;
  held_taken bigint;
  held_suppressed bigint;
begin
  create temporary table trunk_zero_channels on commit drop as
  select ch.id, ch.user_id, ch.channel_type,
    private.normalize_channel_identifier(ch.channel_type, ch.identifier) as renormalized
  from public.contact_communication_channels ch
  where ch.channel_type in ('phone', 'sms', 'whatsapp') and ch.identifier like '%(0)%'
    and ch.normalized_identifier <> private.normalize_channel_identifier(ch.channel_type, ch.identifier);

  -- The owner holds the number in the other spelling already (or two rows would meet there).
  delete from trunk_zero_channels t
  where exists (select 1 from public.contact_communication_channels ch
                where ch.user_id = t.user_id and ch.channel_type = t.channel_type and ch.normalized_identifier = t.renormalized)
     or exists (select 1 from trunk_zero_channels o
                where o.user_id = t.user_id and o.channel_type = t.channel_type and o.renormalized = t.renormalized and o.id <> t.id);
  get diagnostics held_taken = row_count;

  -- The number in its new form is suppressed: the reject trigger would refuse the update.
  delete from trunk_zero_channels t
  where exists (
    select 1
    from private.owner_keys k
    cross join lateral unnest(private.channel_identifier_keys(t.channel_type, t.renormalized)) as key (value)
    join public.contact_suppressions s on s.user_id = t.user_id and s.lifted_at is null
      and s.identifier_hmac = encode(extensions.hmac(convert_to(key.value, 'UTF8'), k.hmac_key, 'sha256'), 'hex')
    where k.user_id = t.user_id);
  get diagnostics held_suppressed = row_count;

  -- The prepare trigger normalizes anew; the others keep duplicate keys, audit and withdrawals.
  update public.contact_communication_channels ch
  set identifier = ch.identifier
  from trunk_zero_channels t
  where ch.id = t.id and ch.user_id = t.user_id;
  get diagnostics changed = row_count;

  raise notice 'trunk zero: % channel(s) renormalized; left as they are: % held in the other spelling already, % suppressed in the new form',
    changed, held_taken, held_suppressed;
end;
$$;

alter table public.contact_communication_channels enable trigger contact_communication_channels_protect_consented_address;
