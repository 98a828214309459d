-- Rolls back 20250916000004_contact_groups.
set lock_timeout = '5s';

drop table public.contact_group_memberships;
drop function private.require_static_group();
drop table public.contact_groups;
drop function private.prevent_contact_group_cycle();
drop function public.is_valid_smart_group_criteria(jsonb);
