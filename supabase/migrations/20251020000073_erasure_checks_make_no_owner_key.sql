-- Asking whether an identifier was erased (GET gdpr-delete, public.verify_subject_erasure) hashed
-- it under the owner's key before looking for receipts, and private.owner_hmacs makes the key of an
-- owner who has none. So the question wrote a row: the first check of an owner who never erased
-- anyone stored a key for them, and for a verified token whose `sub` names no user the insert
-- failed its foreign key, and the check answered 404 "A referenced record does not exist" where a
-- user without data gets `erased: false`. An owner without receipts has nothing to compare the
-- hashes with, so the check now hashes only when the owner has a receipt (whose erasure made the
-- key already) and otherwise answers "no erasure recorded", writing nothing.
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
  hashes text[];
  receipts jsonb;
  erased_on date;
  held integer;
begin
  -- Hashing makes the owner's key if it is missing; an owner without receipts has none to match.
  if exists (select 1 from public.contact_subject_requests r
             where r.user_id = owner and r.request_type in ('erase', 'anonymize')) then
    -- The identifier under every channel type that can hold it: an erasure found it on any of them.
    hashes := private.owner_hmacs(owner, private.identifier_key_aliases(identifier_key));
    select jsonb_agg(jsonb_build_object('request_id', r.id, 'mode', r.request_type, 'processed_at', r.created_at)
             order by r.created_at),
      max(r.created_at)::date
    into receipts, erased_on
    from public.contact_subject_requests r
    where r.user_id = owner and r.request_type in ('erase', 'anonymize')
      and r.identifier_hmacs && hashes;
  end if;
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
comment on function public.verify_subject_erasure(text, uuid) is 'Whether the owner erased or anonymized the subject of this e-mail address or E.164 phone number (found on a channel of any type that can hold it), and when, from the keyed hashes of the receipts; not erased while a contact holds it now. Writes nothing: an owner without receipts is answered without hashing, which would make their key.';
