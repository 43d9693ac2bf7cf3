import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTime, UUID } from "../scalars.js";
import { SyncStatus } from "./integration.js";
import { PageInfo } from "./page-info.js";

export enum SyncModeEnum {
  INCREMENTAL = "INCREMENTAL",
  FULL = "FULL",
}
registerEnumType(SyncModeEnum, {
  name: "SyncMode",
  description: "INCREMENTAL downloads only what changed since the last sync. FULL downloads and compares everything.",
});

export enum SyncTriggerEnum {
  MANUAL = "MANUAL",
  SCHEDULED = "SCHEDULED",
}
registerEnumType(SyncTriggerEnum, { name: "SyncTrigger" });

@ObjectType()
export class SkippedCount {
  @Field(() => String, { description: "ALL_DAY, CANCELLED, DECLINED, TENTATIVE, NOT_ATTENDING, DUPLICATE (another selected calendar holds the imported entry), FREE, INVALID_TIME or PARSE_ERROR (docs/sync.md)." })
  reason!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class SyncRunError {
  @Field(() => String)
  href!: string;

  @Field(() => String, { nullable: true })
  uid!: string | null;

  @Field(() => String)
  message!: string;
}

/** What a run, and each calendar of it, did to the timesheet. */
@ObjectType()
abstract class EntryCounts {
  @Field(() => Int)
  entriesCreated!: number;

  @Field(() => Int)
  entriesUpdated!: number;

  @Field(() => Int)
  entriesDeleted!: number;

  @Field(() => Int)
  entriesUnchanged!: number;

  @Field(() => Int, { description: "Entries you edited whose event changed or vanished: kept, and detached from the event." })
  conflictsKept!: number;
}

@ObjectType({ description: "What one sync run did with one calendar. Each calendar succeeds or fails on its own; a failed one keeps its entries as they were." })
export class SyncRunCalendar extends EntryCounts {
  @Field(() => String)
  url!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => SyncStatus, { description: "SUCCESS; PARTIAL when some objects could not be read or were not delivered (fetched again next sync); ERROR when the calendar could not be synced." })
  status!: SyncStatus;

  @Field(() => String, { nullable: true, description: "How changes were downloaded: UNCHANGED, SYNC_COLLECTION or ETAG_LISTING; null when the download failed." })
  download!: string | null;

  @Field(() => String, { nullable: true, description: "The planning strategy that ran: UNCHANGED, FIRST_IMPORT, SCOPED or COMPLETE; null when nothing was planned." })
  plan!: string | null;

  @Field(() => Int, { description: "Calendar objects downloaded." })
  objectsFetched!: number;

  @Field(() => String, { nullable: true, description: "Why the calendar failed (NOT_FOUND, NOT_CALDAV, SERVER_ERROR, …)." })
  errorCode!: string | null;

  @Field(() => String, { nullable: true, description: "What happened, in words, and what to do." })
  message!: string | null;
}

@ObjectType("SyncRun", { description: "One sync of an integration and what it did." })
export class SyncRunType extends EntryCounts {
  @Field(() => UUID)
  id!: string;

  @Field(() => UUID)
  integrationId!: string;

  @Field(() => SyncModeEnum)
  mode!: SyncModeEnum;

  @Field(() => SyncTriggerEnum)
  trigger!: SyncTriggerEnum;

  @Field(() => SyncStatus)
  status!: SyncStatus;

  @Field(() => String, { nullable: true, description: "What happened, in words; on PARTIAL and ERROR also what to do." })
  message!: string | null;

  @Field(() => DateTime)
  startedAt!: Date;

  @Field(() => DateTime, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => Int, { nullable: true })
  durationMs!: number | null;

  @Field(() => Int, { description: "Calendar objects downloaded." })
  objectsFetched!: number;

  @Field(() => Int, { description: "Occurrences in the window, imported or skipped." })
  occurrencesSeen!: number;

  @Field(() => Int, {
    description:
      "Deletions (and detachments of entries you edited) held back because a calendar suddenly lost most of its events or looked empty. When the events were really deleted, confirm with syncNow(mode: FULL, confirmDeletions: true).",
  })
  withheldDeletions!: number;

  @Field(() => [SkippedCount])
  skipped!: SkippedCount[];

  @Field(() => Int, { description: "HTTP requests made to the CalDAV server." })
  requests!: number;

  @Field(() => [SyncRunError], { description: "Calendar objects that could not be imported (at most 50)." })
  errors!: SyncRunError[];

  @Field(() => [String])
  warnings!: string[];

  @Field(() => [SyncRunCalendar], { description: "Per synced calendar: how it was downloaded and planned, its counts, or why it failed." })
  calendars!: SyncRunCalendar[];
}

@ObjectType()
export class SyncRunEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => SyncRunType)
  node!: SyncRunType;
}

@ObjectType({ description: "Newest first." })
export class SyncRunConnection {
  @Field(() => [SyncRunEdge])
  edges!: SyncRunEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
