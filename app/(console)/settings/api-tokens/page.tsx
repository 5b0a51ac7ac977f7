import { redirect } from "next/navigation";

/** API tokens moved to Settings › Account; old links and bookmarks land there. */
export default function ApiTokensPage() {
  redirect("/settings/account#api-tokens");
}
