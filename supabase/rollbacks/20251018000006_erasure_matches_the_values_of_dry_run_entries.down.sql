-- Rollback of 20251018000006_erasure_matches_the_values_of_dry_run_entries: the scrub searches the
-- whole text of each dry-run report entry (dry_run_entry_mentions of 20251018000004).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.dry_run_entry_mentions(entry jsonb, contact_id uuid, mentions text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(entry ->> 'contact_id' = contact_id::text, false)
    or exists (select 1 from unnest(mentions) as x (m) where strpos(lower(entry::text), x.m) > 0)
$$;
comment on function private.dry_run_entry_mentions(jsonb, uuid, text[]) is 'True when an entry of a dry run''s report names the contact or mentions one of its names or identifiers (lower-case, as forget_contact_traces matches error rows).';
