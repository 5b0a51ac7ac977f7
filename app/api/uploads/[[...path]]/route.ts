import { requestPrincipal } from "@/server/api/context";
import { handleUpload } from "@/server/imports/upload-server";

export const dynamic = "force-dynamic";

async function upload(req: Request): Promise<Response> {
  return await handleUpload(req, await requestPrincipal(req));
}

export { upload as POST, upload as PATCH, upload as HEAD, upload as DELETE, upload as OPTIONS, upload as GET };
