import { Transform } from "node:stream";

/** How far into a dump its "-- MariaDB dump" / "-- MySQL dump" header line may start (after the sandbox line). */
const HEAD_BYTES = 512;
const TAIL_BYTES = 4096;
const HEADER = /^-- (MariaDB|MySQL) dump \d/m;
/** The last comment mariadb-dump and mysqldump write once every statement is out. */
const COMPLETE = /-- Dump completed(?: on [^\n]*)?\s*$/;

/** The first bytes of a stream as a one-line message can show them. */
export function describeStart(bytes: Buffer): string {
  if (bytes.length === 0) return "nothing: it was empty";
  return JSON.stringify(bytes.subarray(0, 40).toString("utf8")) + (bytes.length > 40 ? "…" : "");
}

/**
 * Passes a dump through once its first bytes show a mariadb-dump/mysqldump header, and fails with
 * `refuse(start)` otherwise; with `requireEnd`, it also fails at the end unless the dump's closing
 * "-- Dump completed" line is there, so a dump cut short between two statements never loads "successfully".
 * Only the first and last few KB are held.
 */
export function checkDump(refuse: (start: string) => string, options: { requireEnd: boolean }): Transform {
  let head: Buffer | null = Buffer.alloc(0);
  let tail: Buffer = Buffer.alloc(0);
  const headOk = (start: Buffer) => HEADER.test(start.subarray(0, HEAD_BYTES).toString("utf8"));
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (options.requireEnd) tail = chunk.length >= TAIL_BYTES ? chunk.subarray(chunk.length - TAIL_BYTES) : Buffer.concat([tail, chunk]).subarray(-TAIL_BYTES);
      if (!head) return done(null, chunk);
      head = Buffer.concat([head, chunk]);
      if (head.length < HEAD_BYTES) return done();
      const start = head;
      head = null;
      done(headOk(start) ? null : new Error(refuse(describeStart(start))), start);
    },
    flush(done) {
      if (head) {
        if (!headOk(head)) return done(new Error(refuse(describeStart(head))));
        this.push(head);
      }
      if (options.requireEnd && !COMPLETE.test(tail.toString("utf8"))) {
        return done(new Error('The database dump is incomplete: it does not end with the dump tool\'s "Dump completed" line'));
      }
      done();
    },
  });
}
