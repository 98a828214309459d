-- Retention watermarks: where an owner's interactions are known to be clean. A sweep (20251009000000)
-- that reaches the end of the table without skipping locked rows has deleted every interaction of
-- each swept owner older than that owner's cutoff, except those of contacts under legal hold; the
-- next run of the same policy starts its keyset there instead of at the owner's oldest interaction.
-- Without it, a run right after a large purge walks the index entries of every deleted row (they
-- stay until vacuum removes them): measured at 3M deleted interactions, 4.7 s to find nothing.
-- A watermark must never vouch for a row it did not see. So:
--  - a sweep starts with a pending watermark (its cutoff) per swept owner, written while it holds a
--    SHARE lock on contact_interactions (20251009000002): every writer still running has finished,
--    and every later writer's triggers see the pending row;
--  - an interaction inserted or updated (moved to another contact, back-dated) older than a pending
--    or recorded watermark voids it, and so does a contact of the owner leaving legal hold (its old
--    interactions become due) (triggers below);
--  - at its end, the sweep records the pending watermarks that were not voided.
set lock_timeout = '5s';
set statement_timeout = '5min';

create table private.retention_watermarks (
  user_id uuid not null references auth.users (id) on delete cascade,
  data_class text not null,
  action text not null,
  clean_before timestamptz,
  pending_before timestamptz,
  pending_void boolean not null default false,
  recorded_at timestamptz not null default clock_timestamp(),
  constraint retention_watermarks_pkey primary key (user_id, data_class, action)
);
comment on table private.retention_watermarks is
  'Per owner and policy class/action: every row older than clean_before is gone, but for those of contacts under legal hold; the next retention run starts there.';
comment on column private.retention_watermarks.clean_before is 'The cutoff of the sweep that left the owner''s rows clean (null: none, or voided).';
comment on column private.retention_watermarks.pending_before is 'The cutoff of the sweep under way, recorded as clean_before when it ends unless voided meanwhile.';
comment on column private.retention_watermarks.pending_void is 'A write older than pending_before (or a released hold) happened while the sweep ran.';
comment on column private.retention_watermarks.recorded_at is 'When the row last changed.';
comment on index private.retention_watermarks_pkey is 'One watermark per owner, class and action; also serves the owner foreign key.';
revoke all on table private.retention_watermarks from public, anon, authenticated;
grant select, insert, update, delete on table private.retention_watermarks to service_role;

-- Statement triggers of contact_interactions (inserts and updates): one pass over the statement's
-- new rows, grouped by owner. Security definer: the statements of owners and agents fire it.
create function private.void_retention_watermarks_of_old_rows()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from private.retention_watermarks) then
    update private.retention_watermarks w
    set clean_before = case when n.oldest < w.clean_before then null else w.clean_before end,
        pending_void = w.pending_void or coalesce(n.oldest < w.pending_before, false),
        recorded_at = clock_timestamp()
    from (select r.user_id, min(r.occurred_at) as oldest from new_rows r group by r.user_id) n
    where w.user_id = n.user_id and (n.oldest < w.clean_before or n.oldest < w.pending_before);
  end if;
  return null;
end;
$$;
comment on function private.void_retention_watermarks_of_old_rows() is
  'Trigger: an interaction inserted or updated with occurred_at before an owner''s retention watermark (recorded or pending) voids it.';
revoke execute on function private.void_retention_watermarks_of_old_rows() from public;

create trigger contact_interactions_void_retention_watermarks_on_insert
after insert on public.contact_interactions
referencing new table as new_rows
for each statement execute function private.void_retention_watermarks_of_old_rows();
comment on trigger contact_interactions_void_retention_watermarks_on_insert on public.contact_interactions is
  'Interactions written older than a retention watermark void it.';
create trigger contact_interactions_void_retention_watermarks_on_update
after update on public.contact_interactions
referencing new table as new_rows
for each statement execute function private.void_retention_watermarks_of_old_rows();
comment on trigger contact_interactions_void_retention_watermarks_on_update on public.contact_interactions is
  'Interactions updated (moved, back-dated) before a retention watermark make it void.';

create function private.void_retention_watermarks_of_released_holds()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.retention_watermarks w
  set clean_before = null, pending_void = true, recorded_at = clock_timestamp()
  where w.user_id = new.user_id;
  return null;
end;
$$;
comment on function private.void_retention_watermarks_of_released_holds() is
  'Trigger: a contact leaving legal hold voids its owner''s retention watermarks (its old interactions are due again).';
revoke execute on function private.void_retention_watermarks_of_released_holds() from public;

create trigger contacts_void_retention_watermarks
after update of legal_hold on public.contacts
for each row when (old.legal_hold and not new.legal_hold)
execute function private.void_retention_watermarks_of_released_holds();
comment on trigger contacts_void_retention_watermarks on public.contacts is
  'A released legal hold makes the owner''s retention watermarks void.';
