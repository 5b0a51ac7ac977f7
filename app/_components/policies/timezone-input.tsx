"use client";

import { useId, useState } from "react";
import { Input } from "@/app/_components/ui/field";

function timeZones(): string[] {
  return ["UTC", ...Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC")];
}

/** An IANA time zone, typed or picked from the browser's list (UTC first, filtered as one types); the server checks it. */
export function TimezoneInput({ id, value, onChange, disabled, invalid }: { id: string; value: string; onChange: (value: string) => void; disabled?: boolean; invalid?: boolean }) {
  const listId = useId();
  // The browser's own list, built on first focus: the same on every render after that, and never part of the server's HTML.
  const [zones, setZones] = useState<string[]>([]);
  return (
    <>
      <Input
        id={id}
        list={listId}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onFocus={() => zones.length === 0 && setZones(timeZones())}
        disabled={disabled}
        invalid={invalid}
        placeholder="e.g. Europe/Brussels"
        autoComplete="off"
        spellCheck={false}
      />
      <datalist id={listId}>
        {zones.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </>
  );
}
