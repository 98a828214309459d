-- Rolls back 20251020000049_export_by_identifier_reaches_reports_of_a_subject_never_a_contact:
-- restores export_subject_data as 20251008000001 made it (an identifier no contact holds is not
-- found), drops private.identifier_traces, and restores the check of 20251020000045 (a request names
-- no contact only when it is an erasure or anonymization). Export receipts naming no contact are
-- records of exports that check cannot hold: the rollback stops, saying how many, rather than drop them.
set lock_timeout = '5s';
set statement_timeout = '5min';

do $$
declare
  contactless constant bigint := (
    select count(*) from public.contact_subject_requests r where cardinality(r.contact_ids) = 0 and r.request_type = 'export');
begin
  if contactless > 0 then
    raise exception '% export records name no contact (exports by an identifier that was never a contact)', contactless
      using hint = 'Keep them elsewhere (they record subject access requests answered) and delete them, then roll back again.';
  end if;
end;
$$;

alter table public.contact_subject_requests drop constraint contact_subject_requests_contact_ids_check;
alter table public.contact_subject_requests add constraint contact_subject_requests_contact_ids_check check (
  cardinality(contact_ids) <= 1000
  and (cardinality(contact_ids) >= 1 or request_type in ('erase', 'anonymize') and cardinality(identifier_hmacs) > 0)) not valid;
alter table public.contact_subject_requests validate constraint contact_subject_requests_contact_ids_check;
comment on constraint contact_subject_requests_contact_ids_check on public.contact_subject_requests is 'At most 1,000 contacts; none only for an erasure or anonymization by an identifier that was never a contact (its hashes name the subject).';

create or replace function public.export_subject_data(contact_id uuid default null, identifier text default null, owner_id uuid default null)
returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  owner constant uuid := private.data_subject_owner(export_subject_data.owner_id);
  request_id constant uuid := gen_random_uuid();
  identifier_key text;
  ids uuid[];
  answer json;
  counts jsonb;
begin
  if (export_subject_data.contact_id is null) = (export_subject_data.identifier is null) then
    raise exception 'give either a contact id or an identifier' using errcode = '22023';
  end if;
  if export_subject_data.identifier is not null then
    identifier_key := private.subject_identifier_key(export_subject_data.identifier);
  end if;
  ids := private.data_subject_contact_ids(owner, export_subject_data.contact_id, identifier_key);
  if cardinality(ids) = 0 then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;

  -- One json_build_object renders the answer, the bundles inside it (records, so no json of
  -- their own) and their tables' json, in one pass.
  execute format($answer$select json_build_object('request_id', $3::uuid, 'exported_at', now(), 'identifier_type', $4::text,
      'contact_ids', $1, 'counts', e.counts, 'subjects', e.subjects), e.counts
    from (%s) as e$answer$, private.contact_export_statement(cardinality(ids)))
    into answer, counts using ids, owner, request_id, split_part(identifier_key, ':', 1);

  perform private.record_subject_request(request_id, owner, 'export', ids, '{}', counts);
  return answer;
end;
$$;
comment on function public.export_subject_data(uuid, text, uuid) is 'Subject access by contact id or identifier (e-mail, E.164 phone): the export of every matching contact of the owner, as json, recorded without personal data.';

drop function private.identifier_traces(uuid, text);
