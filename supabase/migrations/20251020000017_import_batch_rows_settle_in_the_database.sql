-- The rows of one import batch decide one another's outcome here, in the database, as they would
-- one batch after another. The worker used to settle them before the database saw the batch: a
-- later row with the key of an earlier one was skipped as a duplicate within the file even when the
-- database then failed the earlier row (an identifier another contact holds, a handle it refuses, a
-- value it cannot store), whereas across batches the later row found no contact and created one.
-- So an import's outcome depended on where its batches split. private.import_settle_batch takes the
-- outcomes the batch function decided for each row alone and settles the rows that share an
-- identifier or a matched contact in file order, each against what the rows before it wrote, with
-- the rules the batch function applies across batches (20251020000018 calls it).
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.import_settle_batch(plan private.contact_import_plan[], dedupe text, policy text, owner_id uuid)
returns private.contact_import_plan[]
language plpgsql
stable
set search_path = ''
as $$
declare
  same_contact constant text := 'duplicate_in_file: an earlier row of this file matched the same contact';
  colliding bigint[];
  step private.contact_import_plan;
  matched uuid;
  writes uuid;
  conflict integer;
  -- The row's identifiers, by column: claim (type:value), type, value, column, whether a key.
  claims text[];
  kinds text[];
  vals text[];
  cols text[];
  keys boolean[];
  -- Identifier (type:value, a number under the phone key being one whatever its type) -> the contact
  -- that the rows kept so far gave it; and the contacts they created or updated.
  holders jsonb := '{}'::jsonb;
  touched jsonb := '{}'::jsonb;
  decided_n bigint[] := '{}'::bigint[];
  decided_outcome text[] := '{}'::text[];
  decided_reason text[] := '{}'::text[];
  decided_column text[] := '{}'::text[];
  decided_value text[] := '{}'::text[];
  decided_contact uuid[] := '{}'::uuid[];
