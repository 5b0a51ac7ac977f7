import type { MetadataRoute } from "next";

/** The web app manifest (served at /manifest.webmanifest): the console installed as an app keeps its name and icon. */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "Safehold",
    short_name: "Safehold",
    description: "Backups for every client environment, on every server",
    start_url: "/",
    display: "standalone",
    background_color: "#0f172a",
    theme_color: "#0f172a",
    icons: [
      { src: "/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icon-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
      { src: "/favicon.svg", sizes: "any", type: "image/svg+xml" },
    ],
  };
}
