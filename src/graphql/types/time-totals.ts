import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTime, UUID } from "../scalars.js";

export enum TotalsGroupingEnum {
  DAY = "DAY",
  WEEK = "WEEK",
  MONTH = "MONTH",
  PROJECT = "PROJECT",
}
registerEnumType(TotalsGroupingEnum, { name: "TotalsGrouping" });

/** Numbered as ISO 8601 (and PostgreSQL's isodow) numbers them. */
export enum WeekdayEnum {
  MONDAY = 1,
  TUESDAY = 2,
  WEDNESDAY = 3,
  THURSDAY = 4,
  FRIDAY = 5,
  SATURDAY = 6,
  SUNDAY = 7,
}
registerEnumType(WeekdayEnum, { name: "Weekday" });

@ObjectType("TimeTotal", { simpleResolvers: true, description: "The sum of one group of entries." })
export class TimeTotalType {
  @Field(() => String, { nullable: true, description: 'The first local day of the day, week or month, "YYYY-MM-DD"; null when grouped by project.' })
  period!: string | null;

  @Field(() => DateTime, { nullable: true, description: "The instant that local day starts; null when grouped by project." })
  periodStart!: Date | null;

  @Field(() => UUID, { nullable: true, description: "Grouped by project: the project; null for entries without a project, and when grouped by period." })
  projectId!: string | null;

  @Field(() => Int)
  durationSeconds!: number;

  @Field(() => Int)
  entryCount!: number;
}

@ObjectType("TimeTotals", { simpleResolvers: true })
export class TimeTotalsType {
  @Field(() => String, { description: "The zone whose midnights bound the days, weeks and months." })
  timezone!: string;

  @Field(() => WeekdayEnum)
  weekStartsOn!: WeekdayEnum;

  @Field(() => Int, { description: "All entries in the range." })
  durationSeconds!: number;

  @Field(() => Int)
  entryCount!: number;

  @Field(() => [TimeTotalType], { description: "Only groups with entries: periods in time order, projects by duration, longest first." })
  groups!: TimeTotalType[];
}
