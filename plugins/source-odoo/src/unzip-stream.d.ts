/** The part of unzip-stream's API this plugin uses (the package ships no types). */
declare module "unzip-stream" {
  import type { Transform } from "node:stream";
  import type { PassThrough } from "node:stream";

  export interface Entry extends PassThrough {
    /** The name with ".." parts already turned into "." by the library. */
    path: string;
    type: "File" | "Directory";
    isDirectory: boolean;
    /** Undefined when the zip gives the size only after the data (a data descriptor). */
    size?: number;
    autodrain(): unknown;
  }

  export function Parse(options?: { debug?: boolean; decodeString?: (buffer: Buffer) => string }): Transform;
}
