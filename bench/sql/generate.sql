-- Generates the benchmark data set, set-based, as the superuser with explicit owners (RLS does not
-- apply to the superuser; every trigger and constraint of the migrations does). psql variables:
--   contacts         total contacts across all owners
--   owners           owners besides the big one, sharing the rest
--   big_share        fraction of all contacts held by owner 0, the one the benchmark searches as
--   specific_grants  contacts of owner 0 granted one by one to a second agent
-- Every draw is bench.rand(i, salt): the same arguments give the same data, byte for byte.

-- Owners: owner 0 is the big one. Ids are derived from the owner number, so reruns keep them.
create function bench.owner_id(owner_no integer)
returns uuid
language sql
immutable
parallel safe
as $$
  select md5('bench-owner-' || owner_no)::uuid
$$;

insert into auth.users (id, aud, role, email, created_at, updated_at)
select bench.owner_id(n), 'authenticated', 'authenticated', format('owner-%s@bench.example', n), now(), now()
from generate_series(0, :owners) n;

-- One assistant per owner; owner 0 also gets the agent limited to specific contacts.
insert into public.agents (id, user_id, name, description)
select md5('bench-agent-' || n)::uuid, bench.owner_id(n), 'bench-agent', 'Benchmark agent with access to all contacts'
from generate_series(0, :owners) n
union all
select md5('bench-agent-specific')::uuid, bench.owner_id(0), 'bench-agent-specific',
  'Benchmark agent with access to specific contacts only';

-- The list sizes as psql variables: constants let the planner inline bench.zipf (a subquery
-- argument used twice in its body would stop it, and cost a function call per draw).
select (select count(*) from bench.first_names) as first_names, (select count(*) from bench.last_names) as last_names,
  (select count(*) from bench.organizations) as organizations \gset

-- One row per contact with every draw it needs; contacts and channels are both built from it.
-- Owner 0 takes contact i exactly when floor(i * share) steps, which spreads its rows evenly over
-- the table (as if all owners had added contacts over the same years) and gives it exactly
-- floor(contacts * share) of them.
create unlogged table bench.people as
select d.i, d.owner_no,
  f.name as first_name, l.name as last_name,
  o.name as organization, coalesce(o.domain, bench.pick(bench.rand(d.i, 6),
    array['gmail.com', 'gmail.com', 'gmail.com', 'outlook.com', 'yahoo.com', 'hotmail.com', 'icloud.com', 'web.de',
      'gmx.de', 'orange.fr', 'free.fr', 'uol.com.br', 'yahoo.co.in'])) as domain,
  case when bench.rand(d.i, 7) < 0.6 then bench.pick(bench.rand(d.i, 8),
    array['CEO', 'CTO', 'Account Manager', 'Sales Director', 'Software Engineer', 'Product Manager', 'Designer',
      'Consultant', 'Office Manager', 'Head of Marketing', 'Buyer', 'Support Lead', 'Recruiter', 'Accountant',
      'Founder', 'Operations Manager', 'Lawyer', 'Nurse', 'Teacher', 'Architect'])
  end as job_title,
  case when bench.rand(d.i, 9) < 0.02 then 'archived' else 'active' end as status,
  bench.rand(d.i, 10) as u_email_format,
  bench.rand(d.i, 11) < 0.95 as has_email,
  bench.rand(d.i, 12) < 0.10 as has_personal_email,
  bench.rand(d.i, 13) < 0.70 as has_phone,
  bench.rand(d.i, 14) < 0.15 as has_whatsapp
from (
  select i,
    case when floor(i * :big_share) <> floor((i - 1) * :big_share) then 0
      else 1 + floor(bench.rand(i, 1) * :owners)::integer end as owner_no,
    bench.zipf(bench.rand(i, 2), :first_names, 5) as first_rank,
    bench.zipf(bench.rand(i, 3), :last_names, 8) as last_rank,
    case when bench.rand(i, 4) < 0.8 then bench.zipf(bench.rand(i, 5), :organizations, 2) end as org_rank
  from generate_series(1, :contacts) i
) d
join bench.first_names f on f.rank = d.first_rank
join bench.last_names l on l.rank = d.last_rank
left join bench.organizations o on o.rank = d.org_rank;

select bench.defer_indexes(array['public.contacts', 'public.contact_communication_channels']::regclass[]);

-- The shared duplicate-key triggers (20251002000003, 20251011000000) probe each written row's key
-- in the match-key indexes, which the load defers: without them every probe reads the owner's rows,
-- over 20 minutes for 100,000 contacts. The load notes the shared keys once at the end instead,
-- grouping as the triggers do: the same rows the triggers would have written.
alter table public.contacts disable trigger contacts_track_shared_keys_insert;
alter table public.contact_communication_channels disable trigger contact_communication_channels_track_shared_keys_insert;

