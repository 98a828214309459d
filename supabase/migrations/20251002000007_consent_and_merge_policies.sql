-- Row Level Security policies of the consent history and the merge records (RLS itself is enabled
-- where the tables are created). Owners read their own rows; agents read the consent history of the
-- channels they may read and record consent from their conversations: a withdrawal with a message
-- grant, a grant of consent only with a write grant (an agent must not unlock messaging for itself
-- on a lesser grant). Nobody updates or deletes history through the API.
set lock_timeout = '5s';
set statement_timeout = '5min';

create policy contact_consent_events_select_policy on public.contact_consent_events
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or private.agent_can_access_contact((select private.current_agent_id()), contact_id, 'read', channel_type)));
comment on policy contact_consent_events_select_policy on public.contact_consent_events is
  'Owners read their consent history; agents that of the channels they may read.';
create policy contact_consent_events_insert_policy on public.contact_consent_events
  as permissive for insert to authenticated
  with check (user_id = (select auth.uid()) and ((select private.current_agent_id()) is null
    or (source = 'agent_conversation'
        and private.agent_can_access_contact((select private.current_agent_id()), contact_id,
              case when status = 'withdrawn' then 'message' else 'write' end, channel_type))));
comment on policy contact_consent_events_insert_policy on public.contact_consent_events is
  'Owners record consent on their channels; agents record it from conversations: withdrawals with a message grant, grants with a write grant.';

create policy contact_merges_select_policy on public.contact_merges
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
comment on policy contact_merges_select_policy on public.contact_merges is 'Owners read their merge records; agents do not.';
