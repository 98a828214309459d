-- The helpers an import calls for every row run as plpgsql since 20251020000058: a `language sql`
-- function pinning its search_path is never inlined and cost twice as much a call. Their rules are
-- restated here as they were written in SQL, and both are compared on every combination of the
-- values each rule tells apart, as the service (the import worker) calls them.
begin;
select plan(12);

create function pg_temp.earlier_merged_value(policy text, current_value text, incoming text) returns text language sql immutable as $$
  select case when nullif(btrim(incoming), '') is null then current_value when policy = 'update' then incoming
    when nullif(btrim(current_value), '') is null then incoming else current_value end
$$;
create function pg_temp.earlier_merged_metadata(policy text, current_value jsonb, incoming jsonb) returns jsonb language sql immutable as $$
  select case when incoming is null then current_value when policy = 'update' then current_value || incoming
    else current_value || coalesce((select jsonb_object_agg(i.key, i.value) from jsonb_each(incoming) as i
      where nullif(btrim(current_value ->> i.key), '') is null), '{}'::jsonb) end
$$;
create function pg_temp.earlier_consent_applies(policy text, current_status text, given text) returns boolean language sql immutable as $$
  select given is not null and current_status is distinct from given
    and (policy = 'update' or given = 'withdrawn' or current_status = 'unknown')
$$;
create function pg_temp.earlier_normalized(channel_type text, identifier text) returns text language sql immutable strict as $$
  select case when channel_type = 'email' then lower(btrim(identifier))
    when channel_type in ('phone', 'sms', 'whatsapp') then regexp_replace(regexp_replace(btrim(identifier), '^00', '+'), '[\s().\-/]', '', 'g')
    else lower(btrim(identifier)) end
$$;
grant execute on all functions in schema pg_temp to service_role;

-- Service
select tests.authenticate_as_service_role();

select is((
  select string_agg(p.proname || ':' || l.lanname, ', ' order by p.proname)
  from pg_catalog.pg_proc p join pg_catalog.pg_language l on l.oid = p.prolang
  where p.oid in ('private.import_merged_value(text, text, text)'::regprocedure, 'private.import_merged_metadata(text, jsonb, jsonb)'::regprocedure,
    'private.import_consent_applies(text, text, text)'::regprocedure, 'private.import_row_has_no_identifier(private.contact_import_row)'::regprocedure,
    'private.normalize_channel_identifier(text, text)'::regprocedure, 'public.is_valid_e164_phone(text)'::regprocedure)),
  'import_consent_applies:plpgsql, import_merged_metadata:plpgsql, import_merged_value:plpgsql, import_row_has_no_identifier:plpgsql, '
    || 'is_valid_e164_phone:plpgsql, normalize_channel_identifier:plpgsql',
  'the six helpers an import calls for every row are plpgsql, which runs each call in half the time of a SQL function that cannot be inlined');

select is((select count(*) from pg_catalog.pg_proc p
  where p.oid in ('private.import_merged_value(text, text, text)'::regprocedure, 'private.import_merged_metadata(text, jsonb, jsonb)'::regprocedure,
    'private.import_consent_applies(text, text, text)'::regprocedure, 'private.import_row_has_no_identifier(private.contact_import_row)'::regprocedure)
    and p.provolatile = 'i' and not p.proisstrict), 4::bigint,
  'the import helpers stay immutable and called with nulls (they decide what a null value means)');
select is((select count(*) from pg_catalog.pg_proc p
  where p.oid in ('private.normalize_channel_identifier(text, text)'::regprocedure, 'public.is_valid_e164_phone(text)'::regprocedure)
    and p.provolatile = 'i' and p.proisstrict), 2::bigint,
  'the identifier helpers stay immutable and strict, as their check constraint and trigger expect');

select is((select count(*) from (values ('update'), ('merge_fill_empty')) as p (policy),
    (values (null), (''), ('  '), ('Ada'), (' Ada ')) as c (v), (values (null), (''), ('  '), ('Ada'), ('Grace')) as i (v)
  where private.import_merged_value(p.policy, c.v, i.v) is distinct from pg_temp.earlier_merged_value(p.policy, c.v, i.v)), 0::bigint,
  'a merged field is what it was for every policy, current and incoming value, blank and null ones included');
select is(private.import_merged_value('merge_fill_empty', ' ', 'Grace'), 'Grace', 'merge_fill_empty fills a blank field');
select is((select count(*) from (values ('update'), ('merge_fill_empty')) as p (policy),
    (values ('{}'::jsonb), ('{"city": "London", "note": " "}'), ('{"city": null}')) as c (v),
    (values (null::jsonb), ('{}'), ('{"city": "Paris"}'), ('{"note": "vip", "city": ""}')) as i (v)
  where private.import_merged_metadata(p.policy, c.v, i.v) is distinct from pg_temp.earlier_merged_metadata(p.policy, c.v, i.v)), 0::bigint,
  'merged custom fields are what they were for every policy and pair of field sets');
select is((select count(*) from (values ('update'), ('merge_fill_empty')) as p (policy),
    (values (null), ('unknown'), ('granted'), ('withdrawn')) as c (v), (values (null), ('granted'), ('withdrawn')) as g (v)
  where private.import_consent_applies(p.policy, c.v, g.v) is distinct from pg_temp.earlier_consent_applies(p.policy, c.v, g.v)), 0::bigint,
  'whether a row''s consent is recorded is decided as before for every policy, current status and given consent');
select is((select count(*) from (values
    (null, null), ('x', null), (null, '[]'::jsonb), (null, '[{"t": "email"}]'), ('x', '[{"t": "email"}]')) as r (external_id, channels)
  where private.import_row_has_no_identifier(row(1, null, null, null, null, null, null, r.external_id, null, null, null, r.channels)::private.contact_import_row)
    is distinct from (r.external_id is null and coalesce(jsonb_array_length(r.channels), 0) = 0)), 0::bigint,
  'a row has no identifier exactly when it has neither an external id nor a channel');
select is((select count(*) from (values ('email'), ('phone'), ('sms'), ('whatsapp'), ('telegram'), ('other'), (null)) as t (v),
    (values (' Ada@Example.COM '), ('0044 (20) 7946-0018'), ('+1 415.555/0100'), (' @Handle '), (''), (null)) as i (v)
  where private.normalize_channel_identifier(t.v, i.v) is distinct from pg_temp.earlier_normalized(t.v, i.v)), 0::bigint,
  'every channel type normalizes every spelling as before, nulls giving null');
select is(private.normalize_channel_identifier('phone', '0044 (20) 7946-0018'), '+442079460018',
  'a phone number given with 00, spaces, brackets and dashes is stored as + and digits');
select is((select array_agg(public.is_valid_e164_phone(v) order by n) from unnest(array['+442079460018', '+0123456789', '+12345', '442079460018', '+1234567890123456', null])
    with ordinality as x (v, n)), array[true, false, false, false, false, null]::boolean[],
  'an E.164 number is valid and a leading zero, a short or long number or a missing + is not; null stays null');

-- Anonymous
select tests.clear_authentication();
select throws_ok($$ select private.import_merged_value('update', 'a', 'b') $$, '42501', null,
  'anonymous callers still cannot reach the import helpers');

select * from finish();
rollback;
