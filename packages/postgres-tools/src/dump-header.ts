import { Transform } from "node:stream";

/** How every plain-SQL dump that pg_dump writes begins. */
export const PG_DUMP_HEADER = Buffer.from("--\n-- PostgreSQL database dump\n--\n");

/** The first bytes of a stream as a one-line message can show them. */
export function describeStart(bytes: Buffer): string {
  if (bytes.length === 0) return "nothing: it was empty";
  return JSON.stringify(bytes.subarray(0, 40).toString("utf8")) + (bytes.length > 40 ? "…" : "");
}

/** Whether `start` (at least as long as the header) begins with pg_dump's header. */
export function isPgDumpStart(start: Buffer): boolean {
  return start.subarray(0, PG_DUMP_HEADER.length).equals(PG_DUMP_HEADER);
}

/**
 * Passes a stream through once its first bytes are pg_dump's header, and fails with `refuse(start)` otherwise:
 * only those first bytes are held and looked at.
 */
export function requirePgDumpHeader(refuse: (start: string) => string): Transform {
  let head: Buffer | null = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!head) return done(null, chunk);
      head = Buffer.concat([head, chunk]);
      if (head.length < PG_DUMP_HEADER.length) return done();
      const start = head;
      head = null;
      done(isPgDumpStart(start) ? null : new Error(refuse(describeStart(start))), start);
    },
    flush(done) {
      done(head ? new Error(refuse(describeStart(head))) : null);
    },
  });
}
