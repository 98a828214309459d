-- The rows of one import batch decide one another's outcome here, in the database, as they would
-- one batch after another. The worker used to settle them before the database saw the batch: a
-- later row with the key of an earlier one was skipped as a duplicate within the file even when the
-- database then failed the earlier row (an identifier another contact holds, a handle it refuses, a
-- value it cannot store), whereas across batches the later row found no contact and created one.
-- So an import's outcome depended on where its batches split. private.import_settle_batch takes the
-- outcomes the batch function decided for each row alone and settles the rows that share a value
-- or a matched contact in file order, each against what the rows before it wrote, by the rules the
-- batch function applies across batches. Where a row's outcome depends on a write those rules cannot
-- foresee (an update freeing the external id a later row carries), it returns the rows before that
-- row only, and the batch function decides the rest once they are written (20251020000018 calls
-- it).
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.import_settle_batch(job public.contact_import_jobs, plan private.contact_import_plan[], dedupe text, policy text)
returns private.contact_import_plan[]
language plpgsql
stable
set search_path = ''
set enable_seqscan = off
as $$
declare
  same_contact constant text := 'duplicate_in_file: an earlier row of this file matched the same contact';
  colliding bigint[];
  cut bigint;
  step private.contact_import_plan;
  matched uuid;
  writes uuid;
  conflict integer;
  current_external_id text;
  reached_holder text;
  -- The row's identifiers, by column: claim (type:value), type, value, column, whether a key.
  claims text[];
  kinds text[];
  vals text[];
  cols text[];
  keys boolean[];
  -- Identifier (type:value, a number under the phone key being one whatever its type) -> the contact
  -- the rows kept so far gave it, and contact:<id> -> true for the contacts they created or updated.
  -- A claim is never given twice, so the map is two: the latest claims, merged into the older ones
  -- every 64 rows, which keeps a batch of rows that all write linear rather than quadratic.
  recent jsonb := '{}'::jsonb;
  held jsonb := '{}'::jsonb;
  kept_rows integer := 0;
  decided_n bigint[] := '{}'::bigint[];
  decided_outcome text[] := '{}'::text[];
  decided_reason text[] := '{}'::text[];
  decided_column text[] := '{}'::text[];
  decided_value text[] := '{}'::text[];
  decided_contact uuid[] := '{}'::uuid[];
