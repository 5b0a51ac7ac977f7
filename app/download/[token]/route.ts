import { getDb } from "@/server/db";
import { serveDownload } from "@/server/downloads/serve-download";
import { pluginHost } from "@/server/plugins/process-host";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return serveDownload(getDb(), pluginHost(), request, token);
}
