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

export enum TimeEntryFieldEnum {
  PROJECT = "PROJECT",
  NOTES = "NOTES",
  TIMES = "TIMES",
}
registerEnumType(TimeEntryFieldEnum, {
  name: "TimeEntryField",
  description: "A field of a time entry a user can change: its project, its notes, or its times (start and end together).",
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

  @Field(() => Boolean, {
    description: "The entry had fields you edited when its event was removed from the calendar: syncs no longer touch it. resetTimeEntry re-attaches it while the event exists.",
  })
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

  @Field(() => [TimeEntryFieldEnum], {
    description:
      "The fields of an imported entry you changed. Syncs never overwrite them and keep the others following the calendar; an entry with any of them stays (detached) when its event is removed. resetTimeEntry clears them.",
  })
  editedFields!: TimeEntryFieldEnum[];

  @Field(() => Boolean, { description: "editedFields is not empty (kept for clients written before editedFields)." })
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

  @Field(() => UUID, { nullable: true, description: "Entries imported from this integration's calendars, detached ones included." })
  integrationId?: string | null;

  @Field(() => UUID, { nullable: true, description: "Entries imported from this calendar (IntegrationCalendar.id), detached ones included." })
  calendarId?: string | null;
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