begin
  -- Only rows sharing an identifier or a matched contact with another row can change one
  -- another's outcome; a batch without any returns as it came. Values are compared whatever their
  -- type: a few more rows to settle, and no call per row.
  select array_agg(distinct n) into colliding
  from (
    select array_agg(v.n) as rows
    from unnest(import_settle_batch.plan) p
    cross join lateral (
      select (p.item).n, ch.nv from jsonb_to_recordset((p.item).channels) as ch (nv text)
      union
      select (p.item).n, 'external_id:' || (p.item).external_id where (p.item).external_id is not null
      union
      select (p.item).n, 'contact:' || p.contact_id where p.outcome <> 'create' and p.contact_id is not null
    ) as v (n, value)
    group by v.value
    having count(*) > 1
  ) as shared
  cross join unnest(shared.rows) as n;
  if colliding is null then
    return import_settle_batch.plan;
  end if;

  for step in
    select p.* from unnest(import_settle_batch.plan) p
    where (p.item).n = any (colliding)
    order by (p.item).n
  loop
    -- A refused handle or an erased identifier fails or skips the row before anything else, and a
    -- row the database found holding another contact's identifier fails as it is.
    continue when step.reason like any (array['invalid_identifier:%', 'suppressed:%', 'identifier_conflict:%']);
    -- The row's identifiers as the batch function looks them up: under the phone key a number is
    -- one whatever its channel type; the key's identifiers (all, for a row without a key) say which
    -- contact the row is.
    select array_agg(i.claim order by i.col, i.claim), array_agg(i.kind order by i.col, i.claim),
      array_agg(i.value order by i.col, i.claim), array_agg(i.col order by i.col, i.claim), array_agg(i.is_key order by i.col, i.claim)
    into claims, kinds, vals, cols, keys
    from (
      select case when import_settle_batch.dedupe = 'phone' and c.t in ('phone', 'sms', 'whatsapp') then 'phone' else c.t end
          || ':' || c.nv,
        c.t, c.nv, c.col,
        (step.item).k is null or (c.nv = (step.item).k and (c.t = import_settle_batch.dedupe
          or (import_settle_batch.dedupe = 'phone' and c.t in ('phone', 'sms', 'whatsapp'))))
      from jsonb_to_recordset((step.item).channels) as c (t text, nv text, col text)
      union all
      select 'external_id:' || (step.item).external_id, 'external_id', (step.item).external_id, (step.item).xcol,
        (step.item).k is null or import_settle_batch.dedupe = 'external_id'
      where (step.item).external_id is not null
    ) as i (claim, kind, value, col, is_key);
    -- The contact the row reaches: the one the database matched, or the one an earlier row of the
    -- batch gave the row's key (of its keys, the first by type, as the batch function orders them).
    matched := case when step.outcome <> 'create' then step.contact_id end;
    if matched is null then
      select (holders ->> claims[x])::uuid into matched
      from generate_subscripts(claims, 1) as x
      where keys[x] and holders ? claims[x]
      order by kinds[x]
      limit 1;
    end if;
    -- An identifier an earlier row gave another contact fails the row; then a contact an earlier
    -- row wrote makes it a duplicate within the file.
    conflict := (select min(x) from generate_subscripts(claims, 1) as x
                 where holders ? claims[x] and holders ->> claims[x] is distinct from coalesce(matched, step.contact_id)::text);
    if conflict is not null then
      decided_n := decided_n || (step.item).n;
      decided_outcome := decided_outcome || 'fail'::text;
      decided_reason := decided_reason || ('identifier_conflict: this ' || replace(kinds[conflict], '_', ' ') || ' belongs to another contact');
      decided_column := decided_column || cols[conflict];
      decided_value := decided_value || left(vals[conflict], 200);
      decided_contact := decided_contact || step.contact_id;
      continue;
    end if;
    if matched is not null and touched ? matched::text then
      decided_n := decided_n || (step.item).n;
      decided_outcome := decided_outcome || 'skip'::text;
      decided_reason := decided_reason || same_contact;
      decided_column := decided_column || null::text;
      decided_value := decided_value || left((step.item).k, 200);
      decided_contact := decided_contact || matched;
      continue;
    end if;
    -- Only a created or updated contact holds the row's identifiers for the rows after it.
    continue when step.outcome not in ('create', 'update');
    writes := coalesce(matched, step.contact_id);
    touched := touched || jsonb_build_object(writes::text, true);
    -- An update writes the row's external id only where the policy lets it replace the contact's.
    select holders || coalesce(jsonb_object_agg(claims[x], writes), '{}'::jsonb) into holders
    from generate_subscripts(claims, 1) as x
    where kinds[x] <> 'external_id' or step.outcome = 'create' or exists (
      select 1 from public.contacts c
      where c.id = writes and c.user_id = import_settle_batch.owner_id
        and private.import_merged_value(import_settle_batch.policy, c.external_id, vals[x]) = vals[x]);
  end loop;

  if cardinality(decided_n) = 0 then
    return import_settle_batch.plan;
  end if;
  return array(
    select case when d.n is null then p
      else row(p.item, d.outcome, d.reason, d.column_name, d.value_excerpt, d.contact_id, p.claim_row)::private.contact_import_plan end
    from unnest(import_settle_batch.plan) p
    left join unnest(decided_n, decided_outcome, decided_reason, decided_column, decided_value, decided_contact)
      as d (n, outcome, reason, column_name, value_excerpt, contact_id) on d.n = (p.item).n
    order by (p.item).n);
end;
$$;
comment on function private.import_settle_batch(private.contact_import_plan[], text, text, uuid) is 'Settles the rows of one import batch that share an identifier or a matched contact, in file order, each against what the rows before it wrote: the outcome they would have one batch after another.';
revoke execute on function private.import_settle_batch(private.contact_import_plan[], text, text, uuid) from public;
grant execute on function private.import_settle_batch(private.contact_import_plan[], text, text, uuid) to authenticated, service_role;
