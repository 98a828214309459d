-- Retention policy classes: the audit trail (contact_audit_log, by occurred_at) and the agent
-- access log (agent_contact_access_log, by searched_at) join the four data classes; logs can only be
-- deleted (an entry is evidence: there is nothing in it to wipe and keep). An owner may also ask
-- that identifiers of contacts erased by the inactive-contacts policy go to the suppression list.
-- Defaults: nothing is retained or removed for an owner without a policy row (opting in is adding
-- one); a policy inserted without an action or a number of days gets the class's documented
-- default, the least destructive action the class allows (README, "Retention").
set lock_timeout = '5s';
set statement_timeout = '5min';

alter table public.contact_retention_policies
  add column suppress_identifiers boolean not null default false;
comment on column public.contact_retention_policies.suppress_identifiers is
  'inactive_contacts only: the channel identifiers of contacts this policy deletes or anonymizes go to the owner''s suppression list, so they are not imported or added again.';

alter table public.contact_retention_policies drop constraint contact_retention_policies_data_class_check;
alter table public.contact_retention_policies drop constraint contact_retention_policies_action_check;
-- squawk-ignore constraint-missing-not-valid -- a few rows per owner: validation is instant, and the lock is the one the drop above already took.
alter table public.contact_retention_policies add constraint contact_retention_policies_data_class_check check (
  data_class in ('interactions', 'interaction_content', 'inactive_contacts', 'import_jobs', 'audit_log', 'access_log'));
-- squawk-ignore constraint-missing-not-valid -- as above.
alter table public.contact_retention_policies add constraint contact_retention_policies_action_check check (
  action in ('delete', 'anonymize')
  and (data_class <> 'interaction_content' or action = 'anonymize')
  and (data_class not in ('audit_log', 'access_log') or action = 'delete'));
-- squawk-ignore constraint-missing-not-valid -- as above; the new column is false everywhere.
alter table public.contact_retention_policies add constraint contact_retention_policies_suppress_check check (
  not suppress_identifiers or data_class = 'inactive_contacts');
comment on column public.contact_retention_policies.data_class is
  'interactions (by age), interaction_content (bodies only), inactive_contacts (no interaction for retain_days), import_jobs (finished jobs: error rows and summary), audit_log (contact_audit_log by occurred_at), access_log (agent_contact_access_log by searched_at).';
comment on column public.contact_retention_policies.action is
  'delete, or anonymize: interactions lose content and metadata, contacts their personal fields (private.anonymize_contacts), import jobs their error rows and summary. Logs: delete only; interaction_content: anonymize only.';

-- The documented defaults, one place: what a policy gets when it names only its class.
create function private.fill_retention_policy_defaults()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.action := coalesce(new.action, case when new.data_class in ('audit_log', 'access_log') then 'delete' else 'anonymize' end);
  new.retain_days := coalesce(new.retain_days, case new.data_class
    when 'interactions' then 730
    when 'interaction_content' then 365
    when 'inactive_contacts' then 1095
    when 'import_jobs' then 90
    when 'audit_log' then 2555
    when 'access_log' then 365
  end);
  return new;
end;
$$;
comment on function private.fill_retention_policy_defaults() is
  'Trigger: a policy inserted without action or retain_days gets its class''s default (anonymize, or delete for logs; 730/365/1095/90/2555/365 days).';
revoke execute on function private.fill_retention_policy_defaults() from public;
grant execute on function private.fill_retention_policy_defaults() to authenticated, service_role;

create trigger contact_retention_policies_fill_defaults
  before insert on public.contact_retention_policies
  for each row execute function private.fill_retention_policy_defaults();

grant insert (suppress_identifiers) on table public.contact_retention_policies to authenticated;
grant update (suppress_identifiers) on table public.contact_retention_policies to authenticated;
