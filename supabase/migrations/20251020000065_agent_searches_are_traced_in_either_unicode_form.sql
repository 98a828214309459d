-- Export and erasure find an agent's searches for a subject by hashing the forms the search could
-- have been logged under (private.search_query_forms) and comparing them with the logged hashes.
-- Since 20251020000057 a search is logged in NFC and names are stored in NFC, so a search logged
-- before it in the form it was typed (a name with combining marks, NFD) no longer matched the
-- subject's now-converted name, and erasure left it in the access log. Each form is now hashed in
-- both Unicode forms as well as as it is.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.search_query_forms(names text[], identifiers text[])
returns text[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_agg(distinct u.form) filter (where char_length(u.form) >= 3), '{}'::text[])
  from (
    select lower(btrim(n.v)) from unnest(search_query_forms.names) as n (v)
    union all
    select w.v from unnest(search_query_forms.names) as n (v)
    cross join lateral regexp_split_to_table(lower(n.v), '[^[:alnum:]]+') as w (v)
    union all
    select w.v from unnest(search_query_forms.names) as n (v)
    cross join lateral regexp_split_to_table(lower(btrim(n.v)), '\s+') as w (v)
    union all
    select lower(btrim(i.v)) from unnest(search_query_forms.identifiers) as i (v)
    union all
    select 'digits:' || right(d.digits, k.n)
    from unnest(search_query_forms.identifiers) as i (v)
    cross join lateral (select ltrim(regexp_replace(i.v, '\D', '', 'g'), '0') as digits) as d
    cross join lateral generate_series(7, char_length(d.digits)) as k (n)
    where i.v !~ '[[:alpha:]@]' and left(right(d.digits, k.n), 1) <> '0'
  ) as f (form)
  -- Each form in both Unicode forms: searches logged before 20251020000057 hashed the query as
  -- typed, those since in NFC, and a name or identifier may be stored either way.
  cross join lateral unnest(array[f.form, normalize(f.form, nfc), normalize(f.form, nfd)]) as u (form)
$$;

comment on function private.search_query_forms(text[], text[]) is 'The forms an agent search for a subject was logged under (to hash): names whole and by word, identifiers whole, and the digits forms a number ends with (7+ digits), each of 3+ characters, each in Unicode NFC and NFD too.';
