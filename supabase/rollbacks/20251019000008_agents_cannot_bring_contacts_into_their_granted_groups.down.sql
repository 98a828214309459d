-- Rolls back 20251019000008_agents_cannot_bring_contacts_into_their_granted_groups.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop trigger contacts_keep_agents_within_their_grants on public.contacts;
drop function private.keep_agents_within_their_grants();
drop function private.group_entered(uuid, public.contacts, public.contacts);
