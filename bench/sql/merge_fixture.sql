-- The merge benchmark's additions to the search benchmark's data set (bench/sql/generate.sql), all
-- for the big owner (bench-owner-0), set-based, as the superuser. psql variables:
--   duplicates         planted duplicates of existing contacts (the people find_duplicate_contacts
--                      should find), one kind in four each:
--                        0  the name in capitals, same organization, the original's phone number as sms
--                        1  the name with its last two letters swapped, same organization
--                        2  the original's e-mail with a '+bench' tag (same mailbox)
--                        3  an external id on both, differing in case and spaces
--   pair_interactions  interactions of each contact of the merge pair
-- The merge pair: survivor bench-merge-survivor and duplicate bench-merge-duplicate, each with
-- channels, a group, consent history and pair_interactions interactions; the duplicate is listed
-- on the specific-contacts grant. Ids derive from names (md5), so reruns give the same rows.

-- Originals: every contact of the big owner with a first name, ordered by a hash of its id.
create table bench.merge_planted as
select row_number() over (order by md5(c.id::text || 'merge')) - 1 as n, c.id as original_id, c.user_id,
  c.first_name, c.last_name, c.organization, c.display_name
from public.contacts c
where c.user_id = md5('bench-owner-0')::uuid and c.first_name is not null and c.status = 'active'
order by md5(c.id::text || 'merge')
limit :duplicates;

insert into public.contacts (id, user_id, first_name, last_name, display_name, organization, source, external_id)
select md5('bench-merge-dup-' || p.n)::uuid, p.user_id,
  case p.n % 4 when 0 then upper(p.first_name) else p.first_name end,
  case p.n % 4 when 0 then upper(p.last_name)
               when 1 then left(p.last_name, -2) || right(p.last_name, 1) || left(right(p.last_name, 2), 1)
               else p.last_name end,
  case p.n % 4 when 0 then upper(p.display_name)
               when 1 then p.first_name || ' ' || left(p.last_name, -2) || right(p.last_name, 1) || left(right(p.last_name, 2), 1)
               else p.display_name end,
  case when p.n % 4 in (0, 1) then p.organization end,
  'import',
  case when p.n % 4 = 3 then ' bench-ext-' || p.n end
from bench.merge_planted p
order by p.n;

update public.contacts c set external_id = 'BENCH-EXT-' || p.n
from bench.merge_planted p
where c.id = p.original_id and p.n % 4 = 3;

insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier, is_primary)
select md5('bench-merge-dup-channel-' || p.n)::uuid, p.user_id, md5('bench-merge-dup-' || p.n)::uuid,
  case p.n % 4 when 0 then 'sms' else 'email' end,
  case p.n % 4 when 0 then ch.normalized_identifier
    else split_part(ch.normalized_identifier, '@', 1) || '+bench@' || split_part(ch.normalized_identifier, '@', 2) end,
  true
from bench.merge_planted p
join public.contact_communication_channels ch on ch.contact_id = p.original_id and ch.is_primary
  and ch.channel_type = case p.n % 4 when 0 then 'phone' else 'email' end
where p.n % 4 in (0, 2)
order by p.n;

-- The merge pair.
insert into public.contacts (id, user_id, first_name, last_name, display_name, organization, job_title, tags, created_at)
values
  (md5('bench-merge-survivor')::uuid, md5('bench-owner-0')::uuid, 'Mira', 'Mergewell', 'Mira Mergewell', 'Merge Bench Ltd',
   null, '{customer}', now() - interval '2 years'),
  (md5('bench-merge-duplicate')::uuid, md5('bench-owner-0')::uuid, 'Mira', 'Merge-Well', 'Mira Merge-Well', 'Merge Bench Ltd',
   'Buyer', '{lead}', now() - interval '1 year');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier, is_primary, consent_status) values
  (md5('bench-merge-survivor-email')::uuid, md5('bench-owner-0')::uuid, md5('bench-merge-survivor')::uuid, 'email',
   'mira@merge-bench.example', true, 'granted'),
  (md5('bench-merge-survivor-phone')::uuid, md5('bench-owner-0')::uuid, md5('bench-merge-survivor')::uuid, 'phone',
   '+15550009001', true, 'unknown'),
  (md5('bench-merge-duplicate-email')::uuid, md5('bench-owner-0')::uuid, md5('bench-merge-duplicate')::uuid, 'email',
   'mira.mergewell@merge-bench.example', true, 'granted'),
  (md5('bench-merge-duplicate-whatsapp')::uuid, md5('bench-owner-0')::uuid, md5('bench-merge-duplicate')::uuid, 'whatsapp',
   '+15550009001', true, 'granted');
insert into public.contact_groups (id, user_id, name) values
  (md5('bench-merge-group-a')::uuid, md5('bench-owner-0')::uuid, 'Merge bench A'),
  (md5('bench-merge-group-b')::uuid, md5('bench-owner-0')::uuid, 'Merge bench B');
insert into public.contact_group_memberships (group_id, contact_id, user_id) values
  (md5('bench-merge-group-a')::uuid, md5('bench-merge-survivor')::uuid, md5('bench-owner-0')::uuid),
  (md5('bench-merge-group-b')::uuid, md5('bench-merge-duplicate')::uuid, md5('bench-owner-0')::uuid);
insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id) values
  (md5('bench-owner-0')::uuid, md5('bench-grant-specific')::uuid, md5('bench-agent-specific')::uuid, md5('bench-merge-duplicate')::uuid);

insert into public.contact_interactions (user_id, contact_id, channel_id, channel_type, interaction_type, direction, subject,
  content, delivery_status, occurred_at)
select md5('bench-owner-0')::uuid, md5('bench-merge-' || side.name)::uuid,
  case when g % 2 = 0 then md5('bench-merge-' || side.name || '-email')::uuid end,
  case when g % 2 = 0 then 'email' else 'other' end, 'email',
  case when g % 3 = 0 then 'inbound' else 'outbound' end,
  'Re: order ' || g, 'Thanks for your message about order ' || g || '. We will get back to you shortly.',
  'delivered', now() - make_interval(days => 700) * bench.rand(g, 202)
from unnest(array['survivor', 'duplicate']) as side (name)
cross join generate_series(1, :pair_interactions) as g;