begin
  -- Only rows sharing a value or a matched contact with another row can change one another's
  -- outcome; an update that replaces its contact's external id shares the one it frees. Values are
  -- compared whatever their type: a few more rows to settle, and no call per row.
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
      union
      select (p.item).n, 'external_id:' || c.external_id
      from public.contacts c
      where p.outcome = 'update' and (p.item).external_id is not null
        and c.id = p.contact_id and c.user_id = job.user_id and c.external_id <> (p.item).external_id
    ) as v (n, value)
    group by v.value
    having count(*) > 1
  ) as shared
  cross join unnest(shared.rows) as n;

  for step in
    select p.* from unnest(import_settle_batch.plan) p
    where (p.item).n = any (coalesce(colliding, '{}'::bigint[]))
    order by (p.item).n
  loop
    exit when (step.item).n >= cut;
    -- A refused handle or an erased identifier fails or skips the row before anything else.
    continue when step.reason like any (array['invalid_identifier:%', 'suppressed:%']);
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
    if (step.item).k is null then
      -- A row without a key reaches the first holder of its identifiers by type, then column: a
      -- contact an earlier row of the batch wrote, or one the batch function found (the owner's
      -- contacts, a dry run's earlier rows, looked up as it looks them up); any other holder fails
      -- the row, the first by column.
      with pairs as (
        select x, coalesce(recent ->> claims[x], held ->> claims[x]) as holder, false as claimed
        from generate_subscripts(claims, 1) as x
        where recent ? claims[x] or held ? claims[x]
        union all
        select x, coalesce(h.contact_id::text, 'row:' || h.claim_row), h.claim_row is not null
        from generate_subscripts(claims, 1) as x
        cross join lateral (
          select ch.contact_id, null::bigint as claim_row
          from public.contact_communication_channels ch
          where kinds[x] <> 'external_id' and ch.user_id = job.user_id and ch.normalized_identifier = vals[x]
            and ch.channel_type = any (case when import_settle_batch.dedupe = 'phone' and kinds[x] in ('phone', 'sms', 'whatsapp')
                                            then array['phone', 'sms', 'whatsapp'] else array[kinds[x]] end)
          union all
          select c.id, null from public.contacts c
          where kinds[x] = 'external_id' and c.user_id = job.user_id and c.external_id = vals[x]
            and not (job.dry_run and exists (
              select 1 from private.contact_import_dry_run_claims d
              where d.job_id = job.id and d.user_id = job.user_id and d.kind = 'released_external_id' and d.value = vals[x]))
          union all
          select d.contact_id, d.row_number from private.contact_import_dry_run_claims d
          where job.dry_run and d.job_id = job.id and d.user_id = job.user_id and d.value = vals[x]
            and d.kind = any (case when import_settle_batch.dedupe = 'phone' and kinds[x] in ('phone', 'sms', 'whatsapp')
                                   then array['phone', 'sms', 'whatsapp'] else array[kinds[x]] end)
        ) as h
      ),
      reached as (
        select p.holder from pairs p order by kinds[p.x], cols[p.x], p.claimed desc limit 1
      )
      select r.holder, (select min(p.x) from pairs p where p.holder is distinct from r.holder)
      into reached_holder, conflict
      from reached r;
      if conflict is null and reached_holder is not null
         and (recent ? ('contact:' || reached_holder) or held ? ('contact:' || reached_holder)) then
        matched := reached_holder::uuid;
      elsif conflict is null then
        -- No contact of the batch among its holders: the database decided the row alone.
        matched := case when step.outcome <> 'create' then step.contact_id end;
        continue when step.reason like 'identifier_conflict:%';
      end if;
    else
      -- The contact the row reaches: the one the database matched by its key, or the one an
      -- earlier row of the batch gave its key.
      matched := case when step.outcome <> 'create' then step.contact_id end;
      if matched is null then
        select coalesce(recent ->> claims[x], held ->> claims[x])::uuid into matched
        from generate_subscripts(claims, 1) as x
        where keys[x] and (recent ? claims[x] or held ? claims[x])
        order by kinds[x], cols[x]
        limit 1;
      end if;
      -- An identifier of another contact fails the row, the first by column of those the batch's
      -- rows gave and of the one the database found.
      conflict := (select min(x) from generate_subscripts(claims, 1) as x
                   where coalesce(recent ->> claims[x], held ->> claims[x]) is distinct from coalesce(matched, step.contact_id)::text
                     and (recent ? claims[x] or held ? claims[x])
                     and (coalesce(step.reason, '') not like 'identifier_conflict:%' or cols[x] < step.column_name));
      continue when conflict is null and step.reason like 'identifier_conflict:%';
    end if;
    if conflict is not null then
      decided_n := decided_n || (step.item).n;
      decided_outcome := decided_outcome || 'fail'::text;
      decided_reason := decided_reason || ('identifier_conflict: this ' || replace(kinds[conflict], '_', ' ') || ' belongs to another contact');
      decided_column := decided_column || cols[conflict];
      decided_value := decided_value || left(vals[conflict], 200);
      decided_contact := decided_contact || step.contact_id;
      continue;
    end if;
    -- A contact an earlier row wrote makes the row a duplicate within the file.
    if matched is not null and (recent ? ('contact:' || matched) or held ? ('contact:' || matched)) then
      decided_n := decided_n || (step.item).n;
      decided_outcome := decided_outcome || 'skip'::text;
      decided_reason := decided_reason || same_contact;
      decided_column := decided_column || null::text;
      decided_value := decided_value || left((step.item).k, 200);
      decided_contact := decided_contact || matched;
      continue;
    end if;
    -- Only a created or updated contact holds the row's identifiers for the rows after it; a write
    -- a dry run foresees refused (a reason on a create or update) fails instead and holds nothing.
    continue when step.outcome not in ('create', 'update') or step.reason is not null;
    writes := coalesce(matched, step.contact_id);
    -- An update writes the row's external id only where the policy lets it replace the contact's;
    -- the one it replaces is free for the rows after it, decided once this one is written.
    current_external_id := null;
    if step.outcome = 'update' and (step.item).external_id is not null then
      select c.external_id into current_external_id from public.contacts c where c.id = writes and c.user_id = job.user_id;
      if private.import_merged_value(import_settle_batch.policy, current_external_id, (step.item).external_id) = (step.item).external_id
         and current_external_id <> (step.item).external_id then
        cut := least(cut, (select min((p.item).n) from unnest(import_settle_batch.plan) p
                           where (p.item).n > (step.item).n and (p.item).external_id = current_external_id));
      end if;
    end if;
    select recent || jsonb_build_object('contact:' || writes, true) || coalesce(jsonb_object_agg(claims[x], writes), '{}'::jsonb)
    into recent
    from generate_subscripts(claims, 1) as x
    where kinds[x] <> 'external_id' or step.outcome = 'create'
      or private.import_merged_value(import_settle_batch.policy, current_external_id, vals[x]) = vals[x];
    kept_rows := kept_rows + 1;
    if kept_rows % 64 = 0 then
      held := held || recent;
      recent := '{}'::jsonb;
    end if;
  end loop;

  -- The rows before the cut, settled; a write a dry run foresees refused fails.
  return array(
    select case
      when d.n is not null
        then row(p.item, d.outcome, d.reason, d.column_name, d.value_excerpt, d.contact_id, p.claim_row)::private.contact_import_plan
      when p.outcome in ('create', 'update') and p.reason is not null
        then row(p.item, 'fail', p.reason, null, null, p.contact_id, p.claim_row)::private.contact_import_plan
      else p
    end
    from unnest(import_settle_batch.plan) p
    left join unnest(decided_n, decided_outcome, decided_reason, decided_column, decided_value, decided_contact)
      as d (n, outcome, reason, column_name, value_excerpt, contact_id) on d.n = (p.item).n
    where cut is null or (p.item).n < cut
    order by (p.item).n);
end;
$$;
comment on function private.import_settle_batch(public.contact_import_jobs, private.contact_import_plan[], text, text) is 'Settles the rows of one import batch that share a value or a matched contact, in file order, each against what the rows before it wrote: the outcome they would have one batch after another. Returns the rows before the first whose outcome needs the earlier rows written first (all of them, usually); a dry run''s foreseen refusals (a reason on a create or update) fail.';
revoke execute on function private.import_settle_batch(public.contact_import_jobs, private.contact_import_plan[], text, text) from public;
grant execute on function private.import_settle_batch(public.contact_import_jobs, private.contact_import_plan[], text, text) to authenticated, service_role;
