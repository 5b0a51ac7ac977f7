import type { Stage } from "@/shared/enum-values";
import { STAGE_LABEL } from "@/app/_lib/format";
import { Badge, type Tone } from "./ui/layout";

export const STAGES = Object.keys(STAGE_LABEL) as Stage[];

const STAGE_TONE: Record<Stage, Tone> = { production: "danger", staging: "info", development: "neutral", test: "neutral" };

export function StageBadge({ stage }: { stage: Stage }) {
  return <Badge tone={STAGE_TONE[stage]}>{STAGE_LABEL[stage]}</Badge>;
}
