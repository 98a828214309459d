-- Data subject requests: one PII-free row per export, erasure or anonymization an owner (or the
-- service for an owner) carried out. For erasures and anonymizations the row is the receipt: who,
-- when, which contact ids, how many rows per table, and the subject's identifiers only as keyed
-- hashes (HMAC under the owner's secret), so "was this person erased?" can be answered later by
-- whoever holds the identifier, while the project keeps nothing that reveals it.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on the table this migration creates: empty, and concurrently cannot run inside the migration's transaction.

create table public.contact_subject_requests (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  request_type text not null,
  idempotency_key uuid,
  contact_ids uuid[] not null default '{}',
  identifier_hmacs text[] not null default '{}',
  counts jsonb not null default '{}'::jsonb,
  actor_user_id uuid,
  actor_role text not null,
  created_at timestamptz not null default now(),
  constraint contact_subject_requests_id_user_id_key unique (id, user_id),
  constraint contact_subject_requests_idempotency_key unique (user_id, idempotency_key),
  constraint contact_subject_requests_request_type_check check (request_type in ('export', 'erase', 'anonymize')),
  constraint contact_subject_requests_actor_role_check check (actor_role in ('owner', 'service')),
  constraint contact_subject_requests_contact_ids_check check (cardinality(contact_ids) between 1 and 1000),
  constraint contact_subject_requests_identifier_hmacs_check check (
    cardinality(identifier_hmacs) <= 1000
    and array_to_string(identifier_hmacs, ',') ~ '^([0-9a-f]{64}(,[0-9a-f]{64})*)?$'),
  constraint contact_subject_requests_counts_check check (jsonb_typeof(counts) = 'object')
);
comment on table public.contact_subject_requests is 'Data subject requests carried out (export, erase, anonymize), without personal data. Erase and anonymize rows are the erasure receipts.';
comment on column public.contact_subject_requests.id is 'The request id, quoted in the receipt.';
comment on column public.contact_subject_requests.idempotency_key is 'Optional key chosen by the caller: repeating a request with the same key returns the same receipt.';
comment on column public.contact_subject_requests.contact_ids is 'The contacts the request concerned (ids only; for an erasure, ids that no longer exist).';
comment on column public.contact_subject_requests.identifier_hmacs is 'HMAC-SHA-256 (hex, owner''s key) of each normalized identifier of the subject (email:..., phone:+...): verifiable with the identifier, meaningless without it.';
comment on column public.contact_subject_requests.counts is 'Rows exported, removed or wiped, per table.';
comment on column public.contact_subject_requests.actor_user_id is 'The owner who asked, or null when the service (secret key) asked on the owner''s behalf.';
comment on column public.contact_subject_requests.actor_role is 'owner (the owner''s token) or service (secret key / service role).';
comment on index public.contact_subject_requests_pkey is 'Primary key: a receipt by its request id.';
comment on index public.contact_subject_requests_id_user_id_key is 'Owner-checked references to a request (id, user_id).';
comment on index public.contact_subject_requests_idempotency_key is 'One request per owner and idempotency key; serves the user_id foreign key.';

create index contact_subject_requests_user_created_idx on public.contact_subject_requests (user_id, created_at desc);
comment on index public.contact_subject_requests_user_created_idx is 'An owner''s requests, newest first.';
create index contact_subject_requests_identifier_hmacs_idx on public.contact_subject_requests using gin (identifier_hmacs);
comment on index public.contact_subject_requests_identifier_hmacs_idx is 'Receipt verification: the requests whose subject had this identifier hash.';
create index contact_subject_requests_contact_ids_idx on public.contact_subject_requests using gin (contact_ids);
comment on index public.contact_subject_requests_contact_ids_idx is 'Repeated requests: the receipt that already names this contact id.';

alter table public.contact_subject_requests enable row level security;

revoke all on table public.contact_subject_requests from anon, authenticated;
grant select on table public.contact_subject_requests to authenticated;
grant all on table public.contact_subject_requests to service_role;

-- The owner reads their requests and receipts; only the GDPR functions write them (append-only).
create policy contact_subject_requests_select_policy on public.contact_subject_requests
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
comment on policy contact_subject_requests_select_policy on public.contact_subject_requests is 'Owners read their own requests and receipts; agent tokens read none.';
