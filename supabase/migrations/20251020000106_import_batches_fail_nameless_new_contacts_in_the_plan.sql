-- Under dedupe_key external_id a row whose only identifier is its external id updates the contact
-- holding that id; one that reaches no contact has nothing to name a new contact by, and a dry run
-- fails it in its plan with missing_name (20251020000098). A real run left it to the database,
-- which refuses the insert: import-contacts then split the batch in halves down to that row, a
-- transaction for each halving, and a file of ids that mostly match no contact was written nearly
-- a row per transaction. A real run now fails such a row in the plan too, with the dry run's reason
-- (private.import_refusal); the rows around it are written in the same batch (pgTAP 214).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.import_contacts_batch(job_id uuid, batch json, failures json, next_offset bigint, next_line bigint)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
set enable_seqscan = off
set plan_cache_mode = force_custom_plan
set jit = off
as $$
declare
  job public.contact_import_jobs;
  dedupe text;
  policy text;
  target_group uuid;
  any_suppression boolean;
  plan private.contact_import_plan[];
  -- The rows not decided yet; the rows decided and written, pass after pass.
  pending json := import_contacts_batch.batch;
  settled private.contact_import_plan[];
  steps private.contact_import_plan[] := '{}'::private.contact_import_plan[];
  counts jsonb;
  same_contact constant text := 'duplicate_in_file: an earlier row of this file matched the same contact';
