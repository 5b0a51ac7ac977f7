import postgres from "postgres";

/**
 * Fills a database with a mix that resembles an ERP's: wide text rows, jsonb documents, bytea attachments
 * (incompressible), and many small rows, batch by batch until it reaches `targetMb` on disk.
 */
export async function fillBenchDatabase(url: string, targetMb: number): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe(`
    create table wide_text (id bigserial primary key, title text, body text, footer text);
    create table documents (id bigserial primary key, doc jsonb);
    create table attachments (id bigserial primary key, name text, data bytea);
    create table events (id bigserial primary key, at timestamptz, kind int, amount numeric(12, 2), note text);
    create index events_at_idx on events (at);
  `);
  // A batch adds ~30 MB; a small database gets small batches so it ends near its target.
  const rows = Math.min(20_000, targetMb * 100);
  for (let batch = 0; ; batch++) {
    const [{ mb }] = (await sql`select pg_database_size(current_database()) / 1048576 as mb`) as unknown as [{ mb: string }];
    if (Number(mb) >= targetMb) break;
    const base = batch * rows;
    await sql.unsafe(`
      insert into wide_text (title, body, footer)
        select 'Order ' || i, repeat(md5(i::text) || ' lorem ipsum dolor sit amet ', 12), 'footer ' || (i % 97)
        from generate_series(${base}, ${base} + ${rows - 1}) i;
      insert into documents (doc)
        select jsonb_build_object('id', i, 'customer', 'Customer ' || (i % 5000), 'lines',
          jsonb_build_array(jsonb_build_object('sku', 'SKU-' || (i % 900), 'qty', i % 7, 'price', (i % 10000) / 100.0),
                            jsonb_build_object('sku', 'SKU-' || (i % 300), 'qty', 1, 'price', 9.99)),
          'address', jsonb_build_object('city', 'City ' || (i % 1000), 'zip', lpad((i % 99999)::text, 5, '0')))
        from generate_series(${base}, ${base} + ${rows - 1}) i;
      insert into attachments (name, data)
        select 'file-' || i || '.bin', decode(md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text)
          || md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text), 'hex')
        from generate_series(${base}, ${base} + ${rows / 4 - 1}) i;
      insert into events (at, kind, amount, note)
        select now() - make_interval(secs => i), i % 20, (i % 100000) / 100.0, case when i % 5 = 0 then null else 'note ' || (i % 333) end
        from generate_series(${base * 5}, ${base * 5} + ${rows * 5 - 1}) i;
    `);
  }
  await sql.unsafe("vacuum analyze");
  await sql.end();
}
