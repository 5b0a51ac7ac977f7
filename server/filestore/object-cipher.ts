import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

/*
 * Convergent encryption of filestore objects: within one organization the same file always encrypts to the same
 * object (same id, same bytes), so it is stored once; another organization's key gives other ids and other bytes.
 * Stored bytes: the magic line, then the content in 64 KiB chunks, each sealed with AES-256-GCM under a nonce made
 * of the chunk's counter and a final-chunk flag, so a changed, dropped, reordered, appended or cut chunk fails.
 */

export const OBJECT_MAGIC = Buffer.from("safehold-object/1\n");
export const OBJECT_CHUNK_SIZE = 64 * 1024;
const TAG_SIZE = 16;
const SEALED_CHUNK_SIZE = OBJECT_CHUNK_SIZE + TAG_SIZE;

/** The organization's object secret, derived from its key's identity string (`AGE-SECRET-KEY-1…`). */
export function orgObjectSecret(identity: string): Buffer {
  return Buffer.from(hkdfSync("sha256", identity, Buffer.alloc(0), "safehold filestore objects v1", 32));
}

/** The id of the encrypted object of the file whose content has this sha1: it reveals nothing of the sha1. */
export function encryptedObjectId(secret: Buffer, sha1: string): string {
  return createHmac("sha256", secret).update(`name:${sha1}`).digest("hex");
}

/** The AES-256 key of the file whose content has this sha1. */
export function objectContentKey(secret: Buffer, sha1: string): Buffer {
  return createHmac("sha256", secret).update(`key:${sha1}`).digest();
}

/** How many bytes the encrypted object of a `size`-byte file takes (an empty file is one empty final chunk). */
export function encryptedObjectSize(size: number): number {
  const chunks = Math.max(1, Math.ceil(size / OBJECT_CHUNK_SIZE));
  return OBJECT_MAGIC.length + size + chunks * TAG_SIZE;
}

function nonce(counter: number, final: boolean): Buffer {
  const bytes = Buffer.alloc(12);
  // 11-byte big-endian counter: the six low bytes hold any count a file of this world reaches.
  bytes.writeUIntBE(counter, 5, 6);
  bytes[11] = final ? 1 : 0;
  return bytes;
}

/** A stored object whose bytes are not what its key sealed. */
export class DamagedObjectError extends Error {
  override name = "DamagedObjectError";
  constructor(readonly reason: string) {
    super(`The object is damaged: ${reason}`);
  }
}

/** Bytes held until a whole chunk is there: at most one chunk and one read's worth. */
class ByteQueue {
  private parts: Buffer[] = [];
  length = 0;

  push(bytes: Buffer): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  take(n: number): Buffer {
    const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
    const taken = all.subarray(0, n);
    const rest = all.subarray(n);
    this.parts = rest.length ? [rest] : [];
    this.length = rest.length;
    return taken;
  }
}

/** Encrypts a file's content into its stored object, as it streams. */
export function objectEncryptor(key: Buffer): Transform {
  const queue = new ByteQueue();
  let counter = 0;
  const seal = (plain: Buffer, final: boolean): Buffer => {
    const cipher = createCipheriv("aes-256-gcm", key, nonce(counter++, final));
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  };
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      if (!started) {
        started = true;
        this.push(OBJECT_MAGIC);
      }
      queue.push(chunk);
      // A full chunk is sealed only once more bytes follow it: until then it may be the final one.
      while (queue.length > OBJECT_CHUNK_SIZE) this.push(seal(queue.take(OBJECT_CHUNK_SIZE), false));
      done();
    },
    flush(done: TransformCallback) {
      if (!started) this.push(OBJECT_MAGIC);
      done(null, seal(queue.take(queue.length), true));
    },
  });
}

/** Decrypts a stored object into the file's content, failing with `DamagedObjectError` when any byte is not as sealed. */
export function objectDecryptor(key: Buffer): Transform {
  const queue = new ByteQueue();
  let counter = 0;
  let magicChecked = false;
  const open = (sealed: Buffer, final: boolean): Buffer => {
    const index = counter++;
    const decipher = createDecipheriv("aes-256-gcm", key, nonce(index, final));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_SIZE)), decipher.final()]);
    } catch {
      throw new DamagedObjectError(`chunk ${index + 1} does not authenticate (changed, cut short, reordered, dropped or appended)`);
    }
  };
  const checkMagic = (): boolean => {
    if (magicChecked) return true;
    if (queue.length < OBJECT_MAGIC.length) return false;
    if (!queue.take(OBJECT_MAGIC.length).equals(OBJECT_MAGIC)) throw new DamagedObjectError("it does not begin as an encrypted Safehold object");
    magicChecked = true;
    return true;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      try {
        queue.push(chunk);
        if (checkMagic()) {
          // A whole sealed chunk is known not to be the final one only once more bytes follow it.
          while (queue.length > SEALED_CHUNK_SIZE) this.push(open(queue.take(SEALED_CHUNK_SIZE), false));
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        if (!checkMagic()) throw new DamagedObjectError("it is cut short before its first chunk");
        if (queue.length < TAG_SIZE) throw new DamagedObjectError(`it is cut short after chunk ${counter}`);
        done(null, open(queue.take(queue.length), true));
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
