-- Rolls back 20251003000005_catalog_driven_export: restores export_contact_data_for_subject as
-- 20250916000010_gdpr_functions defined it.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function public.export_subject_data(uuid, text, uuid);

create or replace function public.export_contact_data_for_subject(contact_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  bundle jsonb;
begin
  perform private.forbid_agent_tokens('export personal data');
  select jsonb_build_object(
    'exported_at', now(),
    'contact_id', c.id,
    'contacts', jsonb_build_array(to_jsonb(c) - 'search_vector'),
    'contact_communication_channels', coalesce((
      select jsonb_agg(to_jsonb(ch) order by ch.created_at, ch.id)
      from public.contact_communication_channels ch where ch.contact_id = c.id and ch.user_id = c.user_id), '[]'::jsonb),
    'contact_group_memberships', coalesce((
      select jsonb_agg(to_jsonb(m) || jsonb_build_object('group_name', g.name) order by g.name)
      from public.contact_group_memberships m
      join public.contact_groups g on g.id = m.group_id and g.user_id = m.user_id
      where m.contact_id = c.id and m.user_id = c.user_id), '[]'::jsonb),
    'smart_groups', coalesce((
      select jsonb_agg(jsonb_build_object('group_id', g.id, 'group_name', g.name) order by g.name)
      from public.contact_groups g
      where g.user_id = c.user_id and g.group_type = 'smart' and private.contact_matches_criteria(c, g.criteria)), '[]'::jsonb),
    'agent_specific_contact_access', coalesce((
      select jsonb_agg(to_jsonb(s) || jsonb_build_object(
          'agent_name', a.name, 'permission_level', p.permission_level,
          'valid_from', p.valid_from, 'valid_until', p.valid_until) order by s.created_at, s.id)
      from public.agent_specific_contact_access s
      join public.agent_contact_permissions p on p.id = s.permission_id and p.user_id = s.user_id
      join public.agents a on a.id = s.agent_id and a.user_id = s.user_id
      where s.contact_id = c.id and s.user_id = c.user_id), '[]'::jsonb),
    'contact_interactions', coalesce((
      select jsonb_agg(to_jsonb(i) order by i.occurred_at, i.id)
      from public.contact_interactions i where i.contact_id = c.id and i.user_id = c.user_id), '[]'::jsonb))
  into bundle
  from public.contacts c
  where c.id = export_contact_data_for_subject.contact_id;

  if bundle is null then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  return bundle;
end;
$$;
comment on function public.export_contact_data_for_subject(uuid) is 'Subject access: every row about one contact, one key per table (plus its smart groups), under the caller''s RLS.';

drop function private.contact_export(uuid);
drop function private.contact_data_sources();
