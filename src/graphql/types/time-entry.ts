import { Field, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTime, NonNegativeInt, UUID } from "../scalars.js";

export enum TimeEntrySourceEnum {
  MANUAL = "manual",
  AUTO = "auto",
}
registerEnumType(TimeEntrySourceEnum, {
  name: "TimeEntrySource",
  description: "MANUAL: entered by a person. AUTO: imported from a calendar.",
});

@ObjectType("TimeEntry")
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

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime)
  updatedAt!: Date;
}

@ObjectType()
export class TimeEntryEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => TimeEntryType)
  node!: TimeEntryType;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType({ description: "Newest first (by start time)." })
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
