-- An import running while its subject was erased kept its upload if it failed later: an erasure
-- (20251020000072) gives up only the failed upload jobs whose traces hold the subject, and leaves a
-- running one alone, because a running import locks its job before the contacts it writes and the
-- erasure, which holds the contacts, must not wait for it. So a job that failed after the erasure
-- kept its CSV, the erased person's row in it, for a resume that may never come.
-- Now private.failed_imports_holding, by the same traces and the same namesake rule, also finds the
-- owner's running upload jobs and records each in private.import_jobs_given_up_when_they_fail,
-- without locking or updating the job. When such a job fails, whoever fails it (the worker, the
-- owner), contact_import_jobs_give_up_when_asked gives it up in the same transaction with a
-- cancel's update: cancelled, its end, error rows and summary kept, its upload queued for
-- contacts-retention, a dry run's claims gone. A job that completes or is cancelled just loses its
-- record (completing removes the upload already), and so does a deleted one. Likewise a failed job
-- the erasure skipped because a resume, undo or cancel held it: given up if it fails again.
-- The receipt is unchanged: import_uploads counts the uploads given up by the erasure itself; a
-- job given up later counts nowhere (the receipt says what its transaction removed).
-- A pending job has read nothing, so no trace tells what its file holds: it is not recorded.
-- A job that failed while the erasure ran (after it was read) is given up when the erasure commits,
-- by a deferred trigger on the record; one whose failure commits at that very moment may still be
-- missed (neither sees the other's write, and waiting for the job could deadlock): cancel it then.
set lock_timeout = '5s';
set statement_timeout = '5min';

create table private.import_jobs_given_up_when_they_fail (
  -- No foreign key to contact_import_jobs: checking it takes a key-share lock on the job row, and
  -- the erasure inserting here would wait for a running import that holds that row (which waits
  -- for the contacts the erasure holds). The triggers below remove the rows of jobs that end or go.
  job_id uuid not null,
  user_id uuid not null,
  requested_at timestamptz not null default now(),
  constraint import_jobs_given_up_when_they_fail_pkey primary key (job_id)
);
comment on table private.import_jobs_given_up_when_they_fail is 'Running (or resumed) upload imports an erasure found holding its subject: given up as cancelled if they fail, forgotten when they end otherwise.';
comment on index private.import_jobs_given_up_when_they_fail_pkey is 'One request per job: a later erasure asking again adds nothing; the triggers find a job''s request by it.';
-- Not exposed (schema private), like the other private tables, and granted to no role: only the
-- definer functions below and failed_imports_holding touch it.
revoke all on table private.import_jobs_given_up_when_they_fail from public, anon, authenticated, service_role;

create or replace function private.failed_imports_holding(owner_id uuid, contact_id uuid, mentions text[])
returns uuid[]
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  words text[];
  names text[];
  found_ids uuid[] := '{}'::uuid[];
  given_up uuid[];
begin
  if failed_imports_holding.owner_id is null or private.current_agent_id() is not null
     or not (private.is_service_caller() or failed_imports_holding.owner_id = (select auth.uid())) then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  if not exists (select 1 from public.contact_import_jobs j where j.user_id = failed_imports_holding.owner_id
                 and j.status in ('failed', 'processing') and j.source = 'upload') then
    return found_ids;  -- most owners: no failed or running upload to give up
  end if;
  words := private.subject_words(failed_imports_holding.owner_id, failed_imports_holding.contact_id, failed_imports_holding.mentions);
  -- Names are words of a text; identifiers and the external id count only as a whole value.
  names := array(select w.w from unnest(words) as w (w) where w.w = any (private.subject_words(failed_imports_holding.owner_id, null,
    (select array[c.display_name, concat_ws(' ', c.first_name, c.last_name)] from public.contacts c
     where c.id = failed_imports_holding.contact_id and c.user_id = failed_imports_holding.owner_id))));
  -- Only for jobs holding a word, pass 2 drops a namesake's words (a check reading every contact).
  for pass in 1 .. 2 loop
    if pass = 2 then
      exit when cardinality(found_ids) = 0;
      words := private.words_no_one_else_holds(failed_imports_holding.owner_id, failed_imports_holding.contact_id, words);
      names := array(select n.n from unnest(names) as n (n) where n.n = any (words));
    end if;
    -- Read, not locked: a running job's row may be held by its import.
    select coalesce(array_agg(j.id order by j.id), '{}') into found_ids
    from public.contact_import_jobs j
    where j.user_id = failed_imports_holding.owner_id and j.status in ('failed', 'processing')
      and j.source = 'upload' and j.storage_path is not null and (pass = 1 or j.id = any (found_ids))
      and (exists (select 1 from public.contact_import_changes ic
                   where ic.job_id = j.id and ic.user_id = j.user_id and ic.contact_id = failed_imports_holding.contact_id)
        or exists (select 1 from public.contact_import_job_errors e
                   where e.job_id = j.id and e.user_id = j.user_id
                     and (private.mentions_whole(e.value_excerpt, names) or private.is_identifier_value(e.value_excerpt, words)))
        or private.header_holds_identifier(j.header, words)
        or jsonb_typeof(j.header) = 'array'
           and private.mentions_whole((select string_agg(c.v, ' ') from jsonb_array_elements_text(j.header) as c (v)), names)
        or exists (select 1 from jsonb_each(coalesce(j.dry_run_report, '{}'::jsonb)) as part (key, value)
                   cross join lateral jsonb_array_elements(case when jsonb_typeof(part.value) = 'array' then part.value else '[]'::jsonb end) as e (entry)
                   where private.dry_run_entry_mentions(e.entry, failed_imports_holding.contact_id, names)
                     or private.dry_run_entry_holds_identifier(e.entry, words))
        or exists (select 1 from private.contact_import_dry_run_claims d
                   where d.job_id = j.id and d.user_id = j.user_id
                     and (d.contact_id = failed_imports_holding.contact_id
                          or d.kind = 'contact' and d.value = failed_imports_holding.contact_id::text
                          or d.kind <> 'contact' and private.is_identifier_value(d.value, words))));
  end loop;
  -- The failed ones (also those that failed since they were read) are locked for the caller to give
  -- up; one locked by an undo, resume or cancel is skipped: those lock it before its contacts.
  select coalesce(array_agg(l.id order by l.id), '{}') into given_up
  from (select j.id from public.contact_import_jobs j
        where j.id = any (found_ids) and j.user_id = failed_imports_holding.owner_id and j.status = 'failed'
        order by j.id
        for update of j skip locked) as l;
  -- The rest (running, or held as above) are given up if they fail: recorded, their rows untouched.
  insert into private.import_jobs_given_up_when_they_fail (job_id, user_id)
  select f.id, failed_imports_holding.owner_id from unnest(found_ids) as f (id)
  where f.id <> all (given_up)
  on conflict (job_id) do nothing;
  return given_up;
end;
$$;
comment on function private.failed_imports_holding(uuid, uuid, text[]) is 'Erasure: locks and lists the owner''s failed upload imports whose change log names the contact, or whose error rows, header, dry-run report or claims hold its names as words or its identifiers, external id or the mentions given as a whole value (less a namesake''s; jobs locked by an undo, resume or cancel skipped), for gdpr_delete_subject to give up; running ones so found (and the skipped) are recorded, unlocked, to be given up if they fail. Security definer: reads the claims; owner or service only.';

create function private.give_up_import_when_asked()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from private.import_jobs_given_up_when_they_fail g where g.job_id = new.id;
  if found and new.status = 'failed' then
    -- As a cancel gives a failed job up: the transition keeps its end, the triggers queue the
    -- upload and drop a dry run's claims; the summary and error rows of the failure stay.
    update public.contact_import_jobs j set status = 'cancelled'
    where j.id = new.id and j.user_id = new.user_id and j.status = 'failed';
  end if;
  return null;
end;
$$;
comment on function private.give_up_import_when_asked() is 'Trigger: an import an erasure asked to give up is cancelled when it fails (its upload queued for removal); ended otherwise, the request goes. Security definer: whoever ends the job, the requests are the erasure''s.';
revoke execute on function private.give_up_import_when_asked() from public;
grant execute on function private.give_up_import_when_asked() to authenticated, service_role;

create trigger contact_import_jobs_give_up_when_asked
  after update of status on public.contact_import_jobs
  for each row
  when (new.status in ('failed', 'completed', 'cancelled') and old.status is distinct from new.status)
  execute function private.give_up_import_when_asked();
comment on trigger contact_import_jobs_give_up_when_asked on public.contact_import_jobs is 'A job an erasure asked to give up is cancelled as it fails; any end removes the request.';

create function private.forget_give_ups_of_deleted_imports()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- With them, the records of these owners whose job is gone: one an erasure made while the job
  -- was being deleted, which the deleting statement's trigger could not see yet.
  delete from private.import_jobs_given_up_when_they_fail g
  where g.job_id in (select d.id from deleted_jobs d)
     or g.user_id in (select d.user_id from deleted_jobs d)
        and not exists (select 1 from public.contact_import_jobs j where j.id = g.job_id);
  return null;
end;
$$;
comment on function private.forget_give_ups_of_deleted_imports() is 'Trigger: removes the give-up requests of deleted import jobs, and those of their owners whose job is gone. Security definer: owners delete their jobs, and the requests are the erasure''s.';
revoke execute on function private.forget_give_ups_of_deleted_imports() from public;
grant execute on function private.forget_give_ups_of_deleted_imports() to authenticated, service_role;

-- Per statement: deleting an owner deletes all their jobs in one cascade.
create trigger contact_import_jobs_forget_deleted_give_ups
  after delete on public.contact_import_jobs
  referencing old table as deleted_jobs
  for each statement
  execute function private.forget_give_ups_of_deleted_imports();
comment on trigger contact_import_jobs_forget_deleted_give_ups on public.contact_import_jobs is 'Removes the give-up requests of deleted jobs.';

create function private.give_up_import_that_failed_meanwhile()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- At the erasure's commit: a job that failed after the erasure read it did not see this record
  -- yet, and stayed failed. One an undo, resume or cancel holds is skipped, as the erasure skips it.
  update public.contact_import_jobs j set status = 'cancelled'
  from (select k.id from public.contact_import_jobs k
        where k.id = new.job_id and k.user_id = new.user_id and k.status = 'failed'
        for update skip locked) as l
  where j.id = l.id;
  return null;
end;
$$;
comment on function private.give_up_import_that_failed_meanwhile() is 'Deferred trigger: when the erasure that recorded a running import commits, the import, if it failed meanwhile, is given up as a cancel gives it up. Security definer: the records are the erasure''s, the job may be the service''s to update.';
revoke execute on function private.give_up_import_that_failed_meanwhile() from public;
grant execute on function private.give_up_import_that_failed_meanwhile() to authenticated, service_role;

create constraint trigger import_jobs_given_up_when_they_fail_meanwhile
  after insert on private.import_jobs_given_up_when_they_fail
  deferrable initially deferred
  for each row
  execute function private.give_up_import_that_failed_meanwhile();
comment on trigger import_jobs_given_up_when_they_fail_meanwhile on private.import_jobs_given_up_when_they_fail is 'At the commit of the erasure that made the record: the job, if it failed meanwhile, is given up.';
