-- Merge records: one PII-free row per merge of two contacts (ids, row counts, names of the fields
-- the survivor took over, actor, time). It outlives both contacts' rows by design (no foreign key to
-- contacts) and makes merging idempotent per pair: a contact is merged away at most once.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on the table this migration creates: concurrently cannot run inside the migration's transaction.

create table public.contact_merges (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  survivor_id uuid not null,
  duplicate_id uuid not null,
  row_counts jsonb not null,
  filled_fields text[] not null default '{}',
  actor_user_id uuid,
  actor_role text not null,
  merged_at timestamptz not null default now(),
  constraint contact_merges_user_id_duplicate_id_key unique (user_id, duplicate_id),
  constraint contact_merges_distinct_check check (survivor_id <> duplicate_id),
  constraint contact_merges_row_counts_check check (jsonb_typeof(row_counts) = 'object'),
  constraint contact_merges_filled_fields_check check (filled_fields <@ array['first_name', 'last_name', 'display_name',
    'organization', 'job_title', 'external_id', 'metadata', 'tags', 'status']),
  constraint contact_merges_actor_role_check check (actor_role in ('owner', 'service'))
);
comment on table public.contact_merges is 'One row per merge of a duplicate contact into a survivor: ids, row counts, field names, actor and time; no personal data. Written by merge_contacts only.';
comment on column public.contact_merges.survivor_id is 'The contact that remained. No foreign key: the record outlives it.';
comment on column public.contact_merges.duplicate_id is 'The contact that was merged away and deleted; unique per owner, which makes a merge happen once.';
comment on column public.contact_merges.row_counts is 'Rows re-pointed per table (moved), rows dropped as repeats of the survivor''s (dropped), primary channels made secondary (demoted_primary_channels).';
comment on column public.contact_merges.filled_fields is 'Names (never values) of the survivor''s fields that changed in the merge.';
comment on column public.contact_merges.actor_role is 'owner (the owner''s token) or service (secret key / service role).';
comment on index public.contact_merges_pkey is 'Primary key: the merge id reported by merge_contacts.';
comment on index public.contact_merges_user_id_duplicate_id_key is 'Idempotency: a contact is merged away once; serves the user_id foreign key.';
create index contact_merges_user_survivor_idx on public.contact_merges (user_id, survivor_id, merged_at);
comment on index public.contact_merges_user_survivor_idx is 'The merges into one contact, oldest first.';

alter table public.contact_merges enable row level security;

revoke all on table public.contact_merges from anon, authenticated;
grant select on table public.contact_merges to authenticated;
grant all on table public.contact_merges to service_role;
