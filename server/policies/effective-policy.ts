import { POLICY_FIELDS, type Policy, type PolicyField, type PolicyOverride } from "./policy-fields";

export type PolicySource = "organization" | "environment";

/**
 * The one place where an environment's policy is computed: the org default ⊕ the environment's override,
 * field by field, and where each field comes from.
 */
export function effectivePolicy(orgDefault: Policy, override: PolicyOverride | null): { policy: Policy; source: Record<PolicyField, PolicySource> } {
  const policy = { ...orgDefault };
  const source = {} as Record<PolicyField, PolicySource>;
  for (const field of POLICY_FIELDS) {
    const value = override?.[field];
    if (value !== undefined) {
      (policy as Record<PolicyField, unknown>)[field] = value;
      source[field] = "environment";
    } else source[field] = "organization";
  }
  return { policy, source };
}
