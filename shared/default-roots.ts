/**
 * The folders a new server lets environments use until an admin chooses others: where Odoo keeps its data on a
 * packaged install. Kept apart from the rules' code so the console's forms can prefill them.
 */
export const DEFAULT_ALLOWED_ROOTS = ["/var/lib/odoo", "/opt/odoo"];
