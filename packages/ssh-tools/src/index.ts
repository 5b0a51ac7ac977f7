export { parseConfig, poolKey, target, type SshConfig } from "./config";
export { connectError, connectErrorCode, describeConnectError, READY_TIMEOUT_MS } from "./connect-errors";
export { changedMessage, fingerprint, isFingerprint, notPinnedMessage } from "./host-key";
export { startKeepalive } from "./keepalive";
export { ping, signalRemote } from "./ssh2-internals";
