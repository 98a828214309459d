// The query mix: what agents type, each kind drawn from the data the searching agent may see, and
// a check of whether a result list answers the query (so speed is never bought with misses).
// `draw` gets a SQL fragment `visible` (the contacts the agent may read) and returns queries in a
// fixed order: candidates are ordered by a hash of their ids, which the generator fixes.

const sample = (salt) => `order by md5(v.id::text || '${salt}')`;
const words = (text) => text.toLowerCase().split(/\s+/);
const includesContact = (rows, id) => rows.some((row) => row.contact_id === id);

/** The first `count` distinct values of `key`, in the order given. */
function distinctBy(rows, key, count) {
  const seen = new Set();
  return rows.filter((row) => !seen.has(row[key]) && seen.add(row[key])).slice(0, count);
}

/** A typing slip: the last two letters of a word swapped ("john smith" -> "jonh smiht"). */
function swapLastLetters(word) {
  return word.length < 4 ? word : word.slice(0, -2) + word.at(-1) + word.at(-2);
}

export const KINDS = [
  {
    id: "name_prefix",
    label: "name prefix",
    async draw(client, visible, count) {
      const { rows } = await client.query(
        `select lower(left(v.first_name, 3)) as text from (${visible}) v
         where char_length(v.first_name) >= 3 ${sample("name_prefix")} limit ${count * 20}`);
      return distinctBy(rows, "text", count);
    },
    // The function ranks prefix matches of the display name first.
    check: (rows, query) => rows.length > 0 && rows[0].display_name.toLowerCase().startsWith(query.text),
  },
  {
    id: "typo",
    label: "typo in a full name",
    async draw(client, visible, count) {
      // With every contact of that name as a target: any of them answers the query.
      const { rows } = await client.query(
        `select lower(v.first_name || ' ' || v.last_name) as name,
           (select array_agg(same.id) from (${visible}) same
            where same.first_name = v.first_name and same.last_name = v.last_name) as targets
         from (${visible}) v
         where char_length(v.first_name) >= 4 and char_length(v.last_name) >= 4 ${sample("typo")} limit ${count * 4}`);
      const typos = rows
        .map(({ name, targets }) => ({ name, targets: new Set(targets), text: words(name).map(swapLastLetters).join(" ") }))
        .filter(({ name, text }) => words(name).every((word, i) => word !== words(text)[i]));
      return distinctBy(typos, "text", count);
    },
    check: (rows, query) => rows.some((row) => query.targets.has(row.contact_id)),
  },
  {
    id: "organization",
    label: "organization",
    async draw(client, visible, count) {
      const { rows } = await client.query(
        `select v.organization as text from (${visible}) v
         where v.organization is not null ${sample("organization")} limit ${count * 20}`);
      return distinctBy(rows, "text", count);
    },
    check: (rows, query) => rows.some((row) => row.organization === query.text),
  },
  {
    id: "email",
    label: "exact e-mail",
    async draw(client, visible, count) {
      const { rows } = await client.query(
        `select ch.identifier as text, v.id as target from (${visible}) v
         join public.contact_communication_channels ch on ch.contact_id = v.id and ch.channel_type = 'email'
         ${sample("email")} limit ${count}`);
      return rows;
    },
    check: (rows, query) => includesContact(rows, query.target),
  },
  {
    id: "phone_national",
    label: "phone, national format",
    async draw(client, visible, count) {
      // Stored as E.164; typed the way people in its country write it, e.g. (415) 555-0123.
      const { rows } = await client.query(
        `select bench.national_format(ch.normalized_identifier) as text, v.id as target from (${visible}) v
         join public.contact_communication_channels ch on ch.contact_id = v.id and ch.channel_type = 'phone'
         ${sample("phone")} limit ${count}`);
      return rows;
    },
    check: (rows, query) => includesContact(rows, query.target),
  },
  {
    id: "common_name",
    label: "very common name",
    async draw(client, visible, count) {
      // The most frequent surnames and first names, alternating: smith, maria, garcia, james, ...
      const { rows } = await client.query(
        `select lower(name) as text from (
           select name, source, row_number() over (partition by source order by count(*) desc, name) as rank
           from (select v.last_name as name, 1 as source from (${visible}) v
                 union all select v.first_name, 2 from (${visible}) v) names
           group by name, source
         ) ranked order by rank, source limit ${count * 2}`);
      return distinctBy(rows, "text", count);
    },
    // A full page, every contact on it carrying the name.
    check: (rows, query) => rows.length === 20 && rows.every((row) => words(row.display_name).includes(query.text)),
  },
];

/**
 * Deep paging: the two-letter name prefixes with the most matches, when they have more than 500
 * pages of 20 (first names are Zipf-distributed: "ma", "jo", "da" ...).
 */
export const DEEP_KIND = {
  id: "deep_prefix",
  label: "name prefix, 10,000+ matches",
  async draw(client, visible, count) {
    const { rows } = await client.query(
      `select p.text from (select lower(left(v.display_name, 2)) as text, count(*) as n from (${visible}) v group by 1) p
       where p.n > 10020 and p.text ~ '^[a-z]{2}$' order by p.n desc, p.text limit ${count}`);
    return rows;
  },
  check: (rows, query) => rows.length === 20 && rows.every((row) => row.display_name.toLowerCase().startsWith(query.text)),
};
