/**
 * The plugin API as the console's code imports it: everything comes from the `@safehold/plugin-api` workspace
 * package (packages/plugin-api), the one place the contract is defined and versioned.
 */
export * from "@safehold/plugin-api";
