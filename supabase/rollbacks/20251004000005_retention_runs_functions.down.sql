-- Rolls back 20251004000005_retention_runs_functions: apply_retention_policies as
-- 20250916000011 defined it, then the run functions.
set lock_timeout = '5s';

create or replace function public.apply_retention_policies(dry_run boolean default false, owner_id uuid default null)
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

drop function private.retention_run_finish(bigint, text);
drop function private.retention_run_step(bigint);
drop function private.retention_run_start(boolean, uuid, bigint, text, integer, boolean);
drop function private.retention_lock_key();
