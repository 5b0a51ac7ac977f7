import { getDb } from "@/server/db";
import { serveDownload } from "@/server/downloads/serve-download";
import { pluginHost } from "@/server/plugins/process-host";

export const dynamic = "force-dynamic";

/** Console-signed download links: `/download/<payload>.<signature>`. */
export function GET(request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  return params.then(({ token }) => serveDownload(getDb(), pluginHost(), request, token));
}

export const HEAD = GET;
