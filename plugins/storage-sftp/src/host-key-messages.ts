/**
 * The SSH server kind's host key messages point at the Servers page; a storage location pins its key in its
 * own settings, so these say so.
 */

export function notPinnedMessage(target: string): string {
  return `The host key of ${target} is not pinned yet: test this storage location and confirm the fingerprint it shows`;
}

export function changedMessage(target: string, presented: string, pinned: string): string {
  return (
    `The host key of ${target} has changed: the server now presents ${presented} but ${pinned} is pinned. ` +
    "Refusing to connect; if the server was reinstalled, confirm the new fingerprint in this storage location's settings"
  );
}

/** The test result's sentence about the host key, and the pin hint unless it is the pinned one. */
export function hostKeyReport(presented: string, pinned: string | null): { sentence: string; details: Record<string, unknown> } {
  if (presented === pinned) return { sentence: `host key ${presented} matches the pinned one`, details: { hostKeyFingerprint: presented } };
  return {
    sentence: `host key ${presented} is not pinned yet: compare it with what ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub prints on the server, then confirm it`,
    details: { hostKeyFingerprint: presented, pin: { field: "hostKeyFingerprint", value: presented, title: "Host key fingerprint" } },
  };
}
