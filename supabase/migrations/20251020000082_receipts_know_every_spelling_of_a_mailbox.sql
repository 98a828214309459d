-- Receipts matched a subject by the spellings its request gave and its contacts held, while since
-- 20251020000078/79 a request reaches, and a suppression refuses, every spelling of a mailbox:
-- after an erasure by ada+zz@example.com, the check by ada+yy@example.com (GET gdpr-delete)
-- answered "no erasure recorded" while the suppression refused that address, a repeat erasure by
-- it answered 404 instead of the first receipt, and the same idempotency key with it was "another
-- request". Now:
--   * private.record_subject_request hashes, beside each key, the key of an address's mailbox
--     when it is spelt otherwise (private.channel_mailbox, 79), so a receipt names the mailbox;
--   * private.identifier_key_aliases, which the check, the repeat and the idempotency key compare
--     a request's identifier by, adds the mailbox's keys too. Suppressions (suppression_keys, 79)
--     and lifts (79) already held and lifted the mailbox's keys: their sets are unchanged, and
--     private.suppression_keys is now the aliases of each key (it added the mailbox's itself).
--   * A request by another spelling of an erased mailbox is a repeat of that erasure, as one by
--     the same spelling was: when it finds no contact, it answers the first receipt, and when it
--     removes traces written since, it suppresses again only if the address is remembered as
--     withdrawn since (gdpr_delete_subject, 72). So after the owner lifts the mailbox, a request
--     by ada+news@ that removes a new report line does not suppress the address again, as a
--     request by ada@ did not before: the owner's lift stands until the person is a contact again
--     (whose erasure suppresses).
-- A receipt recorded before this migration names only its spellings; a contact holding the
-- mailbox makes the check say so whatever the receipt (verify_subject_erasure counts them by
-- private.data_subject_contact_ids).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.identifier_key_aliases(identifier_key text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  with k (kind, value) as (
    select split_part(identifier_key_aliases.identifier_key, ':', 1),
      substr(identifier_key_aliases.identifier_key, strpos(identifier_key_aliases.identifier_key, ':') + 1)
  ), p (kind, value, phone) as (
    -- The identifier, and an address's mailbox when it is spelt otherwise (+tag, Gmail dots).
    select k.kind, v.value, private.channel_phone_number(k.kind, v.value)
    from k cross join lateral (select k.value union select private.channel_mailbox(k.kind, k.value)
      where strpos(k.value, '@') > 1 and (strpos(k.value, '+') > 0 or k.value ~ '@(gmail|googlemail)\.com$')) as v (value)
    where v.value is not null
  )
  select array(
    select distinct private.channel_identifier_key(t.channel_type, coalesce(p.phone, p.value))
    from p
    cross join lateral unnest(case
      when p.kind = any (private.identifier_channel_types('email')) and public.is_valid_email(p.value)
        then private.identifier_channel_types('email')
      when public.is_valid_e164_phone(p.phone)
        then private.identifier_channel_types('phone')
      else array[p.kind]
    end) as t (channel_type)
    order by 1)
$$;
comment on function private.identifier_key_aliases(text) is 'The identifier keys a key stands for: an e-mail address (and its mailbox, when spelt with a +tag or Gmail dots) or a number (in E.164, whatever its spelling on a Telegram or other channel) under every channel type that can hold it; any other key, itself.';

create or replace function private.suppression_keys(identifier_keys text[])
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array(
    select distinct a.key
    from unnest(suppression_keys.identifier_keys) as k (key)
    cross join lateral unnest(private.identifier_key_aliases(k.key)) as a (key)
    where k.key is not null and a.key is not null
    order by 1)
$$;

create or replace function private.record_subject_request(
  request_id uuid,
  owner_id uuid,
  request_type text,
  contact_ids uuid[],
  identifier_keys text[],
  counts jsonb,
  idempotency_key uuid default null,
  interaction_statistics jsonb default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  request public.contact_subject_requests;
begin
  if private.current_agent_id() is not null
     or not (private.is_service_caller() or record_subject_request.owner_id = (select auth.uid())) then
    raise exception 'only the owner or the service can record a data subject request' using errcode = '42501';
  end if;

  insert into public.contact_subject_requests
    (id, user_id, request_type, idempotency_key, contact_ids, identifier_hmacs, counts, actor_user_id, actor_role)
  values (
    record_subject_request.request_id, record_subject_request.owner_id, record_subject_request.request_type,
    record_subject_request.idempotency_key, record_subject_request.contact_ids,
    -- Each key, and an address's mailbox when it is spelt otherwise (20251020000082).
    array(select distinct h from unnest(private.owner_hmacs(record_subject_request.owner_id, array(
            select k from unnest(record_subject_request.identifier_keys) as keys (k) where k is not null
            union
            select split_part(k, ':', 1) || ':' || m.address
            from unnest(record_subject_request.identifier_keys) as keys (k)
            cross join lateral (select private.channel_mailbox(split_part(k, ':', 1), substr(k, strpos(k, ':') + 1))) as m (address)
            where strpos(k, '@') > 1 and (strpos(k, '+') > 0 or k ~ '@(gmail|googlemail)\.com$') and m.address is not null))) as hashes (h) order by 1),
    record_subject_request.counts,
    (select auth.uid()),
    case when private.is_service_caller() then 'service' else 'owner' end)
  returning * into request;

  if record_subject_request.interaction_statistics is not null and exists (
    select 1 from public.contact_privacy_settings s
    where s.user_id = record_subject_request.owner_id and s.keep_interaction_statistics
  ) then
    insert into public.contact_interaction_statistics as st
      (user_id, period_start, channel_type, interaction_type, direction, delivery_status, interaction_count)
    select record_subject_request.owner_id, (b ->> 'period_start')::date, b ->> 'channel_type', b ->> 'interaction_type',
      b ->> 'direction', b ->> 'delivery_status', (b ->> 'interaction_count')::bigint
    from jsonb_array_elements(record_subject_request.interaction_statistics) as buckets (b)
    on conflict (user_id, period_start, channel_type, interaction_type, direction, delivery_status)
    do update set interaction_count = st.interaction_count + excluded.interaction_count;
  end if;

  -- The audit trail (contact_audit_log) gets one entry per contact: the insertion of this request
  -- row, with the actor; the row it names holds the counts.
  insert into public.contact_audit_log
    (user_id, contact_id, table_name, row_id, action, changed_columns, actor_user_id, actor_agent_id, actor_role)
  select request.user_id, c.id, 'contact_subject_requests', request.id, 'insert',
    array(select x from unnest(array['actor_role', 'contact_ids', 'counts', 'created_at', 'id', 'request_type', 'user_id',
            case when cardinality(request.identifier_hmacs) > 0 then 'identifier_hmacs' end,
            case when request.idempotency_key is not null then 'idempotency_key' end,
            case when request.actor_user_id is not null then 'actor_user_id' end]) as cols (x)
          where x is not null order by x),
    request.actor_user_id, null,
    coalesce((select auth.jwt()) ->> 'role', nullif(current_setting('role'), 'none'), session_user)
  from unnest(request.contact_ids) as c (id);

  return private.subject_request_receipt(request);
end;
$$;
