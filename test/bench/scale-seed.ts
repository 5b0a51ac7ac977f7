/**
 * Set-based seeding for `npm run bench:scale`: an agency's organization with 100 projects × 50 environments and
 * about a million backups over a year, the way a year of schedules, failures and GFS retention leaves them.
 */
import type postgres from "postgres";

export const PROJECTS = 100;
export const ENVIRONMENTS_PER_PROJECT = 50;

const CLIENTS = ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Adventure Works", "Wingtip", "Litware", "Proseware", "Alpine Ski", "Blue Yonder"];

/** 100 projects ("Client 042 Fabrikam") with 50 environments each ("production-07", "staging-03", ...), all copying one template's sealed secrets (sealed for the template's row, they do not open on the copies: the bench never connects to these environments). */
export async function seedEnvironments(sql: postgres.Sql, orgId: string, serverId: string, templateEnvironmentId: string, prefix: string, projects = PROJECTS) {
  await sql`
    insert into projects (org_id, name, description, created_at)
    select ${orgId}, ${prefix} || ' ' || lpad(i::text, 3, '0') || ' ' || (${CLIENTS}::text[])[1 + i % ${CLIENTS.length}], '', now() - interval '400 days'
    from generate_series(1, ${projects}) i`;
  await sql`
    insert into environments (org_id, project_id, server_id, name, stage, source, source_config, source_secrets, created_at)
    select p.org_id, p.id, ${serverId},
      (array['production', 'staging', 'development', 'test'])[1 + i % 4] || '-' || lpad((i / 4)::text, 2, '0'),
      (array['production', 'staging', 'development', 'test'])[1 + i % 4]::stage,
      'postgres', jsonb_build_object('host', '10.0.0.' || (1 + i % 200), 'port', 5432, 'user', 'odoo', 'database', 'db_' || i),
      t.source_secrets, now() - interval '400 days'
    from projects p cross join generate_series(0, ${ENVIRONMENTS_PER_PROJECT - 1}) i
    cross join (select source_secrets from environments where id = ${templateEnvironmentId}) t
    where p.org_id = ${orgId} and p.name like ${`${prefix} %`}`;
}

/**
 * Per-environment policy overrides by position: every 10th environment has backups disabled, 4 in 10 run weekly
 * (Sundays 03:00), 1 in 100 hourly; the rest follow the organization's default (daily 02:00 UTC).
 */
export async function seedOverrides(sql: postgres.Sql, orgId: string) {
  await sql`
    with numbered as (select id, row_number() over (order by id) as rn from environments where org_id = ${orgId})
    insert into backup_policies (org_id, environment_id, enabled, schedule)
    select ${orgId}, id,
      case when rn % 10 = 0 then false end,
      case when rn % 100 = 5 then '0 * * * *' when rn % 10 between 1 and 4 then '0 3 * * 0' end
    from numbered where rn % 10 between 0 and 4 or rn % 100 = 5`;
}

/**
 * A year of backups. Scheduled ones follow each environment's schedule up to its latest slot; 2 % fail (a third
 * of those in storage); GFS retention has expired what it no longer keeps (7 daily, 4 weekly, 12 monthly); a few
 * environments are broken (their last runs failed), overdue (nothing for 3 days) or mid-run; plus manual and
 * pre-restore backups. Sizes of 50 MB to 2 GB; each environment keeps to one of the storage locations.
 */
