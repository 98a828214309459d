-- Receipts hold the keyed hashes of the identifiers an erasure found, each under the channel type it
-- was found on (slack:sly@corp.example, telegram:+14155550199). Asking by the address or number
-- looked for its e-mail or phone key only, so:
--   * verify_subject_erasure answered "no erasure recorded" for an address erased from a Slack,
--     webchat or other channel, or a number from a Telegram or other channel; it now looks for the
--     identifier under every type that can hold it (private.identifier_key_aliases);
--   * it answered "erased" for a number another contact still held (the subject was erased by its
--     address, a namesake keeps the number): an identifier some contact holds now is not erased,
--     and the answer says how many hold it (held_by_contacts);
--   * a repeat of an erasure by such an identifier found no earlier receipt (404 instead of the
--     first receipt), and an idempotency key was judged by the e-mail or phone key alone;
--   * a number spelt with separators on a Telegram or other channel was recorded in that spelling
--     only; the receipt now holds it as the number too (private.channel_identifier_keys).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function public.verify_subject_erasure(identifier text, owner_id uuid default null)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  owner constant uuid := private.data_subject_owner(verify_subject_erasure.owner_id);
  identifier_key constant text := private.subject_identifier_key(verify_subject_erasure.identifier);
  -- The identifier under every channel type that can hold it: an erasure found it on any of them.
  hashes constant text[] := private.owner_hmacs(owner, private.identifier_key_aliases(identifier_key));
  receipts jsonb;
  erased_on date;
  held integer;
begin
  select jsonb_agg(jsonb_build_object('request_id', r.id, 'mode', r.request_type, 'processed_at', r.created_at)
           order by r.created_at),
    max(r.created_at)::date
  into receipts, erased_on
  from public.contact_subject_requests r
  where r.user_id = owner and r.request_type in ('erase', 'anonymize')
    and r.identifier_hmacs && hashes;
  -- Erased, and gone: a contact holding it now (one it was never erased from, or added since the
  -- owner lifted its suppression) makes the answer no.
  held := cardinality(private.data_subject_contact_ids(owner, null, identifier_key));
  return jsonb_build_object(
    'identifier_type', split_part(identifier_key, ':', 1),
    'erased', receipts is not null and held = 0,
    'erased_on', erased_on,
    'held_by_contacts', held,
    'message', case when receipts is null then 'no erasure recorded for this identifier'
                    when held > 0 then format('erased on %s, but contacts of the owner hold it now (%s)',
                                              to_char(erased_on, 'YYYY-MM-DD'), held)
                    else format('erased on %s', to_char(erased_on, 'YYYY-MM-DD')) end,
    'receipts', coalesce(receipts, '[]'::jsonb));
end;
$$;
comment on function public.verify_subject_erasure(text, uuid) is 'Whether the owner erased or anonymized the subject of this e-mail address or E.164 phone number (found on a channel of any type that can hold it), and when, from the keyed hashes of the receipts; not erased while a contact holds it now.';

create or replace function public.gdpr_delete_subject(
  contact_id uuid default null,
  identifier text default null,
  mode text default 'erase',
  owner_id uuid default null,
  idempotency_key uuid default null
)
returns jsonb
language plpgsql
volatile
set search_path = ''
set lock_timeout = '10s'
as $$
declare
  owner constant uuid := private.data_subject_owner(gdpr_delete_subject.owner_id);
  request_id constant uuid := gen_random_uuid();
  identifier_key text;
  previous public.contact_subject_requests;
  ids uuid[];
  fresh uuid[];
  got uuid[];
  locked uuid[] := '{}'::uuid[];
  held boolean;
  rounds integer := 0;
  keys text[] := '{}'::text[];
  counts jsonb := '{}'::jsonb;
  statistics jsonb;
  keep_statistics boolean;
  removed bigint;
  subject_id uuid;
  child record;