insert into public.contacts (id, user_id, first_name, last_name, display_name, organization, job_title, status, source, tags)
select md5('bench-contact-' || p.i)::uuid, bench.owner_id(p.owner_no), p.first_name, p.last_name,
  p.first_name || ' ' || p.last_name, p.organization, p.job_title, p.status, 'import',
  case when bench.rand(p.i, 15) < 0.3 then array[bench.pick(bench.rand(p.i, 16), array['customer', 'lead', 'partner', 'vip', 'supplier'])]
    else '{}' end
from bench.people p
order by p.i;

-- E-mail addresses: the work address (organization domain, or a free mailer) in one of the common
-- local-part patterns, plus a personal one for some. Two contacts of one owner may draw the same
-- address (two John Smiths at Acme); the second gets a number, as mail providers do.
create unlogged table bench.emails as
select i, owner_no, is_primary, local_part, domain,
  row_number() over (partition by owner_no, local_part, domain order by i, is_primary desc) as nth
from (
  select p.i, p.owner_no, true as is_primary, p.domain,
    lower(case
      when p.u_email_format < 0.45 then p.first_name || '.' || p.last_name
      when p.u_email_format < 0.65 then left(p.first_name, 1) || '.' || p.last_name
      when p.u_email_format < 0.80 then p.first_name || p.last_name
      when p.u_email_format < 0.90 then p.first_name || '_' || p.last_name
      else p.first_name || left(p.last_name, 1)
    end) as local_part
  from bench.people p where p.has_email
  union all
  select p.i, p.owner_no, false, bench.pick(bench.rand(p.i, 17), array['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com']),
    lower(p.first_name || '.' || p.last_name)
  from bench.people p where p.has_personal_email
) addresses;

insert into public.contact_communication_channels
  (id, user_id, contact_id, channel_type, identifier, normalized_identifier, label, is_primary, is_verified, consent_status)
select md5(format('bench-channel-%s-email-%s', e.i, e.is_primary))::uuid, bench.owner_id(e.owner_no),
  md5('bench-contact-' || e.i)::uuid, 'email',
  e.local_part || case when e.nth > 1 then e.nth::text else '' end || '@' || e.domain,
  '', -- set by the channel trigger
  case when e.is_primary then 'work' else 'personal' end,
  e.is_primary, bench.rand(e.i, 18) < 0.4,
  case when bench.rand(e.i, 19) < 0.5 then 'granted' else 'unknown' end
from bench.emails e
order by e.i, e.is_primary desc;

-- Phones in E.164, and the same number on WhatsApp for some.
insert into public.contact_communication_channels
  (id, user_id, contact_id, channel_type, identifier, normalized_identifier, label, is_primary, consent_status)
select md5(format('bench-channel-%s-%s', p.i, kind.channel_type))::uuid, bench.owner_id(p.owner_no),
  md5('bench-contact-' || p.i)::uuid, kind.channel_type, bench.phone_e164(p.i), '',
  kind.label, true, 'unknown'
from bench.people p
cross join lateral (values ('phone', 'mobile'), ('whatsapp', null)) as kind (channel_type, label)
where p.has_phone and (kind.channel_type = 'phone' or p.has_whatsapp)
order by p.i, kind.channel_type;

alter table public.contacts enable trigger contacts_track_shared_keys_insert;
alter table public.contact_communication_channels enable trigger contact_communication_channels_track_shared_keys_insert;
insert into private.duplicate_keys (user_id, kind, match_key)
select ch.user_id, 'identifier', private.channel_match_key(ch.channel_type, ch.normalized_identifier)
from public.contact_communication_channels ch
where private.channel_match_key(ch.channel_type, ch.normalized_identifier) is not null
group by 1, 3
having min(uuid_hash(ch.contact_id)) <> max(uuid_hash(ch.contact_id))
union all
select c.user_id, 'name', c.name_block::text
from public.contacts c
where c.name_block is not null
group by 1, 3
having count(*) > 1
union all
select c.user_id, 'external_id', lower(btrim(c.external_id))
from public.contacts c
where c.external_id is not null
group by 1, 3
having count(*) > 1;

-- Grants: each owner's agent reads all contacts; owner 0's second agent reads specific_grants of
-- them, spread evenly over its contacts.
insert into public.agent_contact_permissions (id, user_id, agent_id, permission_type, permission_level)
select md5('bench-grant-' || n)::uuid, bench.owner_id(n), md5('bench-agent-' || n)::uuid, 'all_contacts', 'read'
from generate_series(0, :owners) n
union all
select md5('bench-grant-specific')::uuid, bench.owner_id(0), md5('bench-agent-specific')::uuid, 'specific_contacts', 'read';

insert into public.agent_specific_contact_access (id, user_id, permission_id, agent_id, contact_id)
select md5('bench-access-' || i)::uuid, bench.owner_id(0), md5('bench-grant-specific')::uuid, md5('bench-agent-specific')::uuid,
  md5('bench-contact-' || i)::uuid
from (
  select p.i, row_number() over (order by p.i) as nth, count(*) over () as total
  from bench.people p where p.owner_no = 0
) big
where (nth - 1) % greatest(1, total / :specific_grants) = 0
order by i
limit :specific_grants;

select bench.restore_indexes();

drop table bench.emails;
drop table bench.people;
