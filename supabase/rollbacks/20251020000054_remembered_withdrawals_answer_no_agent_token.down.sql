-- Rollback of 20251020000054_remembered_withdrawals_answer_no_agent_token:
-- private.remembered_withdrawals as 20251020000045 made it.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.remembered_withdrawals(owner_id uuid, identifier_keys text[])
returns bigint
language sql
stable
security definer
set search_path = ''
as $$
  select count(*)
  from private.withdrawn_addresses w
  where w.user_id = remembered_withdrawals.owner_id
    and (private.is_service_caller() or remembered_withdrawals.owner_id = (select auth.uid()))
    and w.identifier_hmac = any (private.owner_hmacs(remembered_withdrawals.owner_id, array(
          select distinct a.key from unnest(remembered_withdrawals.identifier_keys) as k (key)
          cross join lateral unnest(private.identifier_key_aliases(k.key)) as a (key))))
$$;
comment on function private.remembered_withdrawals(uuid, text[]) is 'How many withdrawals the owner remembers for the addresses of deleted channels under identifier keys (in any of their channel types); the caller''s own or the service''s only.';