export async function seedBackups(sql: postgres.Sql, orgId: string, storageIds: string[]) {
  // A bulk load goes faster with the secondary indexes built once at the end than maintained row by row.
  const indexes = await sql<Array<{ name: string; definition: string }>>`
    select indexname as name, indexdef as definition from pg_indexes where tablename = 'backups' and indexname <> 'backups_pkey'`;
  for (const index of indexes) await sql.unsafe(`drop index ${index.name}`);
  // The last-runs triggers probe those indexes; they are refreshed once, below, when the indexes are back.
  await sql`alter table backups disable trigger user`;
  await sql`select setseed(0.42)`;
  await sql`create temporary table bench_env as
    select e.id, e.project_id, row_number() over (order by e.id) as rn,
      ${storageIds}::uuid[] as storage_ids,
      (50 + (row_number() over (order by e.id)) % 40 * 50)::bigint * 1000000 as size
    from environments e where e.org_id = ${orgId}`;
  await sql`create temporary table bench_slot as
    select env.*, s.slot, s.kind, s.n,
      case when env.rn % 97 = 0 and s.n < 3 then 'storage' when env.rn % 89 = 0 and s.n < 2 then 'source'
           when env.rn % 100 = 7 and s.n = 0 then 'pending'
           when random() < 0.02 then (case when random() < 0.33 then 'storage' else 'source' end) else 'ok' end as outcome
    from bench_env env
    cross join lateral (
      select slot, kind, (row_number() over (order by slot desc) - 1)::int as n from (
        select date_trunc('day', now() - interval '2 hours') + interval '2 hours' - d * interval '1 day' as slot, 'daily' as kind
        from generate_series(0, 364) d where env.rn % 10 >= 5 and env.rn % 100 <> 5
        union all
        select date_trunc('week', now() - interval '3 hours' + interval '1 day') - interval '1 day' + interval '3 hours' - w * interval '7 days', 'weekly'
        from generate_series(0, 51) w where env.rn % 10 between 1 and 4
        union all
        select date_trunc('hour', now()) - h * interval '1 hour', 'hourly' from generate_series(0, 47) h where env.rn % 100 = 5
      ) slots
    ) s
    where not (env.rn % 73 = 0 and s.slot > now() - interval '3 days')`;
  await sql`
    insert into backups (org_id, project_id, environment_id, storage_location_id, type, status, retention_class, size_bytes, error, progress, verified, scheduled_for, started_at, finished_at, created_at)
    select ${orgId}, s.project_id, s.id, s.storage_ids[1 + s.rn % array_length(s.storage_ids, 1)], 'scheduled',
      st.status::backup_status, 'daily', case when st.status in ('completed', 'expired') then s.size + s.n * 100000 end,
      case s.outcome when 'storage' then 'The disk holding /srv/backups is full' when 'source' then 'Authentication failed for user "odoo": wrong password' end,
      case when st.status = 'pending' then null else jsonb_build_object('phase', case s.outcome when 'storage' then 'failed while storing' when 'source' then 'failed' else 'completed' end, 'bytes', s.size, 'updatedAt', s.slot + interval '10 minutes') end,
      st.status in ('completed', 'expired'), s.slot,
      case when st.status <> 'pending' then s.slot + interval '20 seconds' end,
      case when st.status <> 'pending' then s.slot + interval '2 minutes' + (s.rn % 600) * interval '1 second' end,
      s.slot
    from bench_slot s
    cross join lateral (select case
      when s.outcome = 'pending' then 'pending'
      when s.outcome <> 'ok' then 'failed'
      when s.kind = 'hourly' and s.n < 24 then 'completed'
      when s.kind = 'daily' and (s.n < 7 or (extract(isodow from s.slot) = 7 and s.n < 28) or (extract(day from s.slot + interval '1 day') = 1 and s.n < 365)) then 'completed'
      when s.kind = 'weekly' and (s.n < 4 or (extract(day from s.slot + interval '7 days') <= 7 and s.n < 52)) then 'completed'
      else 'expired' end as status) st`;
  await sql`
    insert into backups (org_id, project_id, environment_id, storage_location_id, type, status, name, retention_class, size_bytes, progress, verified, started_at, finished_at, created_at)
    select ${orgId}, env.project_id, env.id, env.storage_ids[1 + env.rn % array_length(env.storage_ids, 1)],
      case when k = 2 then 'pre_restore' else 'manual' end::backup_type, 'completed',
      case when k = 2 then '' else 'Before the Odoo upgrade' end, (case when k = 0 then 'permanent' else 'monthly' end)::retention_class,
      env.size, jsonb_build_object('phase', 'completed', 'bytes', env.size, 'updatedAt', at), true, at, at + interval '3 minutes', at
    from bench_env env cross join generate_series(0, 2) k
    cross join lateral (select now() - ((env.rn * 7919 + k * 104729) % 525600) * interval '1 minute' as at) t
    where k < 2 or env.rn % 10 = 3`;
  await sql`drop table bench_slot, bench_env`;
  await sql`set maintenance_work_mem = '256MB'`;
  for (const index of indexes) await sql.unsafe(index.definition);
  await sql`alter table backups enable trigger user`;
  await sql`select refresh_environment_last_runs(array(select id from environments where org_id = ${orgId}))`;
}
