import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { MariaDb } from "./mariadb";

const CRM_TABLE = path.resolve(import.meta.dirname, "../fixtures/mysql/dolibarr-llx-socpeople.sql");

/** Text a faithful dump must carry byte for byte: 4-byte emoji, combining marks, quotes, backslashes, line breaks. */
export const TRICKY_TEXTS = ["Grüße 👋🏽 from Zoë — 日本語 ✓", "🦄🧪🏳️‍🌈", "O'Brien \\ \"quoted\" \\n not a newline", "line one\nline two\r\n\ttabbed", "", "NUL \0 inside"];

/** Runs SQL as the test user over TCP (so triggers, views and routines get it as definer, as a CRM's own user would). */
export function asUser(maria: MariaDb, sql: string, database?: string): string {
  return execFileSync(
    "/usr/bin/mariadb",
    ["--no-defaults", `--host=${maria.host}`, `--port=${maria.port}`, `--user=${maria.user}`, "--batch", "--skip-column-names", "--default-character-set=utf8mb4", ...(database ? [`--database=${database}`] : [])],
    { input: sql, encoding: "utf8", env: { ...process.env, MYSQL_PWD: maria.password }, maxBuffer: 64 * 1024 * 1024 },
  );
}

function sqlString(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\0/g, "\\0").replace(/\n/g, "\\n").replace(/\r/g, "\\r")}'`;
}

/**
 * A CRM-like database: Dolibarr's contacts table, utf8mb4 notes with emoji, random BLOBs, a `big` table of
 * `bigRows` rows (made server-side from MariaDB's seq_1_to_N), a view, a trigger, a procedure, a function and an event.
 */
export function createCrmDatabase(maria: MariaDb, database: string, options: { bigRows: number }): void {
  asUser(maria, `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`);
  asUser(maria, fs.readFileSync(CRM_TABLE, "utf8"), database);
  const blobs = Array.from({ length: 12 }, (_, i) => `(${i + 1}, 'file-${i + 1}.bin', X'${randomBytes(1024 * (i * 7 + 1)).toString("hex")}')`);
  asUser(
    maria,
    `
CREATE TABLE notes (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(200) NOT NULL, body MEDIUMTEXT NULL, contact_id INT NULL,
  CONSTRAINT notes_contact FOREIGN KEY (contact_id) REFERENCES llx_socpeople (rowid) ON DELETE SET NULL) ENGINE=InnoDB;
CREATE TABLE attachments (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, content LONGBLOB NOT NULL) ENGINE=InnoDB;
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, note_id INT NOT NULL, action VARCHAR(20) NOT NULL) ENGINE=InnoDB;
CREATE TABLE big (id INT PRIMARY KEY, label CHAR(32) NOT NULL, amount DECIMAL(12,2) NOT NULL, created DATETIME NOT NULL) ENGINE=InnoDB;
CREATE TRIGGER notes_audit AFTER INSERT ON notes FOR EACH ROW INSERT INTO audit (note_id, action) VALUES (NEW.id, 'insert');
CREATE VIEW contact_names AS SELECT rowid, CONCAT(firstname, ' ', lastname) AS name, email FROM llx_socpeople WHERE statut = 1;
CREATE VIEW notes_per_contact AS SELECT c.name, COUNT(n.id) AS notes FROM contact_names c LEFT JOIN notes n ON n.contact_id = c.rowid GROUP BY c.name;
DELIMITER //
CREATE PROCEDURE count_notes(OUT total INT)
BEGIN
  -- a comment; and a string with a semicolon
  SELECT COUNT(*) INTO total FROM notes WHERE title <> ';';
END //
DELIMITER ;
CREATE FUNCTION with_tax(amount DECIMAL(12,2)) RETURNS DECIMAL(12,2) DETERMINISTIC RETURN amount * 1.2;
CREATE EVENT purge_audit ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM audit WHERE id < 0;
INSERT INTO llx_socpeople (datec, tms, fk_soc, lastname, firstname, email, note_private, birthday)
  SELECT '2024-01-01 10:00:00' + INTERVAL seq HOUR, '2024-02-01 00:00:00', seq % 17, CONCAT('Müller-', seq), 'Zoë 🙂', CONCAT('contact', seq, '@example.test'), CONCAT('note ', seq, ' ✓'), '1980-01-01' + INTERVAL seq DAY
  FROM seq_1_to_300;
INSERT INTO notes (title, body, contact_id) VALUES ${TRICKY_TEXTS.map((t, i) => `(${sqlString(`note ${i}`)}, ${sqlString(t)}, ${i + 1})`).join(", ")}, ('no body', NULL, NULL);
INSERT INTO attachments VALUES ${blobs.join(", ")};
INSERT INTO big SELECT seq, MD5(seq), seq / 100, '2024-01-01' + INTERVAL seq SECOND FROM seq_1_to_${options.bigRows};
ANALYZE TABLE llx_socpeople, notes, attachments, audit, big;
`,
    database,
  );
}

/** `CHECKSUM TABLE` and the row count of every base table, by table name. */
export function tableChecksums(maria: MariaDb, database: string): Record<string, string> {
  const tables = maria.rows(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${database}' AND table_type = 'BASE TABLE' ORDER BY table_name`).map(([t]) => t!);
  const result: Record<string, string> = {};
  for (const table of tables) {
    const [[, checksum]] = maria.rows(`CHECKSUM TABLE \`${database}\`.\`${table}\` EXTENDED`) as [[string, string]];
    const [[count]] = maria.rows(`SELECT COUNT(*) FROM \`${database}\`.\`${table}\``) as [[string]];
    result[table] = `${count} rows, checksum ${checksum}`;
  }
  return result;
}

/**
 * What information_schema says of the database's columns, views, triggers, routines and events, with the
 * database's own name taken out (view definitions are stored qualified), so two databases compare equal.
 */
export function schemaDefinitions(maria: MariaDb, database: string): Record<string, string[]> {
  const db = `'${database}'`;
  const unqualify = (rows: string[][]) => rows.map((r) => r.join(" | ").split(`\`${database}\`.`).join(""));
  return {
    columns: unqualify(
      maria.rows(
        `SELECT table_name, column_name, column_type, IFNULL(character_set_name,''), IFNULL(collation_name,''), is_nullable, IFNULL(column_default,'~'), extra FROM information_schema.columns WHERE table_schema = ${db} ORDER BY table_name, ordinal_position`,
      ),
    ),
    views: unqualify(maria.rows(`SELECT table_name, view_definition, check_option, security_type, definer FROM information_schema.views WHERE table_schema = ${db} ORDER BY table_name`)),
    triggers: unqualify(
      maria.rows(`SELECT trigger_name, event_manipulation, event_object_table, action_timing, action_statement, sql_mode, definer FROM information_schema.triggers WHERE trigger_schema = ${db} ORDER BY trigger_name`),
    ),
    routines: unqualify(
      maria.rows(
        `SELECT routine_name, routine_type, IFNULL(dtd_identifier,''), routine_definition, is_deterministic, security_type, sql_mode, definer FROM information_schema.routines WHERE routine_schema = ${db} ORDER BY routine_name`,
      ),
    ),
    events: unqualify(maria.rows(`SELECT event_name, event_definition, interval_value, interval_field, status, definer FROM information_schema.events WHERE event_schema = ${db} ORDER BY event_name`)),
  };
}

export function databaseExists(maria: MariaDb, database: string): boolean {
  return maria.rows(`SELECT 1 FROM information_schema.schemata WHERE schema_name = '${database}'`).length > 0;
}
