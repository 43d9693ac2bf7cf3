import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { DateTime } from "../scalars.js";
import { ProjectType } from "../types/project.js";
import { TimeTotalsType, TimeTotalType, TotalsGroupingEnum, WeekdayEnum } from "../types/time-totals.js";

@Resolver(() => TimeTotalType)
export class TimeTotalsResolver {
  @Query(() => TimeTotalsType, {
    description:
      "Sums of the caller's entry durations per day, week, month or project. Each entry counts wholly in the period its start falls in, so the sums match timeEntries with the same from and to.",
  })
  async timeTotals(
    @Ctx() ctx: GraphQLContext,
    @Arg("from", () => DateTime, { description: "Entries starting at or after this instant." }) from: Date,
    @Arg("to", () => DateTime, { description: "Entries starting before this instant." }) to: Date,
    @Arg("groupBy", () => TotalsGroupingEnum) groupBy: TotalsGroupingEnum,
    @Arg("timezone", () => String, { nullable: true, description: "IANA zone whose midnights bound the periods; default the caller's." }) timezone: string | null,
    @Arg("weekStartsOn", () => WeekdayEnum, { defaultValue: WeekdayEnum.MONDAY, description: "The first day of a week (ISO 8601: Monday)." })
    weekStartsOn: WeekdayEnum,
  ): Promise<TimeTotalsType> {
    const zone = timezone ?? ctx.user.timezone;
    const groups = await ctx.services.timeEntries.totals(ctx.user.id, { from, to, groupBy, timezone: zone, weekStartsOn });
    return {
      timezone: zone,
      weekStartsOn,
      durationSeconds: groups.reduce((sum, group) => sum + group.durationSeconds, 0),
      entryCount: groups.reduce((sum, group) => sum + group.entryCount, 0),
      groups,
    };
  }

  @FieldResolver(() => ProjectType, { nullable: true, description: "Grouped by project: the project; null otherwise." })
  project(@Ctx() ctx: GraphQLContext, @Root() total: TimeTotalType): Promise<ProjectType | null> | null {
    return total.projectId === null ? null : ctx.loaders.project.load(total.projectId);
  }
}
