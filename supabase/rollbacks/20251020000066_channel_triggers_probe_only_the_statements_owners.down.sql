-- The channel triggers' checks read as before: recall_withdrawn_addresses and
-- reject_suppressed_channels may plan a sequential scan, reject_suppressed_channels joins the
-- suppressions of the statement's owners, and keep_agent_channels_within_their_grants takes each
-- contact's channels less the new rows per contact (as 20251020000063, 20251020000007 and
-- 20251020000009 left them).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.keep_agent_channels_within_their_grants()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  agent constant uuid := private.current_agent_id();
begin
  if agent is null then
    return null;
  end if;
  -- The contacts' row locks, as their updates take them: a concurrent write bringing in the other
  -- half of a group's rules (a tag, another channel) is waited for, and read below once committed.
  perform 1 from public.contacts c
  where c.id in (select n.contact_id from new_rows n)
  order by c.id
  for no key update;
  if exists (
    select 1
    from (select distinct n.contact_id, n.user_id from new_rows n) as touched
    join public.contacts c on c.id = touched.contact_id and c.user_id = touched.user_id
    cross join lateral (
      select
        array(select ch.channel_type from public.contact_communication_channels ch
              where ch.contact_id = c.id and ch.user_id = c.user_id) as after_types,
        array(select ch.channel_type from public.contact_communication_channels ch
              where ch.contact_id = c.id and ch.user_id = c.user_id
                and not exists (select 1 from new_rows n where n.id = ch.id)) as before_types
    ) as types
    join public.agent_contact_permissions p
      on p.agent_id = agent and p.user_id = c.user_id and p.permission_type = 'group'
      -- Grants yet to start count: the contact would be in the group when they do.
      and (p.valid_until is null or p.valid_until > now())
    -- Only a channel type new to the contact can bring it into a group.
    where not types.after_types <@ types.before_types
      and private.group_entered(p.group_id, c, c, types.before_types, types.after_types)
  ) then
    raise exception 'an agent cannot bring a contact into a group that grants it access'
      using errcode = '42501', hint = 'The owner adds channels of the types the group matches on.';
  end if;
  return null;
end;
$$;

create or replace function private.reject_suppressed_channels()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  offending boolean;
begin
  execute format('select exists (select 1 from public.contact_suppressions s where s.lifted_at is null
                                 and s.user_id in (select n.user_id from %I n))', 'new_rows')
    into offending;
  if not offending then
    return null;
  end if;
  execute format(
    'select exists (
       select 1
       from new_rows n
       join private.owner_keys k on k.user_id = n.user_id
       cross join lateral unnest(private.channel_identifier_keys(n.channel_type, n.normalized_identifier)) as key (value)
       join public.contact_suppressions s on s.user_id = n.user_id and s.lifted_at is null
         and s.identifier_hmac = encode(extensions.hmac(convert_to(key.value, %L), k.hmac_key, %L), %L)
       %s)',
    'UTF8', 'sha256', 'hex',
    case when tg_op = 'UPDATE' then
      'where not exists (select 1 from old_rows o where o.id = n.id and o.channel_type = n.channel_type
                          and o.normalized_identifier = n.normalized_identifier)'
    else '' end)
    into offending;
  if offending then
    raise exception 'this identifier was erased at the data subject''s request and is suppressed'
      using errcode = '23514', constraint = 'contact_suppressions_active_key',
            hint = 'The owner can lift the suppression with public.lift_contact_suppression.';
  end if;
  return null;
end;
$$;

alter function private.recall_withdrawn_addresses() reset enable_seqscan;
