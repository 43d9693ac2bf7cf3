/**
 * Which fields of an imported entry the user changed (docs/sync.md, "You win, field by field").
 * A sync never overwrites an edited field and keeps the others following the calendar; an entry
 * with any edited field is kept (detached) when its event goes away, an unedited one goes with it.
 */
import { sql, type SQL } from "drizzle-orm";
import { timeEntries } from "../db/schema.js";

export const TIME_ENTRY_FIELDS = ["PROJECT", "NOTES", "TIMES"] as const;
export type TimeEntryField = (typeof TIME_ENTRY_FIELDS)[number];

/** The columns that record the edits, one per field. */
export interface EditFlags {
  projectEdited: boolean;
  notesEdited: boolean;
  timesEdited: boolean;
}

export const UNEDITED: EditFlags = { projectEdited: false, notesEdited: false, timesEdited: false };

export function editedFields(entry: EditFlags): TimeEntryField[] {
  return TIME_ENTRY_FIELDS.filter((field) => flagOf(entry, field));
}

function flagOf(entry: EditFlags, field: TimeEntryField): boolean {
  return field === "PROJECT" ? entry.projectEdited : field === "NOTES" ? entry.notesEdited : entry.timesEdited;
}

/** SQL: the user changed at least one field of the entry. */
export function entryEdited(): SQL<boolean> {
  return sql<boolean>`(${timeEntries.projectEdited} or ${timeEntries.notesEdited} or ${timeEntries.timesEdited})`;
}

/** SQL: the user changed no field of the entry — a sync may remove it with its event. */
export function entryUnedited(): SQL<boolean> {
  return sql<boolean>`not ${entryEdited()}`;
}
