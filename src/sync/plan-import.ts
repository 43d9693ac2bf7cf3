/**
 * The plan of an import into calendars that hold no links yet, made while the objects are
 * expanded, so that its creates can be written while the next objects expand.
 *
 * Without links, planSync's truth table ({@link planSync}) has a single row left: the winner of
 * every key is a CREATE — there is nothing to update, delete, detach or guard. The one decision
 * that spans objects is which of several objects claiming one key wins (broken servers): the
 * smallest href, then the earliest start, then the smallest hash. Fed the objects in href order,
 * the first object to claim a key is that winner, so each object's creates are final as soon as it
 * is expanded. The finished plan holds the same creates and duplicates as planSync's for the same
 * input (plan-import.test.ts compares the two on random inputs).
 */
import type { DesiredEntry } from "./desired.js";
import { compareStrings, occurrenceKey, type SyncPlan } from "./plan.js";

export class ImportPlanner {
  private readonly claimed = new Set<string>();
  private lastHref: string | null = null;
  private readonly plan: SyncPlan = { creates: [], updates: [], deletes: [], conflictsKept: [], unchanged: 0, duplicates: [], guard: null };

  /**
   * One object's desired entries in the window (all with its href); returns those to create.
   * Objects must come in href order ({@link compareStrings}).
   */
  add(entries: readonly DesiredEntry[]): DesiredEntry[] {
    if (entries.length === 0) return [];
    const href = entries[0]!.href;
    if (this.lastHref !== null && compareStrings(href, this.lastHref) < 0) {
      throw new Error(`ImportPlanner: object ${href} came after ${this.lastHref}; objects must come in href order`);
    }
    this.lastHref = href;
    const ordered = [...entries].sort((a, b) => a.start.getTime() - b.start.getTime() || compareStrings(a.contentHash, b.contentHash));
    const creates: DesiredEntry[] = [];
    for (const entry of ordered) {
      const key = occurrenceKey(entry);
      if (this.claimed.has(key)) {
        this.plan.duplicates.push(entry);
        continue;
      }
      this.claimed.add(key);
      creates.push(entry);
    }
    this.plan.creates.push(...creates);
    return creates;
  }

  /** The whole plan: every create handed out by {@link add}, and the duplicates left out. */
  finish(): SyncPlan {
    this.plan.duplicates.sort((a, b) => compareStrings(occurrenceKey(a), occurrenceKey(b)) || compareStrings(a.href, b.href));
    return this.plan;
  }
}
