-- Rollback of 20251020000026_group_nesting_serialized_per_owner: prevent_contact_group_cycle as
-- 20250916000004 made it.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.prevent_contact_group_cycle()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.parent_group_id is not null and exists (
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
comment on function private.prevent_contact_group_cycle() is 'Trigger: keeps the group hierarchy a forest.';
