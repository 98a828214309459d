-- private.remembered_withdrawals (20251020000045) counts, with definer rights, the owner's
-- remembered withdrawals of the identifiers it is given, for the service or for the owner's own
-- token. An agent token carries the owner's sub, so it passed that check and could learn, by
-- trying addresses, which ones the owner keeps a withdrawal of: a fact about people the agent's
-- grants may not cover, and part of data subject requests, which agent tokens may not make
-- (private.data_subject_owner). Through the API it is out of reach (private is not exposed), but
-- the rule should not rest on that. Now an agent token counts nothing; the body is otherwise that
-- of 20251020000045.
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
    and (private.is_service_caller()
      or remembered_withdrawals.owner_id = (select auth.uid()) and (select private.current_agent_id()) is null)
    and w.identifier_hmac = any (private.owner_hmacs(remembered_withdrawals.owner_id, array(
          select distinct a.key from unnest(remembered_withdrawals.identifier_keys) as k (key)
          cross join lateral unnest(private.identifier_key_aliases(k.key)) as a (key))))
$$;
comment on function private.remembered_withdrawals(uuid, text[]) is 'How many withdrawals the owner remembers for the addresses of deleted channels under identifier keys (in any of their channel types); the caller''s own (not an agent token''s) or the service''s only.';
