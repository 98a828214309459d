-- The data subject of the gdpr benchmark, among the big owner's contacts of generate.sql: one
-- contact with 20 channels (e-mail, phone, WhatsApp, handles), 50 static group memberships (in 50
-- groups of about 1,000 members each), a specific-contact grant and 10,000 interactions on its
-- channels over three years. Inserted with every trigger on, as the application would. Ids derive
-- from names (md5), so bench/lib/gdpr.mjs knows them.
insert into public.contacts (id, user_id, first_name, last_name, organization, job_title, metadata, tags, external_id)
values (md5('bench-gdpr-subject')::uuid, md5('bench-owner-0')::uuid, 'Gudrun', 'Subjectsdottir', 'Erasure Trading',
  'Head of Data', '{"vip": true, "notes": "prefers e-mail"}', '{customer,vip}', 'bench-gdpr-subject');

insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier, label, is_primary, consent_status)
select md5('bench-gdpr-channel-' || n)::uuid, md5('bench-owner-0')::uuid, md5('bench-gdpr-subject')::uuid, t.channel_type,
  case t.channel_type
    when 'email' then format('gudrun.subjectsdottir%s@erasure-%s.example', n, n)
    when 'phone' then '+35461' || lpad(n::text, 5, '0')
    when 'whatsapp' then '+35472' || lpad(n::text, 5, '0')
    else format('@gudrun_%s_%s', t.channel_type, n) end,
  t.channel_type || ' ' || n, n in (1, 3, 4, 6, 7, 8, 14), 'granted'
from generate_series(1, 20) n
cross join lateral (select (array['email', 'email', 'phone', 'whatsapp', 'email', 'telegram', 'slack', 'webchat', 'phone', 'email',
  'email', 'phone', 'whatsapp', 'other', 'email', 'phone', 'telegram', 'email', 'slack', 'webchat'])[n] as channel_type) t;

insert into public.contact_groups (id, user_id, name, description)
select md5('bench-gdpr-group-' || n)::uuid, md5('bench-owner-0')::uuid, 'Benchmark group ' || n, 'About 1,000 members'
from generate_series(1, 50) n;
insert into public.contact_group_memberships (group_id, contact_id, user_id)
select md5('bench-gdpr-group-' || g)::uuid, c.id, c.user_id
from generate_series(1, 50) g
cross join lateral (
  select c.id, c.user_id from public.contacts c
  where c.user_id = md5('bench-owner-0')::uuid and c.id <> md5('bench-gdpr-subject')::uuid
  order by md5(c.id::text || g) limit 1000) c
union all
select md5('bench-gdpr-group-' || g)::uuid, md5('bench-gdpr-subject')::uuid, md5('bench-owner-0')::uuid
from generate_series(1, 50) g;

insert into public.agent_specific_contact_access (user_id, permission_id, agent_id, contact_id)
values (md5('bench-owner-0')::uuid, md5('bench-grant-specific')::uuid, md5('bench-agent-specific')::uuid, md5('bench-gdpr-subject')::uuid);

insert into public.contact_interactions (id, user_id, contact_id, agent_id, channel_id, channel_type, interaction_type, direction,
  subject, content, delivery_status, occurred_at)
select md5('bench-gdpr-interaction-' || n)::uuid, ch.user_id, ch.contact_id, case when n % 3 = 0 then md5('bench-agent-0')::uuid end,
  ch.id, ch.channel_type, case when ch.channel_type = 'email' then 'email' else 'message' end,
  case when n % 2 = 0 then 'outbound' else 'inbound' end,
  'Gudrun, about your account (' || n || ')',
  'Dear Gudrun Subjectsdottir, thank you for your message number ' || n || '. Your request is being handled.',
  'queued', now() - make_interval(days => 1095) * (n::double precision / 10000)
from generate_series(1, 10000) n
join public.contact_communication_channels ch on ch.id = md5('bench-gdpr-channel-' || (1 + n % 20))::uuid;
