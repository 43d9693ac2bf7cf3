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
  @Field(() => String, { description: "ALL_DAY, CANCELLED, DECLINED, FREE, INVALID_TIME or PARSE_ERROR." })
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

@ObjectType("SyncRun", { description: "One sync of an integration and what it did." })
export class SyncRunType {
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

  @Field(() => [SkippedCount])
  skipped!: SkippedCount[];

  @Field(() => Int, { description: "HTTP requests made to the CalDAV server." })
  requests!: number;

  @Field(() => [SyncRunError], { description: "Calendar objects that could not be imported (at most 50)." })
  errors!: SyncRunError[];

  @Field(() => [String])
  warnings!: string[];
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
