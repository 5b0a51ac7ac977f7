import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [".next/**", "node_modules/**", "data/**", "plugins/*/dist/**", "packages/*/dist/**", "test/.artifacts/**", "next-env.d.ts", "drizzle/**"],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@next/next/no-html-link-for-pages": "off",
    },
  },
  {
    // Layers point one way: the UI imports only types from server/; what both sides run lives in shared/.
    // Next's server entry points (pages, layouts, route handlers) are where the UI meets the server.
    files: ["app/**/*.ts", "app/**/*.tsx", "shared/**/*.ts"],
    ignores: ["app/**/page.tsx", "app/**/layout.tsx", "app/**/route.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@/server/*"], allowTypeImports: true, message: "The UI imports only types from server/; move what both sides run to shared/." }] },
      ],
    },
  },
];

export default config;
