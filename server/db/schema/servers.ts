import { sql } from "drizzle-orm";
import { check, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, sealedText, updatedAt } from "@/server/db/columns";
import { organizationId } from "./organizations";

export const servers = pgTable(
  "servers",
  {
    id: id(),
    orgId: organizationId(),
    name: text().notNull(),
    /** A server-kind contribution id, e.g. `local` or `ssh`. */
    kind: text().notNull(),
    /** The non-secret fields of the kind's configuration. */
    config: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** The fields the kind's schema marks secret. */
    secrets: sealedText().notNull(),
    /**
     * Folders on the server that environments may read and restore into (an admin's choice): every path a
     * source uses must resolve inside one of them.
     */
    allowedRoots: text().array().notNull().default(sql`'{/var/lib/odoo,/opt/odoo}'::text[]`),
    /** Database names environments on this server may use (comma-separated globs); null: any but the system ones. */
    databasePattern: text(),
    /** Programs run by name on this server mapped to the path an admin chose, e.g. `{ "pg_dump": "/usr/lib/postgresql/16/bin/pg_dump" }`. */
    programs: jsonb().$type<Record<string, string>>().notNull().default({}),
    /** Where backups and restores compress: `server` when it can (fewer bytes cross the link), `worker` to keep the load off the client's machine. */
    compressOn: text({ enum: ["server", "worker"] }).notNull().default("server"),
    /** How many backups, restores and drills may run on this server at once; more wait in line. */
    maxConcurrentOperations: integer().notNull().default(2),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("servers_org_name_idx").on(t.orgId, t.name), check("servers_max_concurrent_operations_range", sql`${t.maxConcurrentOperations} between 1 and 50`)],
);
