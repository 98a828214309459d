-- An erasure left the subject in the uploads of failed imports: a failed job keeps its CSV in
-- Storage to resume, so erasing (or anonymizing) a subject such a job imported or reported removed
-- the contact and the report lines but left the whole row in the file, perhaps for good.
-- Now gdpr_delete_subject gives up, in its transaction, each failed upload job of the owner that the
-- database knows holds the subject: its change log names one of the subject's contacts, or its
-- error rows, header, dry-run report or claims hold the subject's names as words or its identifiers
-- or external id as a whole value ("1042" is a word of another person's "555-1042"), less what a
-- namesake also holds. The jobs are locked before forget_traces removes that evidence (one locked
-- by an undo, resume or cancel is skipped: those lock the job before its contacts, and each ends
-- the failed state) and given up after it with a cancel's update: the transition keeps their end,
-- the upload is queued for contacts-retention, a dry run's claims go. The receipt counts them as
-- import_uploads. A file the owner put in Storage and named stays theirs. Failed jobs only: a
-- pending one has read nothing, and a running one locks the job before the contacts it writes, so
-- giving it up here could deadlock (its upload goes when it completes; if it fails, cancel it).
-- gdpr_delete_subject is otherwise 20251020000070's.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Security definer as forget_traces (it reads the dry-run claims), for the same callers.
create function private.failed_imports_holding(owner_id uuid, contact_id uuid, mentions text[])
returns uuid[]
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  words text[];
  names text[];
  found_ids uuid[];
begin
  if failed_imports_holding.owner_id is null or private.current_agent_id() is not null
     or not (private.is_service_caller() or failed_imports_holding.owner_id = (select auth.uid())) then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  -- A word another contact also holds (a namesake's) may be theirs: their job stays.
  words := private.words_no_one_else_holds(failed_imports_holding.owner_id, failed_imports_holding.contact_id,
    private.subject_words(failed_imports_holding.owner_id, failed_imports_holding.contact_id, failed_imports_holding.mentions));
  -- Names are words of a text; identifiers and the external id count only as a whole value.
  select array(select w.w from unnest(words) as w (w)
               where w.w = any (private.subject_words(failed_imports_holding.owner_id, null,
                 array[c.display_name, concat_ws(' ', c.first_name, c.last_name)])))
  into names
  from public.contacts c where c.id = failed_imports_holding.contact_id and c.user_id = failed_imports_holding.owner_id;
  names := coalesce(names, '{}'::text[]);
  select coalesce(array_agg(l.id order by l.id), '{}') into found_ids
  from (
    select j.id
    from public.contact_import_jobs j
    where j.user_id = failed_imports_holding.owner_id and j.status = 'failed'
      and j.source = 'upload' and j.storage_path is not null
      and (exists (select 1 from public.contact_import_changes ic
                   where ic.job_id = j.id and ic.user_id = j.user_id and ic.contact_id = failed_imports_holding.contact_id)
        or exists (select 1 from public.contact_import_job_errors e
                   where e.job_id = j.id and e.user_id = j.user_id
                     and (private.mentions_whole(e.value_excerpt, names) or private.is_identifier_value(e.value_excerpt, words)))
        or private.header_holds_identifier(j.header, words)
        or jsonb_typeof(j.header) = 'array'
           and private.mentions_whole((select string_agg(c.v, ' ') from jsonb_array_elements_text(j.header) as c (v)), names)
        or exists (select 1 from jsonb_each(coalesce(j.dry_run_report, '{}'::jsonb)) as part (key, value)
                   cross join lateral jsonb_array_elements(case when jsonb_typeof(part.value) = 'array' then part.value else '[]'::jsonb end) as e (entry)
                   where private.dry_run_entry_mentions(e.entry, failed_imports_holding.contact_id, names)
                     or private.dry_run_entry_holds_identifier(e.entry, words))
        or exists (select 1 from private.contact_import_dry_run_claims d
                   where d.job_id = j.id and d.user_id = j.user_id
                     and (d.contact_id = failed_imports_holding.contact_id
                          or d.kind = 'contact' and d.value = failed_imports_holding.contact_id::text
                          or d.kind <> 'contact' and private.is_identifier_value(d.value, words))))
    order by j.id
    -- Locked now: being undone, resumed or cancelled, which lock the job before its contacts (so
    -- waiting could deadlock) and end the failed state.
    for update of j skip locked) as l;
  return found_ids;
end;
$$;
comment on function private.failed_imports_holding(uuid, uuid, text[]) is 'Erasure: locks and lists the owner''s failed upload imports whose change log names the contact, or whose error rows, header, dry-run report or claims hold its names as words or its identifiers, external id or the mentions given as a whole value (less a namesake''s; jobs locked by an undo, resume or cancel skipped), for gdpr_delete_subject to give up. Security definer: reads the claims; owner or service only.';
revoke execute on function private.failed_imports_holding(uuid, uuid, text[]) from public;
grant execute on function private.failed_imports_holding(uuid, uuid, text[]) to authenticated, service_role;

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
  remembered bigint;
  subject_id uuid;
  doomed uuid[] := '{}'::uuid[];
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

  -- One subject's erasures run one at a time: a repeat that waited reads, with a new snapshot,
  -- the receipt the first one wrote. Contacts are row-locked below, but a subject no contact holds
  -- (only traces) had nothing to order two requests, and the loser found nothing left: 404.
  perform pg_advisory_xact_lock(hashtextextended(
    format('gdpr_delete_subject:%s:%s', owner, coalesce(identifier_key, gdpr_delete_subject.contact_id::text)), 0));

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
    -- By an identifier, the traces holding it still go: a re-import's lines written since an earlier
    -- erasure, or the reports of someone who never became a contact. What was removed gets a
    -- receipt of its own; when nothing was, the earlier receipt answers, or, without one, not found.
    if identifier_key is not null then
      -- Failed imports whose upload holds the identifier: found while their traces tell which.
      doomed := private.failed_imports_holding(owner, null, array[gdpr_delete_subject.identifier, substr(identifier_key, strpos(identifier_key, ':') + 1)]);
      counts := private.forget_traces(owner, null, array[gdpr_delete_subject.identifier, substr(identifier_key, strpos(identifier_key, ':') + 1)]);
      -- Given up as a cancel gives them up: the upload queued for removal.
      update public.contact_import_jobs j set status = 'cancelled' where j.id = any (doomed) and j.user_id = owner and j.status = 'failed';
      get diagnostics removed = row_count;
      -- A withdrawal remembered for the address of a deleted channel (20251020000044) is a trace
      -- too; suppressing the address removes it.
      counts := counts || jsonb_build_object('withdrawn_addresses', private.remembered_withdrawals(owner, keys), 'import_uploads', removed);
      if exists (select 1 from jsonb_each_text(counts) as x (key, n) where x.n::bigint > 0) then
        -- Suppressed again too after a lift, when the address is remembered since.
        if previous.id is null or (counts ->> 'withdrawn_addresses')::bigint > 0 then
          -- Never erased before: suppressed now, as an erasure suppresses a contact's identifiers,
          -- so that no later import brings the person back.
          perform private.suppress_identifiers(owner, keys, request_id);
        end if;
        return private.record_subject_request(request_id, owner, gdpr_delete_subject.mode, coalesce(previous.contact_ids, '{}'::uuid[]),
          keys, counts, gdpr_delete_subject.idempotency_key);
      end if;
    end if;
    if previous.id is null then
      raise exception 'contact not found' using errcode = 'P0002';
    end if;
    return private.subject_request_receipt(previous);
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
  -- Withdrawals remembered for these addresses on deleted channels of other types go with the
  -- suppression (20251020000044): counted first.
  remembered := private.remembered_withdrawals(owner, keys);
  perform private.suppress_identifiers(owner, keys, request_id);

  -- Failed imports whose upload holds the subject: locked while traces and change log tell which.
  foreach subject_id in array locked loop
    doomed := doomed || private.failed_imports_holding(owner, subject_id, '{}');
  end loop;

  -- Traces first: they are found through the names and channels about to go.
  foreach subject_id in array locked loop
    counts := case when cardinality(locked) = 1 then private.forget_traces(owner, subject_id, '{}')
                   else private.sum_counts(counts, private.forget_traces(owner, subject_id, '{}')) end;
  end loop;

  -- Consent events hang off the channels, which go in either mode: they leave by the channels'
  -- cascade, so they are counted while they are still there.
  select count(*) into removed from public.contact_consent_events e where e.contact_id = any (locked) and e.user_id = owner;
  counts := counts || jsonb_build_object('contact_consent_events', removed, 'withdrawn_addresses', remembered);

  -- Given up as a cancel gives them up: the upload queued for removal, a dry run's claims gone.
  update public.contact_import_jobs j set status = 'cancelled' where j.id = any (doomed) and j.user_id = owner and j.status = 'failed';
  get diagnostics removed = row_count;
  counts := counts || jsonb_build_object('import_uploads', removed);

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
