import { Table, Td, TableHead } from "@/app/_components/ui/layout";
import type { ConfigSchema } from "@/server/plugins/contracts";

function typeLabel(field: ConfigSchema["properties"][string]): string {
  return field.enum ? `${field.type}: ${field.enum.join(" | ")}` : field.type;
}

/** The configuration fields a contribution declares, read from its JSON Schema. */
export function ConfigFields({ configSchema }: { configSchema: Record<string, unknown> }) {
  // The host validated the manifest, but a schema without properties is still valid JSON Schema.
  const schema = configSchema as Partial<ConfigSchema>;
  const fields = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  if (fields.length === 0) return <p className="text-xs text-slate-500">Nothing to configure.</p>;
  return (
    <Table>
      <TableHead labels={["Field", "Title", "Type", "Required", "Secret", "Default"]} />
      <tbody className="divide-y divide-slate-100">
        {fields.map(([name, field]) => (
          <tr key={name}>
            <Td className="font-mono text-xs">{name}</Td>
            <Td>
              {field.title ?? "—"}
              {field.description && <p className="text-xs text-slate-500">{field.description}</p>}
            </Td>
            <Td className="font-mono text-xs">{typeLabel(field)}</Td>
            <Td>{required.has(name) ? "Yes" : "No"}</Td>
            <Td>{field.secret ? "Yes, encrypted" : "No"}</Td>
            <Td className="font-mono text-xs">{field.default === undefined ? "—" : String(field.default)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
