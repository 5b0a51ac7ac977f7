/**
 * @safehold/plugin-testkit: the contract suites of @safehold/plugin-api as functions, so any plugin proves it
 * conforms with one call in a vitest file. The suites hold only assertions; the servers they run against (an
 * S3-compatible server, sshd, an FTP server, a database) are the caller's.
 */
export { describeStorageContract } from "./storage.js";
export { describeServerConnectionContract, describeServerKindContract } from "./server-kind.js";
export { describeSourceContract } from "./source.js";
export { hashOf, testContext, testOptions, text } from "./helpers.js";
export { activatePlugin } from "./activate.js";
export { localManagedServer } from "./local-server.js";
//# sourceMappingURL=index.js.map