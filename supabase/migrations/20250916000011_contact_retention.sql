-- Retention: per-owner policies by data class, and apply_retention_policies, which removes or
-- anonymizes what is past its time. Contacts under legal hold, and their children, are never touched.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on tables this migration creates: empty, and concurrently cannot run inside the migration's transaction.

create table public.contact_retention_policies (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  data_class text not null,
  action text not null,
  -- squawk-ignore prefer-bigint-over-int -- a number of days, at most 36500.
  retain_days integer not null,
  is_enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint contact_retention_policies_user_id_data_class_key unique (user_id, data_class),
  constraint contact_retention_policies_data_class_check check (
    data_class in ('interactions', 'interaction_content', 'inactive_contacts', 'import_jobs')),
  constraint contact_retention_policies_action_check check (
    action in ('delete', 'anonymize') and (data_class <> 'interaction_content' or action = 'anonymize')),
  constraint contact_retention_policies_retain_days_check check (retain_days between 1 and 36500)
);
comment on table public.contact_retention_policies is 'How long an owner keeps each class of data, and what happens after: delete or anonymize. No policy, no retention.';
comment on column public.contact_retention_policies.data_class is 'interactions (by age), interaction_content (bodies only), inactive_contacts (no interaction for retain_days), import_jobs (finished jobs and their error rows).';
comment on column public.contact_retention_policies.action is 'delete, or anonymize: interactions lose content and metadata, contacts their personal fields, import jobs their error rows.';
comment on index public.contact_retention_policies_user_id_data_class_key is 'One policy per owner and class; serves the user_id foreign key.';

create trigger contact_retention_policies_set_updated_at
  before update on public.contact_retention_policies
  for each row execute function private.set_updated_at();

alter table public.contact_retention_policies enable row level security;

revoke all on table public.contact_retention_policies from anon, authenticated;
grant select, delete on table public.contact_retention_policies to authenticated;
grant insert (data_class, action, retain_days, is_enabled) on table public.contact_retention_policies to authenticated;
grant update (action, retain_days, is_enabled) on table public.contact_retention_policies to authenticated;
grant all on table public.contact_retention_policies to service_role;

-- Runs as the service (pg_cron as postgres, or the contacts-retention function with the secret
-- key): both bypass RLS, so every statement scopes itself to the policy's owner.
create function public.apply_retention_policies(dry_run boolean default false, owner_id uuid default null)
returns table (user_id uuid, data_class text, action text, affected_rows bigint)
language plpgsql
set search_path = ''
as $$
declare
  policy public.contact_retention_policies;
  cutoff timestamptz;
  target_ids uuid[];
begin
  for policy in
    select * from public.contact_retention_policies p
    where p.is_enabled and (apply_retention_policies.owner_id is null or p.user_id = apply_retention_policies.owner_id)
    order by p.user_id, p.data_class
  loop
    cutoff := now() - make_interval(days => policy.retain_days);
    if policy.data_class in ('interactions', 'interaction_content') then
      select coalesce(array_agg(i.id), '{}') into target_ids
      from public.contact_interactions i
      join public.contacts c on c.id = i.contact_id and c.user_id = i.user_id
      where i.user_id = policy.user_id and i.occurred_at < cutoff and not c.legal_hold
        and (policy.action = 'delete' or i.content is not null or i.subject is not null or i.summary is not null
             or (policy.data_class = 'interactions' and (i.metadata <> '{}'::jsonb or i.error_message is not null)));
    elsif policy.data_class = 'inactive_contacts' then
      select coalesce(array_agg(c.id), '{}') into target_ids
      from public.contacts c
      where c.user_id = policy.user_id and not c.legal_hold and c.created_at < cutoff
        and (policy.action = 'delete' or c.status <> 'anonymized')
        and not exists (
          select 1 from public.contact_interactions i
          where i.contact_id = c.id and i.user_id = c.user_id and i.occurred_at >= cutoff);
    else
      select coalesce(array_agg(j.id), '{}') into target_ids
      from public.contact_import_jobs j
      where j.user_id = policy.user_id and j.status in ('completed', 'failed', 'cancelled') and j.completed_at < cutoff
        and (policy.action = 'delete' or exists (select 1 from public.contact_import_job_errors e where e.job_id = j.id));
    end if;

    if not apply_retention_policies.dry_run and cardinality(target_ids) > 0 then
      case policy.data_class || ':' || policy.action
        when 'interactions:delete' then
          delete from public.contact_interactions i where i.id = any (target_ids);
        when 'interactions:anonymize' then
          update public.contact_interactions i
          set subject = null, content = null, summary = null, error_message = null, metadata = '{}'::jsonb
          where i.id = any (target_ids);
        when 'interaction_content:anonymize' then
          update public.contact_interactions i set subject = null, content = null, summary = null where i.id = any (target_ids);
        when 'inactive_contacts:delete' then
          delete from public.contacts c where c.id = any (target_ids);
        when 'inactive_contacts:anonymize' then
          perform private.anonymize_contacts(target_ids);
        when 'import_jobs:delete' then
          delete from public.contact_import_jobs j where j.id = any (target_ids);
        else
          delete from public.contact_import_job_errors e where e.job_id = any (target_ids);
      end case;
    end if;

    user_id := policy.user_id;
    data_class := policy.data_class;
    action := policy.action;
    affected_rows := cardinality(target_ids);
    return next;
  end loop;
end;
$$;
comment on function public.apply_retention_policies(boolean, uuid) is 'Applies every enabled retention policy (or one owner''s), skipping contacts under legal hold; returns what it did (or, with dry_run, would do) per owner and class.';
revoke execute on function public.apply_retention_policies(boolean, uuid) from public, anon, authenticated;
grant execute on function public.apply_retention_policies(boolean, uuid) to service_role;
