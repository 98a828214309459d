-- find_duplicate_contacts' pairs are planned for each call (20251012000002): a generic plan cannot
-- see how many keys the owner-wide arrays hold, and from a session's sixth call it took 22 s instead
-- of 0.13 s at 303,002 contacts (npm run bench -- --merge). A small database cannot show that, so this
-- test holds the setting, and that the calls after the fifth still answer alike.
begin;
select plan(2);

select ok((select 'plan_cache_mode=force_custom_plan' = any (p.proconfig) from pg_proc p
   where p.oid = 'private.duplicate_contact_pairs(uuid, uuid, numeric, integer, numeric, uuid, uuid)'::regprocedure),
  'private.duplicate_contact_pairs plans each call with its own keys');

do $$
declare
  owner_id uuid := tests.create_supabase_user('pairs_owner');
begin
  insert into public.contacts (user_id, first_name, last_name, organization)
  select owner_id, 'Ada', 'Lovelace', 'Analytical Engines' from generate_series(1, 3);
end
$$;
create temporary table pair_counts (attempt integer, pairs bigint) on commit drop;
grant all on pair_counts to authenticated;
select tests.authenticate_as('pairs_owner');
do $$
begin
  for attempt in 1..7 loop
    insert into pair_counts select attempt, count(*) from public.find_duplicate_contacts(result_limit => 50);
  end loop;
end
$$;
select is((select array_agg(distinct pairs) from pair_counts), array[3::bigint],
  'seven calls in one session each find the same three pairs');

select * from finish();
rollback;
