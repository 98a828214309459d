-- Rolls back 20251004000000_retention_policy_classes.
set lock_timeout = '5s';

revoke update (suppress_identifiers) on table public.contact_retention_policies from authenticated;
revoke insert (suppress_identifiers) on table public.contact_retention_policies from authenticated;
drop trigger contact_retention_policies_fill_defaults on public.contact_retention_policies;
drop function private.fill_retention_policy_defaults();
comment on column public.contact_retention_policies.action is 'delete, or anonymize: interactions lose content and metadata, contacts their personal fields, import jobs their error rows.';
comment on column public.contact_retention_policies.data_class is 'interactions (by age), interaction_content (bodies only), inactive_contacts (no interaction for retain_days), import_jobs (finished jobs and their error rows).';
alter table public.contact_retention_policies drop constraint contact_retention_policies_suppress_check;
alter table public.contact_retention_policies drop constraint contact_retention_policies_action_check;
alter table public.contact_retention_policies drop constraint contact_retention_policies_data_class_check;
alter table public.contact_retention_policies add constraint contact_retention_policies_data_class_check check (
    data_class in ('interactions', 'interaction_content', 'inactive_contacts', 'import_jobs'));
alter table public.contact_retention_policies add constraint contact_retention_policies_action_check check (
    action in ('delete', 'anonymize') and (data_class <> 'interaction_content' or action = 'anonymize'));
alter table public.contact_retention_policies drop column suppress_identifiers;
