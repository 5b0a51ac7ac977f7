/**
 * @safehold/plugin-testkit: the contract suites of @safehold/plugin-api as functions, so any plugin proves it
 * conforms with one call in a vitest file. The suites hold only assertions; the servers they run against (an
 * S3-compatible server, sshd, an FTP server, a database) are the caller's.
 */
export { describeStorageContract, type StorageContractOptions } from "./storage.js";
export { describeServerConnectionContract, describeServerKindContract, type ServerConnectionContractOptions } from "./server-kind.js";
export { describeSourceContract, type SourceContractOptions } from "./source.js";
export { describeFileSetContract, type FileSetContractOptions } from "./file-set.js";
export { hashOf, testContext, testOptions, text } from "./helpers.js";
export { activatePlugin, type ActivatedPlugin } from "./activate.js";
export { localManagedServer } from "./local-server.js";
