-- Group nesting (20251020000026) had two gaps:
--   * A repeatable read (or serializable) transaction walked the new parent's ancestors in its
--     snapshot, taken before it waited for the owner's lock: two such re-parentings (G1 under G2,
--     G2 under G1) still both committed a cycle. The walk now locks each ancestor (for share);
--     one re-parented after the snapshot cannot be locked there (40001, try again), so the cycle
--     is refused instead of made. Read committed transactions see the committed parent as before.
--   * Nesting had no depth limit: a chain of 1,000 groups was accepted, and an agent's read through
--     a grant on its top group walked it for every contact (60 s for 2,000 contacts). A group now
--     sits at most 10 levels deep, its subgroups included.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.prevent_contact_group_cycle()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  max_depth constant integer := 10;
  ancestor uuid := new.parent_group_id;
  -- Levels from the top group down to the new group; then below it, its deepest subgroup's.
  depth integer := 1;
  below integer := 0;
begin
  -- A new group as its own parent is the check constraint's to refuse (it has no row to walk yet).
  if new.parent_group_id is null or (tg_op = 'INSERT' and new.parent_group_id = new.id) then
    return new;
  end if;
  -- One re-parenting per owner at a time, each walking the ancestors its predecessor committed.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('contact_groups_owner:' || new.user_id::text, 0));
  while ancestor is not null loop
    if ancestor = new.id then
      raise exception 'group "%" cannot be nested inside its own subgroup', new.name
        using errcode = '23514';
    end if;
    depth := depth + 1;
    exit when depth > max_depth;
    select g.parent_group_id into ancestor from public.contact_groups g where g.id = ancestor for share;
  end loop;
  if tg_op = 'UPDATE' and depth <= max_depth then
    with recursive subgroups (id, level) as (
      select g.id, 1 from public.contact_groups g where g.parent_group_id = new.id
      union all
      select g.id, s.level + 1 from public.contact_groups g join subgroups s on g.parent_group_id = s.id
      where s.level < max_depth
    )
    select coalesce(max(s.level), 0) into below from subgroups s;
  end if;
  if depth + below > max_depth then
    raise exception 'group "%" would be nested more than % levels deep', new.name, max_depth
      using errcode = '23514';
  end if;
  return new;
end;
$$;
comment on function private.prevent_contact_group_cycle() is
  'Trigger: keeps the group hierarchy a forest at most 10 levels deep, one re-parenting per owner at a time; the ancestors are locked as they are walked, so a repeatable read transaction cannot nest a group under one re-parented since its snapshot.';
