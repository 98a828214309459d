-- A smart group matches on a custom field whatever the script of its key (20251020000015), as
-- import-contacts keys the fields of headers in other scripts; a key with a space or a dot is
-- still refused.
begin;
select plan(4);

select tests.create_supabase_user('script_owner');
insert into public.contacts (id, user_id, first_name, metadata) values
  ('14000000-0000-4000-8000-000000000001', tests.get_supabase_uid('script_owner'), 'Ivan', '{"имя": "Иван", "会社": "トヨタ"}'),
  ('14000000-0000-4000-8000-000000000002', tests.get_supabase_uid('script_owner'), 'Ida', '{"имя": "Ида"}');

-- Owner
select tests.authenticate_as('script_owner');
select lives_ok($$ insert into public.contact_groups (name, group_type, criteria) values
    ('Ivans at Toyota', 'smart',
     '{"rules": [{"field": "metadata.имя", "op": "equals", "value": "Иван"}, {"field": "metadata.会社", "op": "not_empty"}]}') $$,
  'the owner makes a smart group on custom fields keyed in Cyrillic and Japanese');
select ok(private.contact_in_group('14000000-0000-4000-8000-000000000001', (select id from public.contact_groups where name = 'Ivans at Toyota')),
  'Ivan is in it');
select ok(not private.contact_in_group('14000000-0000-4000-8000-000000000002', (select id from public.contact_groups where name = 'Ivans at Toyota')),
  'Ida is not');
select throws_ok($$ insert into public.contact_groups (name, group_type, criteria) values
    ('Bad key', 'smart', '{"rules": [{"field": "metadata.a b", "op": "not_empty"}]}') $$,
  '23514', null, 'a key with a space is refused');
reset role;

select * from finish();
rollback;
