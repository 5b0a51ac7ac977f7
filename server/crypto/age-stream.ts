import { Duplex, PassThrough, Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from "age-encryption";

/** An age X25519 key pair as the `age` CLI writes and reads it (`AGE-SECRET-KEY-1…`, `age1…`). */
export type AgeKeyPair = { identity: string; recipient: string };

export async function generateAgeKeyPair(): Promise<AgeKeyPair> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

export async function recipientOf(identity: string): Promise<string> {
  return await identityToRecipient(identity);
}

/**
 * A stream stage that encrypts what is written to it to `recipients`, in the age format (header, then 64 KiB
 * authenticated chunks): what `age -d -i key.txt` decrypts. It reads as it is written, so memory stays flat.
 */
export async function ageEncryptor(recipients: string[]): Promise<Duplex> {
  const encrypter = new Encrypter();
  for (const recipient of recipients) encrypter.addRecipient(recipient);
  const plaintext = new PassThrough();
  const ciphertext = await encrypter.encrypt(Readable.toWeb(plaintext) as unknown as ReadableStream<Uint8Array>);
  return Duplex.from({ writable: plaintext, readable: Readable.fromWeb(ciphertext as unknown as WebReadableStream<Uint8Array>) });
}

/** An age file that cannot be decrypted: encrypted to another key, damaged, or not an age file at all. */
export class DecryptionError extends Error {
  override name = "DecryptionError";
}

/** Why age refused a file, in words for the operator: a wrong key and a damaged file are told apart. */
function decryptionFailure(err: unknown): DecryptionError {
  const message = err instanceof Error ? err.message : String(err);
  if (/no identity matched/i.test(message)) {
    return new DecryptionError("The file is encrypted to a key this console does not hold: import the organization key it was encrypted with (its recovery kit)", { cause: err });
  }
  return new DecryptionError(`The encrypted file is damaged or not an age file: ${message}`, { cause: err });
}

/**
 * The plaintext of an age-encrypted `input`, decrypted with the first of `identities` that matches the file's
 * header. Reading starts when the result is read; a wrong key or a damaged chunk makes the result error.
 */
export function ageDecrypted(input: Readable, identities: string[]): Readable {
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  return Readable.from(
    (async function* () {
      let plaintext: ReadableStream<Uint8Array>;
      try {
        plaintext = await decrypter.decrypt(Readable.toWeb(input) as unknown as ReadableStream<Uint8Array>);
      } catch (err) {
        input.destroy();
        throw decryptionFailure(err);
      }
      try {
        for await (const chunk of Readable.fromWeb(plaintext as unknown as WebReadableStream<Uint8Array>)) yield Buffer.from(chunk as Uint8Array);
      } catch (err) {
        input.destroy();
        throw decryptionFailure(err);
      }
    })(),
    { objectMode: false },
  );
}
