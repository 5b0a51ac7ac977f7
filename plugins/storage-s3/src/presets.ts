/**
 * What each provider preset fills in when the operator leaves a field empty. Plain data, exported so a form
 * can show the same hints the manifest's descriptions give.
 *
 * - `endpoint`: a template where `{region}` is replaced; absent with `endpointRequired: false` means the SDK's
 *   own AWS endpoint for the region.
 * - `endpointExample`: what to type when the endpoint cannot be derived (it holds an account id or a host).
 * - `region`: the region used when none is given; absent means the operator must give one, like `regionExample`.
 * - `forcePathStyle`: `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key`.
 */
export type S3Preset = {
  title: string;
  endpoint?: string;
  endpointRequired: boolean;
  endpointExample?: string;
  region?: string;
  regionExample?: string;
  forcePathStyle: boolean;
};

export type S3PresetId = "aws" | "r2" | "b2" | "spaces" | "minio" | "custom";

export const S3_PRESETS: Record<S3PresetId, S3Preset> = {
  aws: { title: "Amazon S3", endpointRequired: false, regionExample: "eu-west-1", forcePathStyle: false },
  r2: {
    title: "Cloudflare R2",
    endpointRequired: true,
    endpointExample: "https://<accountid>.r2.cloudflarestorage.com",
    region: "auto",
    forcePathStyle: false,
  },
  b2: {
    title: "Backblaze B2",
    endpoint: "https://s3.{region}.backblazeb2.com",
    endpointRequired: false,
    regionExample: "us-west-004",
    forcePathStyle: false,
  },
  spaces: {
    title: "DigitalOcean Spaces",
    endpoint: "https://{region}.digitaloceanspaces.com",
    endpointRequired: false,
    regionExample: "nyc3",
    forcePathStyle: false,
  },
  minio: { title: "MinIO", endpointRequired: true, endpointExample: "http://minio.example.com:9000", region: "us-east-1", forcePathStyle: true },
  // Self-hosted servers rarely have the wildcard DNS that bucket-in-host-name addressing needs.
  custom: { title: "Other S3-compatible", endpointRequired: true, endpointExample: "https://s3.example.com", region: "us-east-1", forcePathStyle: true },
};