begin
  if gdpr_delete_subject.mode is null or gdpr_delete_subject.mode not in ('erase', 'anonymize') then
    raise exception 'mode must be erase or anonymize' using errcode = '22023';
  end if;
  if (gdpr_delete_subject.contact_id is null) = (gdpr_delete_subject.identifier is null) then
    raise exception 'give either a contact id or an identifier' using errcode = '22023';
  end if;
  if gdpr_delete_subject.identifier is not null then
    identifier_key := private.subject_identifier_key(gdpr_delete_subject.identifier);
    keys := array[identifier_key];
  end if;

  -- The same idempotency key again: the same receipt, nothing done twice.
  if gdpr_delete_subject.idempotency_key is not null then
    select * into previous from public.contact_subject_requests r
    where r.user_id = owner and r.idempotency_key = gdpr_delete_subject.idempotency_key;
    if found then
      -- The same key for another subject (or mode) is a client's mistake, never that subject's receipt.
      if previous.request_type <> gdpr_delete_subject.mode
         or gdpr_delete_subject.contact_id is not null and not gdpr_delete_subject.contact_id = any (previous.contact_ids)
         or identifier_key is not null and not (previous.identifier_hmacs && private.owner_hmacs(owner, private.identifier_key_aliases(identifier_key))) then
        raise exception 'this idempotency key belongs to another request' using errcode = '22023';
      end if;
      return private.subject_request_receipt(previous);
    end if;
  end if;

  -- Lock order, fixed for every writer: the subject's contacts first, in id order, then their
  -- children table by table. An identifier can gain a contact while we wait (an import
  -- committing), so the lookup is repeated until it finds nothing new.
  loop
    ids := private.data_subject_contact_ids(owner, gdpr_delete_subject.contact_id, identifier_key);
    fresh := array(select unnest(ids) except select unnest(locked));
    exit when cardinality(fresh) = 0 or rounds = 5;
    rounds := rounds + 1;
    select coalesce(array_agg(l.id order by l.id), '{}'), coalesce(bool_or(l.legal_hold), false) into got, held
    from (select c.id, c.legal_hold from public.contacts c
          where c.id = any (fresh) and c.user_id = owner order by c.id for update) as l;
    if held then
      raise exception 'contact is under legal hold and cannot be erased or anonymized'
        using errcode = '55000', hint = 'Lift the legal hold first.';
    end if;
    locked := locked || got;
    -- A contact named by id is the whole subject; only an identifier can gain contacts.
    exit when identifier_key is null;
  end loop;

  if cardinality(locked) = 0 then
    -- Nothing (left) to do: a repeat of an earlier request answers with that request's receipt.
    select * into previous from public.contact_subject_requests r
    where r.user_id = owner and r.request_type = gdpr_delete_subject.mode
      and case when gdpr_delete_subject.contact_id is not null then r.contact_ids @> array[gdpr_delete_subject.contact_id]
               else r.identifier_hmacs && private.owner_hmacs(owner, private.identifier_key_aliases(identifier_key)) end
    order by r.created_at desc
    limit 1;
    if found then
      return private.subject_request_receipt(previous);
    end if;
    raise exception 'contact not found' using errcode = 'P0002';
  end if;

  if gdpr_delete_subject.mode = 'anonymize'
     and not exists (select 1 from public.contacts c where c.id = any (locked) and c.status <> 'anonymized') then
    select * into previous from public.contact_subject_requests r
    where r.user_id = owner and r.request_type = 'anonymize' and r.contact_ids @> locked
    order by r.created_at desc
    limit 1;
    if found then
      return private.subject_request_receipt(previous);
    end if;
  end if;

  -- Suppress every identifier of the subject: from now on no insert path recreates them.
  -- Each channel's own key, and a number spelt otherwise also as the number: what the receipt
  -- holds, so that it verifies by the number too.
  select keys || coalesce(array_agg(distinct k.key), '{}')
  into keys
  from public.contact_communication_channels ch
  cross join lateral unnest(private.channel_identifier_keys(ch.channel_type, ch.normalized_identifier)) as k (key)
  where ch.contact_id = any (locked) and ch.user_id = owner;
  perform private.suppress_identifiers(owner, keys, request_id);

  -- Traces first: they are found through the names and channels about to go.
  foreach subject_id in array locked loop
    counts := case when cardinality(locked) = 1 then private.forget_contact_traces(subject_id)
                   else private.sum_counts(counts, private.forget_contact_traces(subject_id)) end;
  end loop;

  -- Consent events hang off the channels, which go in either mode: they leave by the channels'
  -- cascade, so they are counted while they are still there.
  select count(*) into removed from public.contact_consent_events e where e.contact_id = any (locked) and e.user_id = owner;
  counts := counts || jsonb_build_object('contact_consent_events', removed);

  if gdpr_delete_subject.mode = 'anonymize' then
    counts := private.sum_counts(counts, private.anonymize_contacts(locked));
  else
    select s.keep_interaction_statistics into keep_statistics from public.contact_privacy_settings s where s.user_id = owner;
    if coalesce(keep_statistics, false) then
      with removed_rows as (
        delete from public.contact_interactions i where i.contact_id = any (locked) and i.user_id = owner
        returning i.occurred_at, i.channel_type, i.interaction_type, i.direction, i.delivery_status
      ), buckets as (
        select date_trunc('month', r.occurred_at)::date as period_start, r.channel_type, r.interaction_type, r.direction,
          r.delivery_status, count(*) as interaction_count
        from removed_rows r group by 1, 2, 3, 4, 5
      )
      select coalesce(sum(b.interaction_count), 0), jsonb_agg(to_jsonb(b)) into removed, statistics from buckets b;
    else
      delete from public.contact_interactions i where i.contact_id = any (locked) and i.user_id = owner;
      get diagnostics removed = row_count;
    end if;
    counts := counts || jsonb_build_object('contact_interactions', removed);

    delete from public.contact_communication_channels ch where ch.contact_id = any (locked) and ch.user_id = owner;
    get diagnostics removed = row_count;
    counts := counts || jsonb_build_object('contact_communication_channels', removed);

    delete from public.contact_group_memberships m where m.contact_id = any (locked) and m.user_id = owner;
    get diagnostics removed = row_count;
    counts := counts || jsonb_build_object('contact_group_memberships', removed);

    delete from public.agent_specific_contact_access s where s.contact_id = any (locked) and s.user_id = owner;
    get diagnostics removed = row_count;
    counts := counts || jsonb_build_object('agent_specific_contact_access', removed);

    -- Every other table that references these contacts (found in the catalog): counted here and
    -- removed by the cascade of the contacts' deletion below (such tables may be append-only for
    -- owners); a reference that does not cascade is deleted here.
    for child in select * from private.contact_reference_columns() loop
      execute format(case when child.cascades then 'select count(*) from public.%I t where t.%I = any ($1)%s'
          else 'with removed_rows as (delete from public.%I t where t.%I = any ($1)%s returning 1) select count(*) from removed_rows' end,
        child.table_name, child.column_name, case when child.has_user_id then ' and t.user_id = $2' else '' end)
        into removed using locked, owner;
      counts := counts || jsonb_build_object(child.table_name, coalesce((counts ->> child.table_name)::bigint, 0) + removed);
    end loop;

    delete from public.contacts c where c.id = any (locked) and c.user_id = owner;
    get diagnostics removed = row_count;
    counts := counts || jsonb_build_object('contacts', removed);
  end if;

  return private.record_subject_request(
    request_id, owner, gdpr_delete_subject.mode, locked, keys, counts, gdpr_delete_subject.idempotency_key, statistics);
end;
$$;
