import { Field, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import type { TimeEntry, TimeEntrySummary } from "../../time-entries/service.js";
import { DateTime, NonNegativeInt, UUID } from "../scalars.js";
import { PageInfo } from "./page-info.js";

export enum TimeEntrySourceEnum {
  MANUAL = "manual",
  AUTO = "auto",
}
registerEnumType(TimeEntrySourceEnum, {
  name: "TimeEntrySource",
  description: "MANUAL: entered by a person. AUTO: imported from a calendar.",
});

export enum MatchedByEnum {
  TITLE = "TITLE",
  CATEGORY = "CATEGORY",
  DEFAULT = "DEFAULT",
  NONE = "NONE",
}
registerEnumType(MatchedByEnum, {
  name: "MatchedBy",
  description: "How an imported entry got its project: a project name in the event title, a category, the default project, or none.",
});

@ObjectType("ExternalEvent", { simpleResolvers: true, description: "The calendar occurrence an imported entry came from." })
export class ExternalEventType {
  @Field(() => String)
  uid!: string;

  @Field(() => String, { nullable: true, description: "The occurrence's original start, for a recurring event; null for a single event." })
  recurrenceId!: string | null;

  @Field(() => String)
  calendarUrl!: string;

  @Field(() => String)
  href!: string;

  @Field(() => Boolean, { description: "You edited the entry and its event changed since: syncs no longer touch this entry." })
  detached!: boolean;
}

@ObjectType("TimeEntry", { simpleResolvers: true })
export class TimeEntryType {
  @Field(() => UUID)
  id!: string;

  @Field(() => UUID, { nullable: true })
  projectId!: string | null;

  @Field(() => DateTime)
  startTime!: Date;

  @Field(() => DateTime)
  endTime!: Date;

  @Field(() => NonNegativeInt)
  durationSeconds!: number;

  @Field(() => String)
  notes!: string;

  @Field(() => TimeEntrySourceEnum)
  source!: TimeEntrySourceEnum;

  @Field(() => MatchedByEnum, { nullable: true, description: "For imported entries." })
  matchedBy!: MatchedByEnum | null;

  @Field(() => Boolean, { description: "An imported entry you changed: syncs never overwrite or delete it." })
  editedAfterImport!: boolean;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime)
  updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class TimeEntryEdge {
  @Field(() => String)
  cursor!: string;

  /** The service's entry as it is (the enums hold the same strings): its summary when nothing else is selected. */
  @Field(() => TimeEntryType)
  node!: TimeEntry | TimeEntrySummary;
}

@ObjectType({ simpleResolvers: true, description: "Newest first (by start time)." })
export class TimeEntryConnection {
  @Field(() => [TimeEntryEdge])
  edges!: TimeEntryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: "Entries matching the filter, on all pages." })
  totalCount!: number;
}

@InputType()
export class TimeEntryFilterInput {
  @Field(() => DateTime, { nullable: true, description: "Entries starting at or after this instant." })
  from?: Date | null;

  @Field(() => DateTime, { nullable: true, description: "Entries starting before this instant." })
  to?: Date | null;

  @Field(() => UUID, { nullable: true })
  projectId?: string | null;

  @Field(() => TimeEntrySourceEnum, { nullable: true })
  source?: TimeEntrySourceEnum | null;
}

@InputType()
export class CreateTimeEntryInput {
  @Field(() => DateTime)
  startTime!: Date;

  @Field(() => DateTime)
  endTime!: Date;

  @Field(() => UUID, { nullable: true })
  projectId?: string | null;

  @Field(() => String, { nullable: true })
  notes?: string | null;
}

@InputType()
export class UpdateTimeEntryInput {
  @Field(() => UUID)
  id!: string;

  @Field(() => DateTime, { nullable: true })
  startTime?: Date | null;

  @Field(() => DateTime, { nullable: true })
  endTime?: Date | null;

  @Field(() => UUID, { nullable: true, description: "Omit to keep the project; null to clear it." })
  projectId?: string | null;

  @Field(() => String, { nullable: true })
  notes?: string | null;
}
