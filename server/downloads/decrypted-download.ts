import { Readable } from "node:stream";
import { ageDecrypted } from "@/server/crypto/age-stream";

/**
 * age's framing after the header: a 16-byte nonce, then the plaintext in 64 KiB chunks, each followed by a 16-byte
 * tag (the last chunk may be shorter; an empty file still has one empty chunk). So the plaintext's size follows
 * from the file's size and its header's length, without reading the chunks.
 */
const NONCE = 16;
const CHUNK = 64 * 1024;
const TAG = 16;

/** The header `age` and Safehold write for one X25519 recipient: version line, one stanza, MAC line. */
export const X25519_HEADER_LENGTH = 168;

/** A header longer than this is not one Safehold reads (it would list hundreds of recipients). */
const HEADER_LIMIT = 64 * 1024;

export function agePlaintextSize(cipherSize: number, headerLength = X25519_HEADER_LENGTH): number {
  const payload = cipherSize - headerLength - NONCE;
  const chunks = Math.max(1, Math.ceil(payload / (CHUNK + TAG)));
  return Math.max(0, payload - chunks * TAG);
}

/** Where the header of the age file starting with `head` ends (after its `--- <mac>` line), or -1 if not yet in `head`. */
function headerEnd(head: Buffer): number {
  const mac = head.indexOf("\n--- ");
  if (mac < 0) return -1;
  const end = head.indexOf("\n", mac + 1);
  return end < 0 ? -1 : end + 1;
}

/**
 * Decrypts a stored age file as it streams, and says how long the plaintext is: the header is read first (to know
 * its length), then every byte goes to the decrypter. A file encrypted to a key not in `identities` errors the stream.
 */
export async function decryptedDownload(stored: Readable, cipherSize: number, identities: string[]): Promise<{ length: number; body: Readable }> {
  const chunks = stored[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  let headerLength = -1;
  while (headerLength < 0) {
    const next = await chunks.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
    headerLength = headerEnd(head);
    if (headerLength < 0 && head.length > HEADER_LIMIT) break;
  }
  if (headerLength < 0) {
    stored.destroy();
    throw new Error("The stored file is not an age file");
  }
  const whole = Readable.from(
    (async function* () {
      yield head;
      for (;;) {
        const next = await chunks.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  );
  whole.once("close", () => stored.destroy());
  const body = ageDecrypted(whole, identities);
  // A download stopped half-way (the client went away) stops reading the storage too.
  body.once("close", () => whole.destroy());
  return { length: agePlaintextSize(cipherSize, headerLength), body };
}
