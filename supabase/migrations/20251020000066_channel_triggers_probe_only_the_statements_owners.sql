-- Three statement triggers on channels read far more than the statement's own rows:
--  - recall_withdrawn_addresses and reject_suppressed_channels first ask whether the statement's
--    owners remember any withdrawn address or hold any suppression. When the statistics say few
--    owners hold rows (one neighbour), the planner scanned every owner's rows for it. A one-row
--    channel insert of an owner who holds none took 1.9 ms with the neighbour's 20,000 rows in
--    each table, 26 ms with 200,000, 0.17 s with 1,000,000 (now 0.3-0.4 ms), and every insert,
--    update and import batch paid it;
--  - reject_suppressed_channels' check of an owner who holds some could merge the new rows with
--    every owner's suppressions in owner order, hashing each key once per suppression of its owner
--    (2,000 channels, neighbour's 20,000 rows: 0.33 s, now 0.2 s);
--  - keep_agent_channels_within_their_grants took each touched contact's channels less the new
--    rows by a loop over the new rows per channel, as planned for a session's first (one-row)
--    insert: an agent's 500 channels on one contact were 125,000 comparisons (21 ms, now 1.5 ms).
-- Now (results unchanged):
--  - both triggers plan without sequential scans (as the import's probes, 20251012000000), and
--    reject_suppressed_channels probes the suppressions index by owner, and by owner and key, one
--    row at most each (LIMIT in a lateral subquery: it cannot be turned into a join of the tables);
--  - keep_agent_channels_within_their_grants takes each channel of the touched contacts once, with
--    the new rows, grouped by channel then by contact (hashed or sorted, never pair by pair).
-- Redefines reject_suppressed_channels (20251020000007) and keep_agent_channels_within_their_grants
-- (20251020000009); recall_withdrawn_addresses keeps its body (20251020000063).
set lock_timeout = '5s';
set statement_timeout = '5min';

alter function private.recall_withdrawn_addresses() set enable_seqscan = off;

create or replace function private.reject_suppressed_channels()
returns trigger
language plpgsql
security definer
set search_path = ''
set enable_seqscan = off
as $$
declare
  offending boolean;
begin
  -- One probe per owner of the statement (20251020000066).
  execute format('select exists (select 1 from (select distinct n.user_id from %I n) o
                                 cross join lateral (select 1 from public.contact_suppressions s
                                                     where s.user_id = o.user_id and s.lifted_at is null limit 1) s)', 'new_rows')
    into offending;
  if not offending then
    return null;
  end if;
  -- One probe per key of each channel, its hash computed once.
  execute format(
    'select exists (
       select 1
       from new_rows n
       join private.owner_keys k on k.user_id = n.user_id
       cross join lateral unnest(private.channel_identifier_keys(n.channel_type, n.normalized_identifier)) as key (value)
       cross join lateral (select 1 from public.contact_suppressions s
                           where s.user_id = n.user_id and s.lifted_at is null
                             and s.identifier_hmac = encode(extensions.hmac(convert_to(key.value, %L), k.hmac_key, %L), %L)
                           limit 1) s
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

create or replace function private.keep_agent_channels_within_their_grants()
returns trigger
language plpgsql
security definer
set search_path = ''
set enable_seqscan = off
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
    from (
      -- Each channel of the touched contacts once, new if the statement inserted it: grouped, not
      -- joined, so that no plan pairs every channel with every new row (20251020000066).
      select x.contact_id, x.user_id, array_agg(x.channel_type) as after_types,
        coalesce(array_agg(x.channel_type) filter (where not x.is_new), '{}') as before_types
      from (
        select a.id, a.contact_id, a.user_id, a.channel_type, bool_or(a.is_new) as is_new
        from (
          select ch.id, ch.contact_id, ch.user_id, ch.channel_type, false as is_new
          from (select distinct n.contact_id, n.user_id from new_rows n) as touched
          join public.contact_communication_channels ch on ch.contact_id = touched.contact_id and ch.user_id = touched.user_id
          union all
          select n.id, n.contact_id, n.user_id, n.channel_type, true from new_rows n
        ) as a
        group by a.id, a.contact_id, a.user_id, a.channel_type
        -- Only channels the table holds, as before.
        having bool_or(not a.is_new)
      ) as x
      group by x.contact_id, x.user_id
    ) as types
    join public.contacts c on c.id = types.contact_id and c.user_id = types.user_id
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
