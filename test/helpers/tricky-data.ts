import postgres from "postgres";

/** Tables that are easy to get wrong in a dump: unicode, NULLs, bytea, jsonb, a large text, a million rows. */
export async function fillTrickyData(url: string, manyRows = 1_000_000): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe(`
    create table texts (id serial primary key, t text, u varchar(200));
    insert into texts (t, u) values
      ('héllo wörld — ñandú', '日本語テキスト'), ('emoji 🎉🧪', 'עברית RTL'), (null, null), ('', ''),
      (E'tab\\there\\nnewline\\r\\n and \\\\ backslash', E'quote '' and "double"'), ('COPY-looking \\. line', E'\\\\N');
    create table blobs (id serial primary key, b bytea);
    insert into blobs (b) values (decode('00ff00ff', 'hex')), (''), (null), (sha256('x')), (decode(repeat('00', 1000), 'hex'));
    insert into blobs (b) select decode(repeat(md5(i::text), 64), 'hex') from generate_series(1, 200) i;
    create table docs (id serial primary key, j jsonb);
    insert into docs (j) values ('{"a": [1, 2, {"b": null}], "ü": "✓"}'), ('[]'), ('"just a string"'), (null), ('{"nested": {"deep": {"deeper": [true, false, 1.5e300]}}}');
    create table big_text (id serial primary key, t text);
    insert into big_text (t) select string_agg(md5(i::text), '') from generate_series(1, 40000) i;
    create table many (id bigint primary key, v int, s text);
    insert into many select i, i % 1000, 'row ' || i from generate_series(1, ${manyRows}) i;
    create view many_view as select id, v from many where v = 1;
    create sequence custom_seq start 42;
    select nextval('custom_seq');
  `);
  await sql.end();
}

/** Per table: row count and an md5 over every row, in id order. */
export async function tableChecksums(url: string): Promise<Record<string, { count: number; md5: string }>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const result: Record<string, { count: number; md5: string }> = {};
  for (const table of ["texts", "blobs", "docs", "big_text", "many"]) {
    const [row] = await sql.unsafe(`select count(*)::int as count, md5(coalesce(string_agg(t::text, '|' order by id), '')) as md5 from ${table} t`);
    result[table] = { count: row!.count as number, md5: row!.md5 as string };
  }
  const [seq] = await sql.unsafe(`select last_value from custom_seq`);
  result.custom_seq = { count: Number(seq!.last_value), md5: "" };
  await sql.end();
  return result;
}
