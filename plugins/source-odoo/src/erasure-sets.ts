import { LEAF_SETS, linkColumns, type Finder, type Rewrite, type RowTest, type SetName } from "./erasure-rules";
import { addressesIn, addressPattern, type ErasureSubjects } from "./erasure-subjects";

/** A row as text, the way a dump's COPY line or a `::text` select gives it; undefined for a column the table lacks. */
export type RowValues = (column: string) => string | null | undefined;

type Pending = { finder: Finder; values: Map<string, string | null> };

/**
 * What is known of the erased people while their records are being found: the id sets and their addresses.
 * Memory holds ids, addresses, and the link columns of rows that may still turn out to be theirs (users,
 * employees and leads pointing at someone), never whole rows.
 */
export class ErasureSets {
  readonly sets = new Map<SetName, Set<number>>();
  private readonly addresses: Set<string>;
  private pattern: RegExp | null = null;
  private pending: Pending[] = [];

  constructor(subjects: ErasureSubjects) {
    this.addresses = new Set(subjects.addresses);
    for (const [set, ids] of Object.entries(subjects.records) as Array<[SetName, number[]]>) for (const id of ids) this.add(set, id);
  }

  ids(set: SetName): number[] {
    return [...(this.sets.get(set) ?? [])];
  }

  addressList(): string[] {
    return [...this.addresses].sort();
  }

  has(set: SetName, value: string | null | undefined): boolean {
    if (value == null || !/^[0-9]+$/.test(value)) return false;
    return this.sets.get(set)?.has(Number(value)) ?? false;
  }

  private add(set: SetName, id: number): boolean {
    if (!this.sets.has(set)) this.sets.set(set, new Set());
    const members = this.sets.get(set)!;
    if (members.has(id)) return false;
    members.add(id);
    return true;
  }

  private matchesAddress(value: string | null | undefined): boolean {
    if (!value || this.addresses.size === 0) return false;
    this.pattern ??= new RegExp(addressPattern([...this.addresses]));
    return this.pattern.test(value.toLowerCase());
  }

  matches(tests: RowTest[], row: RowValues): boolean {
    return tests.some((test) => {
      if ("address" in test) return test.address.some((column) => this.matchesAddress(row(column)));
      if ("model" in test) return row(test.modelColumn) === test.model && this.has(test.in, row(test.idColumn));
      return this.has(test.in, row(test.column));
    });
  }

  /** A member found: its id, what it leads to and its addresses join what is erased. */
  private admit(finder: Finder, row: RowValues): void {
    const id = row("id");
    if (id != null && /^[0-9]+$/.test(id)) this.add(finder.set, Number(id));
    for (const { column, set } of finder.also ?? []) {
      const value = row(column);
      if (value != null && /^[0-9]+$/.test(value)) this.add(set, Number(value));
    }
    for (const column of finder.addresses ?? []) {
      for (const address of addressesIn(row(column) ?? "")) {
        if (!this.addresses.has(address)) {
          this.addresses.add(address);
          this.pattern = null;
        }
      }
    }
  }

  /**
   * How much is known of the people (not of their messages): finding them is done again until this stops
   * growing, since an address learned late (a contact's email, an employee's private one) may match rows
   * already passed. Sets only grow, so a round that ends where it began saw the final sets throughout.
   */
  progress(): number {
    let known = this.addresses.size;
    for (const [set, members] of this.sets) if (!LEAF_SETS.includes(set)) known += members.size;
    return known;
  }

  /**
   * Looks at one row of a finder's table: a member is admitted now; with `later`, a row pointing at someone who
   * may be found further on is kept (its link columns only) until `settle`.
   */
  offer(finder: Finder, row: RowValues, later = true): void {
    if (this.matches(finder.when, row)) {
      this.admit(finder, row);
      return;
    }
    if (!later) return;
    const links = linkColumns(finder);
    if (!links.some((c) => row(c) != null)) return;
    const kept = ["id", ...links, ...(finder.also ?? []).map((a) => a.column)];
    this.pending.push({ finder, values: new Map(kept.map((c) => [c, row(c) ?? null])) });
  }

  /** Admits the kept rows that point at members, again and again until nothing more is found. */
  settle(): void {
    for (let changed = true; changed; ) {
      changed = false;
      const still: Pending[] = [];
      for (const entry of this.pending) {
        const row: RowValues = (c) => entry.values.get(c);
        if (this.matches(entry.finder.when, row)) {
          this.admit(entry.finder, row);
          changed = true;
        } else still.push(entry);
      }
      this.pending = still;
    }
    this.pending = [];
  }

  /** Whether a row of a rewrite's table holds the erased people's data. */
  touches(rewrite: Rewrite, row: RowValues): boolean {
    return this.matches(rewrite.when, row);
  }
}
