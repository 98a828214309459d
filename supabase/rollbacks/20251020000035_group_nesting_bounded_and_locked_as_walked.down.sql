-- Rolls back 20251020000035_group_nesting_bounded_and_locked_as_walked: the nesting trigger as
-- 20251020000026 made it.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.prevent_contact_group_cycle()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.parent_group_id is null then
    return new;
  end if;
  -- One re-parenting per owner at a time, each walking the ancestors its predecessor committed: two
  -- concurrent ones (G1 under G2, G2 under G1) each saw the other's old parent, and made a cycle.
  -- Later statements of a read committed transaction see what committed while they waited; a
  -- repeatable read or serializable transaction keeps its snapshot (serializable detects the
  -- conflict itself).
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('contact_groups_owner:' || new.user_id::text, 0));
  if exists (
    with recursive ancestors (id, parent_group_id) as (
      select g.id, g.parent_group_id from public.contact_groups g where g.id = new.parent_group_id
      union
      select g.id, g.parent_group_id from public.contact_groups g join ancestors a on g.id = a.parent_group_id
    )
    select 1 from ancestors where ancestors.id = new.id
  ) then
    raise exception 'group "%" cannot be nested inside its own subgroup', new.name
      using errcode = '23514';
  end if;
  return new;
end;
$$;
comment on function private.prevent_contact_group_cycle() is 'Trigger: keeps the group hierarchy a forest, one re-parenting per owner at a time.';
