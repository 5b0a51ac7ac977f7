/** C0 and C1 control characters and Unicode line separators: a line break in a name can turn it into a command. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Whether `text` is one line without control characters (what every name, path and one-line setting must be). */
export function isOneLine(text: string): boolean {
  return !CONTROL_CHARACTERS.test(text);
}
