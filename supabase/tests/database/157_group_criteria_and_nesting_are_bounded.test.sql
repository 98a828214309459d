-- What a contact is compared with, and how deep groups nest, are bounded (20251020000034-35): RLS
-- asks whether a contact is in an agent's granted group once per row, so a group's criteria and
-- its chain of parents bound what every read through such a grant costs. Compared values and
-- in-list entries hold at most 1,000 characters, criteria at most 16 kB, and a group sits at most
-- 10 levels deep, its subgroups included.
begin;
select plan(9);

-- ============================================================================================
-- Persona: owner (bounded_owner) -- the validator on its own
-- ============================================================================================
select tests.create_supabase_user('bounded_owner');
select tests.authenticate_as('bounded_owner');

select is(public.is_valid_smart_group_criteria(c.criteria), c.expected, c.description)
from (values
  (1, jsonb_build_object('rules', jsonb_build_array(jsonb_build_object('field', 'organization', 'op', 'contains', 'value', repeat('y', 1000)))),
      true, 'a compared value of 1,000 characters is valid'),
  (2, jsonb_build_object('rules', jsonb_build_array(jsonb_build_object('field', 'organization', 'op', 'contains', 'value', repeat('y', 1001)))),
      false, 'a compared value of more than 1,000 characters is invalid'),
  (3, jsonb_build_object('rules', jsonb_build_array(jsonb_build_object('field', 'tags', 'op', 'contains', 'value', repeat('t', 1001)))),
      false, 'a tag of more than 1,000 characters is invalid'),
  (4, jsonb_build_object('rules', jsonb_build_array(jsonb_build_object('field', 'metadata.tier', 'op', 'in',
        'value', jsonb_build_array('gold', 3, repeat('p', 1001))))),
      false, 'an in-list entry of more than 1,000 characters is invalid'),
  (5, '{"rules": [{"field": "metadata.tier", "op": "in", "value": ["gold", 3, true]}]}'::jsonb,
      true, 'an in list of short scalars is valid'),
  (6, '{"rules": [{"field": "metadata.tier", "op": "in", "value": [["gold"], {"a": 1}]}]}'::jsonb,
      false, 'an in list of arrays or objects is invalid'),
  (7, jsonb_build_object('match', 'any', 'rules', (select jsonb_agg(jsonb_build_object('field', 'metadata.k' || i, 'op', 'in',
        'value', (select jsonb_agg(md5(i || '.' || j)) from generate_series(1, 100) as js (j)))) from generate_series(1, 50) as i)),
      false, 'criteria beyond 16 kB in all are invalid')
) as c (n, criteria, expected, description)
order by c.n;

-- Ten groups in a chain: Level 1 at the top, Level 10 at the bottom.
do $$
declare
  parent uuid;
begin
  for level in 1 .. 10 loop
    insert into public.contact_groups (name, parent_group_id) values ('Level ' || level, parent) returning id into parent;
  end loop;
end
$$;
select throws_ok(
  $$ insert into public.contact_groups (name, parent_group_id)
     select 'Level 11', id from public.contact_groups where name = 'Level 10' $$,
  '23514', 'group "Level 11" would be nested more than 10 levels deep',
  'an owner cannot nest a group an eleventh level deep');
insert into public.contact_groups (name) values ('Above');
select throws_ok(
  $$ update public.contact_groups set parent_group_id = (select id from public.contact_groups where name = 'Above')
     where name = 'Level 1' $$,
  '23514', 'group "Level 1" would be nested more than 10 levels deep',
  'an owner cannot put a ten-level chain under another group');
reset role;

select * from finish();
rollback;
