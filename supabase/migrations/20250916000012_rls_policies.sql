-- Row Level Security policies for every table: owners see and change only their own rows; an
-- agent-scoped token (the owner's JWT with an agent_id claim) is narrowed further by the one
-- access decision, private.agent_can_access_contact. service_role bypasses RLS; anon has no grants.
-- auth.uid() and the agent claim are wrapped in (select ...) so they are evaluated once per statement.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- agents: an agent token sees its own agent row only, while the agent is active; only owners change agents.
create policy agents_select_policy on public.agents as permissive for select to authenticated
  using (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or (id = (select private.current_agent_id()) and is_active)));
create policy agents_insert_policy on public.agents as permissive for insert to authenticated
  with check (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy agents_update_policy on public.agents as permissive for update to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null)
  with check (user_id = (select auth.uid()));
create policy agents_delete_policy on public.agents as permissive for delete to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);

-- contacts: agents read what they are granted and edit with write grants; only owners create and delete.
create policy contacts_select_policy on public.contacts as permissive for select to authenticated
  using (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or private.agent_can_access_contact((select private.current_agent_id()), id, 'read')));
create policy contacts_insert_policy on public.contacts as permissive for insert to authenticated
  with check (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy contacts_update_policy on public.contacts as permissive for update to authenticated
  using (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or private.agent_can_access_contact((select private.current_agent_id()), id, 'write')))
  with check (user_id = (select auth.uid()));
create policy contacts_delete_policy on public.contacts as permissive for delete to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);

-- channels: agents see the channel types they are allowed; write grants may add and edit them.
create policy contact_communication_channels_select_policy on public.contact_communication_channels
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or private.agent_can_access_contact((select private.current_agent_id()), contact_id, 'read', channel_type)));
create policy contact_communication_channels_insert_policy on public.contact_communication_channels
  as permissive for insert to authenticated
  with check (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or private.agent_can_access_contact((select private.current_agent_id()), contact_id, 'write', channel_type)));
create policy contact_communication_channels_update_policy on public.contact_communication_channels
  as permissive for update to authenticated
  using (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or private.agent_can_access_contact((select private.current_agent_id()), contact_id, 'write', channel_type)))
  with check (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or private.agent_can_access_contact((select private.current_agent_id()), contact_id, 'write', channel_type)));
create policy contact_communication_channels_delete_policy on public.contact_communication_channels
  as permissive for delete to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);

-- groups and memberships: the owner's own organisation of contacts; agents have no access.
create policy contact_groups_select_policy on public.contact_groups as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy contact_groups_insert_policy on public.contact_groups as permissive for insert to authenticated
  with check (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy contact_groups_update_policy on public.contact_groups as permissive for update to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null)
  with check (user_id = (select auth.uid()));
create policy contact_groups_delete_policy on public.contact_groups as permissive for delete to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);

create policy contact_group_memberships_select_policy on public.contact_group_memberships
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy contact_group_memberships_insert_policy on public.contact_group_memberships
  as permissive for insert to authenticated
  with check (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy contact_group_memberships_delete_policy on public.contact_group_memberships
  as permissive for delete to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);

-- grants: owners manage them; agents cannot read or change their own grants.
create policy agent_contact_permissions_select_policy on public.agent_contact_permissions
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy agent_contact_permissions_insert_policy on public.agent_contact_permissions
  as permissive for insert to authenticated
  with check (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy agent_contact_permissions_update_policy on public.agent_contact_permissions
  as permissive for update to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null)
  with check (user_id = (select auth.uid()));
create policy agent_contact_permissions_delete_policy on public.agent_contact_permissions
  as permissive for delete to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);

create policy agent_specific_contact_access_select_policy on public.agent_specific_contact_access
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy agent_specific_contact_access_insert_policy on public.agent_specific_contact_access
  as permissive for insert to authenticated
  with check (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy agent_specific_contact_access_delete_policy on public.agent_specific_contact_access
  as permissive for delete to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);

-- interactions: agents read those of contacts and channel types they may read, log and update
-- their own with a message grant; only owners delete.
create policy contact_interactions_select_policy on public.contact_interactions as permissive for select to authenticated
  using (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or private.agent_can_access_contact((select private.current_agent_id()), contact_id, 'read', channel_type)));
create policy contact_interactions_insert_policy on public.contact_interactions as permissive for insert to authenticated
  with check (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or (agent_id = (select private.current_agent_id())
        and private.agent_can_access_contact((select private.current_agent_id()), contact_id, 'message', channel_type))));
create policy contact_interactions_update_policy on public.contact_interactions as permissive for update to authenticated
  using (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or (agent_id = (select private.current_agent_id())
        and private.agent_can_access_contact((select private.current_agent_id()), contact_id, 'message', channel_type))))
  with check (user_id = (select auth.uid()));
create policy contact_interactions_delete_policy on public.contact_interactions as permissive for delete to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);

-- import jobs and their error reports: the owner's; error rows are append-only.
create policy contact_import_jobs_select_policy on public.contact_import_jobs as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy contact_import_jobs_insert_policy on public.contact_import_jobs as permissive for insert to authenticated
  with check (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy contact_import_jobs_update_policy on public.contact_import_jobs as permissive for update to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null)
  with check (user_id = (select auth.uid()));
create policy contact_import_jobs_delete_policy on public.contact_import_jobs as permissive for delete to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);

create policy contact_import_job_errors_select_policy on public.contact_import_job_errors
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy contact_import_job_errors_insert_policy on public.contact_import_job_errors
  as permissive for insert to authenticated
  with check (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);

-- the agent access log: the owner reads it; rows are written by search_contacts_for_agent only.
create policy agent_contact_access_log_select_policy on public.agent_contact_access_log
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);

-- retention policies: the owner's.
create policy contact_retention_policies_select_policy on public.contact_retention_policies
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy contact_retention_policies_insert_policy on public.contact_retention_policies
  as permissive for insert to authenticated
  with check (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
create policy contact_retention_policies_update_policy on public.contact_retention_policies
  as permissive for update to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null)
  with check (user_id = (select auth.uid()));
create policy contact_retention_policies_delete_policy on public.contact_retention_policies
  as permissive for delete to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
