-- The erasure's scrub of dry-run reports (20251018000004) searched the subject's names and
-- identifiers in the whole text of each entry: its keys ("new_channels"), column names, reasons,
-- row numbers and ids too. Erasing a contact named Ann removed every changed entry of every dry run
-- of the owner ("new_channels" holds "ann"), and a numeric external id matched row numbers. It now
-- searches the values a report holds of the file's people only: a new row's display name and
-- identifiers, a failing cell's value, the before and after values of a changed contact's fields
-- and the identifiers of the channels it would gain; plus, as before, the contact's own id. Values
-- are compared unescaped, so a name with a quote is found too.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.dry_run_entry_mentions(entry jsonb, contact_id uuid, mentions text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(entry ->> 'contact_id' = contact_id::text, false)
    or exists (
      select 1
      from (
        select jsonb_path_query(entry, '$.display_name') as v
        union all select jsonb_path_query(entry, '$.identifiers[*]')
        union all select jsonb_path_query(entry, '$.value')
        union all select jsonb_path_query(entry, '$.changes.*.**')
        union all select jsonb_path_query(entry, '$.new_channels[*].identifier')
      ) as person_values
      cross join unnest(mentions) as x (m)
      where jsonb_typeof(person_values.v) = 'string' and strpos(lower(person_values.v #>> '{}'), x.m) > 0
    )
$$;
comment on function private.dry_run_entry_mentions(jsonb, uuid, text[]) is 'True when an entry of a dry run''s report names the contact, or one of the values it holds of the file''s people (names, identifiers, cell values, field values) mentions one of its names or identifiers (lower-case, as forget_contact_traces matches error rows).';
