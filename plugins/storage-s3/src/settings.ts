import type { PluginConfig } from "@safehold/plugin-api";
import { S3_PRESETS, type S3Preset, type S3PresetId } from "./presets";

/** A storage location's configuration with the preset's defaults applied: everything the client needs. */
export type S3Settings = {
  /** Undefined for Amazon S3: the SDK derives it from the region. */
  endpoint: string | undefined;
  /** The endpoint as operator messages name it (Amazon's regional one when `endpoint` is undefined). */
  displayEndpoint: string;
  region: string;
  bucket: string;
  /** "" or a folder ending in "/": prepended to every key inside the plugin, stripped from listed keys. */
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
};

/** A trimmed string setting, or undefined when it is missing or empty (empty form fields arrive as ""). */
function text(config: PluginConfig, name: string): string | undefined {
  const value = config[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** Without a preset, an endpoint means some S3-compatible server and no endpoint means Amazon. */
function presetOf(config: PluginConfig): S3Preset {
  const id = text(config, "preset") ?? (text(config, "endpoint") ? "custom" : "aws");
  if (!Object.hasOwn(S3_PRESETS, id)) throw new Error(`Unknown S3 provider "${id}": use one of ${Object.keys(S3_PRESETS).join(", ")}`);
  return S3_PRESETS[id as S3PresetId];
}

function endpointUrl(raw: string): string {
  // Operators often paste a bare host name; S3-compatible services are served over HTTPS.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`The endpoint "${raw}" is not a URL like https://s3.example.com`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`The endpoint "${raw}" must start with http:// or https://`);
  return url.toString().replace(/\/+$/, "");
}

function normalizedPrefix(raw: string | undefined): string {
  const trimmed = (raw ?? "").replace(/^\/+|\/+$/g, "");
  return trimmed ? `${trimmed}/` : "";
}

/** Applies the preset to the configuration; throws an operator-readable Error when something needed is missing. */
export function resolveSettings(config: PluginConfig): S3Settings {
  const preset = presetOf(config);
  const region = text(config, "region") ?? preset.region;
  if (!region) throw new Error(`${preset.title} needs a region, like ${preset.regionExample ?? "us-east-1"}`);
  const rawEndpoint = text(config, "endpoint") ?? preset.endpoint?.replaceAll("{region}", region);
  if (!rawEndpoint && preset.endpointRequired) throw new Error(`${preset.title} needs an endpoint, like ${preset.endpointExample}`);
  const endpoint = rawEndpoint ? endpointUrl(rawEndpoint) : undefined;
  const bucket = text(config, "bucket");
  if (!bucket) throw new Error("The bucket name is missing");
  const accessKeyId = text(config, "accessKeyId");
  const secretAccessKey = text(config, "secretAccessKey");
  if (!accessKeyId || !secretAccessKey) throw new Error("The access key ID and the secret access key are both required");
  const forcePathStyle = typeof config.forcePathStyle === "boolean" ? config.forcePathStyle : preset.forcePathStyle;
  return {
    endpoint,
    displayEndpoint: endpoint ?? `https://s3.${region}.amazonaws.com`,
    region,
    bucket,
    prefix: normalizedPrefix(text(config, "prefix")),
    accessKeyId,
    secretAccessKey,
    forcePathStyle,
  };
}