begin
  select j.* into job from public.contact_import_jobs j where j.id = import_contacts_batch.job_id for update;
  if not found or not (private.is_service_caller() or (job.user_id = (select auth.uid()) and private.current_agent_id() is null)) then
    raise exception 'import job not found' using errcode = 'P0002';
  end if;
  if job.status <> 'processing' then
    raise exception 'the import job is %, not processing', job.status using errcode = '55000';
  end if;
  if import_contacts_batch.next_offset <= job.resume_offset then
    raise exception 'this batch ends at byte %, not past the import''s saved position (byte %): it was imported already',
      import_contacts_batch.next_offset, job.resume_offset using errcode = '55000';
  end if;
  if exists (select 1 from json_to_recordset(import_contacts_batch.failures) as f (outcome text)
             where f.outcome is null or f.outcome not in ('skip', 'fail')) then
    raise exception 'a row the caller rejected is either skipped or failed (outcome skip or fail)' using errcode = '22023';
  end if;
  dedupe := coalesce(job.options ->> 'dedupe_key', 'email');
  policy := coalesce(job.options ->> 'on_duplicate', 'skip');
  target_group := (job.options ->> 'group_id')::uuid;
  -- One batch of an owner's imports at a time: two imports of overlapping files must not both
  -- decide that the same person is new.
  perform pg_advisory_xact_lock(hashtextextended('contact_import_owner:' || job.user_id::text, 0));
  any_suppression := exists (select 1 from public.contact_suppressions s where s.user_id = job.user_id and s.lifted_at is null);

  -- Each pass decides the pending rows alone, settles those that share a value or a contact, and
  -- writes them; a row whose outcome needs the rows before it written (rare: see
  -- private.import_settle_batch) starts the next pass.
  loop
    -- Every lookup below is a probe by key, driven row by row from the batch (lateral subqueries),
    -- so the cost stays linear in the batch whatever the planner believes about a table that an
    -- import is growing faster than statistics follow.
    with r as (
      select x.*, x as item from json_populate_recordset(null::private.contact_import_row, pending) as x
    )
    select array_agg(row(r.item, d.outcome, d.reason, d.column_name, left(d.value_excerpt, 200),
        case when d.outcome = 'create' then gen_random_uuid() else m.contact_id end, p.claim_row)::private.contact_import_plan
      order by r.n)
    into plan
    from r
    -- Who holds each identifier of the row now: a contact of the owner, or (dry runs) an earlier row.
    -- The key identifies the contact; a row without one is matched by all of its identifiers.
    cross join lateral (
      select
        (array_agg(h.contact_id order by i.kind, i.col, h.claim_row nulls last) filter (where i.is_key))[1] as contact_id,
        (array_agg(h.claim_row order by i.kind, i.col, h.claim_row nulls last) filter (where i.is_key))[1] as claim_row,
        bool_or(i.is_key) as matched,
        array_agg(i.kind order by i.col) as kinds,
        array_agg(i.value order by i.col) as vals,
        array_agg(i.col order by i.col) as cols,
        array_agg(coalesce(h.contact_id::text, 'row:' || h.claim_row) order by i.col) as holders
      from (
        -- held_as: the channel types whose holder the identifier reaches. Under the phone key every
        -- number is one however it is stored: as a phone, SMS or WhatsApp channel.
        select c.t as kind, c.nv as value, c.col, k.is_key,
          case when dedupe = 'phone' and c.t in ('phone', 'sms', 'whatsapp') then array['phone', 'sms', 'whatsapp'] else array[c.t] end as held_as
        from jsonb_to_recordset(r.channels) as c (t text, nv text, col text)
        cross join lateral (
          select r.k is null or (c.nv = r.k and (c.t = dedupe or (dedupe = 'phone' and c.t in ('phone', 'sms', 'whatsapp'))))
        ) as k (is_key)
        union all
        select 'external_id', r.external_id, r.xcol, r.k is null or dedupe = 'external_id', array['external_id']
        where r.external_id is not null
      ) as i
      cross join lateral (
        select ch.contact_id, null::bigint as claim_row
        from public.contact_communication_channels ch
        where i.kind <> 'external_id' and ch.user_id = job.user_id and ch.channel_type = any(i.held_as) and ch.normalized_identifier = i.value
        union all
        select c.id, null from public.contacts c
        where i.kind = 'external_id' and c.user_id = job.user_id and c.external_id = i.value
          -- In a dry run, an earlier row's update that would replace this external id frees it.
          and not (job.dry_run and exists (
            select 1 from private.contact_import_dry_run_claims d
            where d.job_id = job.id and d.user_id = job.user_id and d.kind = 'released_external_id' and d.value = i.value))
        union all
        select d.contact_id, d.row_number from private.contact_import_dry_run_claims d
        where job.dry_run and d.job_id = job.id and d.user_id = job.user_id and d.kind = any(i.held_as) and d.value = i.value
      ) as h
    ) as p
    -- A row with no identifier at all: the contact an earlier import of this same file made from
    -- this row, if it still exists (its change log entry goes with it) and was not anonymized (an
    -- anonymized contact is no one's, and a re-import must not name it again).
    left join lateral (
      select ic.contact_id
      from public.contact_import_jobs pj
      join public.contact_import_changes ic on ic.job_id = pj.id and ic.row_number = (r.item).n and ic.user_id = job.user_id
      join public.contacts c on c.id = ic.contact_id and c.user_id = job.user_id and c.status <> 'anonymized'
      where private.import_row_has_no_identifier(r.item)
        and pj.user_id = job.user_id and pj.file_sha256 = job.file_sha256 and pj.id <> job.id
      order by ic.id desc
      limit 1
    ) as earlier on true
    cross join lateral (
      select coalesce(p.contact_id, earlier.contact_id) as contact_id,
        coalesce(p.matched, false) or earlier.contact_id is not null as matched
    ) as m
    -- The first identifier (by column) held by someone other than the contact the key matched.
    left join lateral (
      select p.kinds[g.i] as kind, p.vals[g.i] as value, p.cols[g.i] as col
      from generate_subscripts(p.holders, 1) as g (i)
      where p.holders[g.i] is distinct from coalesce(p.contact_id::text, 'row:' || p.claim_row)
      order by p.cols[g.i]
      limit 1
    ) as x_found on true
    left join lateral (
      select c.nv as value, c.col
      from jsonb_to_recordset(r.channels) as c (t text, nv text, col text)
      where any_suppression and private.is_suppressed(job.user_id, c.t, c.nv)
      order by c.col
      limit 1
    ) as s on true
    -- Phones and e-mails arrive as the database stores them (E.164; ASCII, which lower-cases alike
    -- everywhere); other handles are checked.
    left join lateral (
      select c.t as kind, c.v as value, c.col
      from jsonb_to_recordset(r.channels) as c (t text, v text, nv text, col text)
      where c.t not in ('email', 'phone', 'sms', 'whatsapp')
        and c.nv is distinct from private.normalize_channel_identifier(c.t, c.v)
      order by c.col
      limit 1
    ) as unstable on true
    cross join lateral (
      select o.outcome, o.reason, o.column_name, o.value_excerpt from (values
        (0, unstable.kind is not null, 'fail',
         'invalid_identifier: this ' || unstable.kind || ' handle has letters that lower-case differently in the database; give it in lower case',
         unstable.col, unstable.value),
        (1, s.value is not null, 'skip', 'suppressed: this identifier was erased at the data subject''s request', s.col, s.value),
        -- Another contact's identifier fails the row even where its key reaches a contact an earlier
        -- row wrote: as the rows of one batch always were.
        (2, x_found.kind is not null, 'fail',
         'identifier_conflict: this ' || replace(x_found.kind, '_', ' ') || ' belongs to another contact', x_found.col, x_found.value),
        (3, m.contact_id is not null and exists (
           select 1 from public.contact_import_changes ic
           where ic.user_id = job.user_id and ic.job_id = job.id and ic.contact_id = m.contact_id),
         'skip', same_contact, null, r.k),
        (3, p.claim_row is not null, 'skip', same_contact, null, r.k),
        (3, job.dry_run and m.contact_id is not null and exists (
           select 1 from private.contact_import_dry_run_claims d
           where d.job_id = job.id and d.user_id = job.user_id and d.kind = 'contact' and d.value = m.contact_id::text),
         'skip', same_contact, null, r.k),
        (4, m.matched and policy = 'skip', 'skip',
         case when earlier.contact_id is not null then 'duplicate: an earlier import of this file made a contact of this row'
              when r.k is null then 'duplicate: a contact with this row''s identifiers already exists'
              else 'duplicate: a contact with this ' || replace(dedupe, '_', ' ') || ' already exists' end, null, r.k),
        (5, m.matched, 'update', null, null, null),
        (6, true, 'create', null, null, null)
      ) as o (rank, applies, outcome, reason, column_name, value_excerpt)
      where o.applies
      order by o.rank
      limit 1
    ) as d;

    if pending::text <> '[]' and plan is null then
      raise exception 'the batch has no rows' using errcode = '22023';
    end if;
    exit when plan is null;

    -- No check refuses a row that is not written, so a dry run foresees the rows a real run fails:
    -- each write it would refuse carries the reason, and fails if the settling keeps it a write. A
    -- real run foresees the rows with nothing to name a new contact by the same way; the others the
    -- database refuses fail in a batch of their own, and the rows after them go on without them.
    if job.dry_run then
      plan := array(
        select case when p.outcome in ('create', 'update')
          then row(p.item, p.outcome, private.import_refusal(job, p, policy), null, null, p.contact_id, p.claim_row)::private.contact_import_plan
          else p end
        from unnest(plan) p
        order by (p.item).n);
    else
      -- A new contact with nothing to name it by fails here, as in a dry run, not by the database's
      -- refusal, which costs the batch a transaction for every halving down to the row.
      plan := array(
        select case when p.outcome = 'create' and coalesce((p.item).display_name, (p.item).first_name, (p.item).last_name,
            (p.item).organization, (p.item).channels -> 0 ->> 'v') is null
          then row(p.item, p.outcome, private.import_refusal(job, p, policy), null, null, p.contact_id, p.claim_row)::private.contact_import_plan
          else p end
        from unnest(plan) p
        order by (p.item).n);
    end if;

    settled := private.import_settle_batch(job, plan, dedupe, policy);
    if job.dry_run then
      perform private.import_dry_run_batch(job, settled, policy,
        case when cardinality(steps) = 0 then import_contacts_batch.failures else '[]'::json end);
    else
      perform private.import_apply_batch(job, settled, policy, target_group);
    end if;
    steps := steps || settled;
    -- The next pass's dry-run report goes on from this one's.
    select j.* into job from public.contact_import_jobs j where j.id = job.id;
    exit when cardinality(settled) = cardinality(plan);
    pending := (
      select json_agg(x.value order by x.position)
      from json_array_elements(pending) with ordinality as x (value, position)
      where (x.value ->> 'n')::bigint > ((settled[cardinality(settled)]).item).n);
  end loop;

  insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason)
  select job.user_id, job.id, (p.item).n, p.column_name, p.value_excerpt, p.reason
  from unnest(steps) p where p.outcome in ('skip', 'fail')
  union all
  select job.user_id, job.id, f.row_number, f.column_name, left(f.value_excerpt, 200), f.reason
  from json_to_recordset(import_contacts_batch.failures)
    as f (row_number bigint, column_name text, value_excerpt text, reason text, outcome text);

  select jsonb_build_object(
    'created', count(*) filter (where o = 'create'), 'updated', count(*) filter (where o = 'update'),
    'skipped', count(*) filter (where o = 'skip'), 'failed', count(*) filter (where o = 'fail'))
  into counts
  from (
    select p.outcome from unnest(steps) p
    union all
    select f.outcome from json_to_recordset(import_contacts_batch.failures) as f (outcome text)
  ) as outcomes (o);

  update public.contact_import_jobs j
  set processed_rows = j.processed_rows + (counts ->> 'created')::bigint + (counts ->> 'updated')::bigint
        + (counts ->> 'skipped')::bigint + (counts ->> 'failed')::bigint,
      created_count = j.created_count + (counts ->> 'created')::bigint,
      updated_count = j.updated_count + (counts ->> 'updated')::bigint,
      skipped_count = j.skipped_count + (counts ->> 'skipped')::bigint,
      failed_count = j.failed_count + (counts ->> 'failed')::bigint,
      resume_offset = import_contacts_batch.next_offset,
      resume_line = import_contacts_batch.next_line
  where j.id = job.id;
  return counts;
end;
$$;
