/** The product guide's link expirations, as the API takes them (seconds). */
export const EXPIRY_OPTIONS = [
  { seconds: 900, label: "15 minutes" },
  { seconds: 1800, label: "30 minutes" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 7200, label: "2 hours" },
  { seconds: 86400, label: "24 hours" },
] as const;

export type ExpirySeconds = (typeof EXPIRY_OPTIONS)[number]["seconds"];


/** A one-click download's link lives only as long as the download needs to start. */
export const SHORTEST_EXPIRY: ExpirySeconds = EXPIRY_OPTIONS[0].seconds;
