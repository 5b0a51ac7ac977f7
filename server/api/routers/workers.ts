import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { getWorkerStatus, workerStatusOutput } from "@/server/services/workers";

export const workersRouter = router({
  status: procedure("viewer", { method: "GET", path: "/workers", tags: ["dashboard"], summary: "How many worker processes are running: with none, scheduled backups and restores are not processed", protect: true })
    .input(z.void())
    .output(workerStatusOutput)
    .query(({ ctx }) => getWorkerStatus(ctx.db)),
});
