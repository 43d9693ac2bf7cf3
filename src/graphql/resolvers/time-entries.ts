import { Arg, Ctx, Extensions, FieldResolver, Info, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { GraphQLResolveInfo } from "graphql";
import { DEFAULT_PAGE_SIZE, SUMMARY_FIELDS, type TimeEntry, type TimeEntrySummary } from "../../time-entries/service.js";
import type { GraphQLContext } from "../context.js";
import { DIRECT_EXECUTION } from "../direct-execution.js";
import { requestsField, selectedFields } from "../selection.js";
import { UUID } from "../scalars.js";
import { ProjectType } from "../types/project.js";
import {
  CreateTimeEntryInput,
  ExternalEventType,
  TimeEntryConnection,
  TimeEntryFilterInput,
  TimeEntryType,
  UpdateTimeEntryInput,
} from "../types/time-entry.js";
import type { MatchedByEnum, TimeEntryFieldEnum, TimeEntrySourceEnum } from "../types/time-entry.js";

@Resolver(() => TimeEntryType)
export class TimeEntryResolver {
  @Query(() => TimeEntryConnection, {
    description: "The caller's time entries, newest first.",
    // A page costs its size: 100 aliases of `first: 500` must not pass as 100 cheap fields.
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Math.max(1, Number(args.first ?? DEFAULT_PAGE_SIZE)),
  })
  @Extensions({ [DIRECT_EXECUTION]: true })
  async timeEntries(
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
    @Arg("filter", () => TimeEntryFilterInput, { nullable: true }) filter: TimeEntryFilterInput | null,
    @Arg("first", () => Int, { defaultValue: DEFAULT_PAGE_SIZE }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | null,
  ): Promise<TimeEntryConnection> {
    const summaries = [...selectedFields(info, ["edges", "node"])].every((name) => SUMMARY_SELECTION.has(name));
    const page = summaries
      ? await ctx.services.timeEntries.listSummaries(ctx.user.id, filter ?? {}, first, after)
      : await ctx.services.timeEntries.list(ctx.user.id, filter ?? {}, first, after);
    return {
      edges: page.entries.map((entry, i) => ({ node: entry, cursor: page.cursors[i]! })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
      totalCount: requestsField(info, "totalCount") ? await page.totalCount() : 0,
    };
  }

  @Query(() => TimeEntryType)
  @Extensions({ [DIRECT_EXECUTION]: true })
  async timeEntry(@Ctx() ctx: GraphQLContext, @Arg("id", () => UUID) id: string): Promise<TimeEntryType> {
    return toType(await ctx.services.timeEntries.get(ctx.user.id, id));
  }

  @Mutation(() => TimeEntryType)
  async createTimeEntry(
    @Ctx() ctx: GraphQLContext,
    @Arg("input", () => CreateTimeEntryInput) input: CreateTimeEntryInput,
  ): Promise<TimeEntryType> {
    return toType(await ctx.services.timeEntries.create(ctx.user.id, input));
  }

  @Mutation(() => TimeEntryType)
  async updateTimeEntry(
    @Ctx() ctx: GraphQLContext,
    @Arg("input", () => UpdateTimeEntryInput) input: UpdateTimeEntryInput,
  ): Promise<TimeEntryType> {
    return toType(await ctx.services.timeEntries.update(ctx.user.id, input.id, input));
  }

  @Mutation(() => TimeEntryType, {
    description:
      "Puts an imported entry back to its calendar occurrence's version (times, notes, project), forgets your edits and re-attaches it, so it follows the event again. BAD_USER_INPUT when it has no occurrence to go back to.",
  })
  async resetTimeEntry(@Ctx() ctx: GraphQLContext, @Arg("id", () => UUID) id: string): Promise<TimeEntryType> {
    await ctx.services.importedEntries.reset(ctx.user.id, id);
    return toType(await ctx.services.timeEntries.get(ctx.user.id, id));
  }

  @Mutation(() => Int, {
    description:
      "Forgets that you deleted imported entries of this integration (or of one of its calendars): answers how many; the next sync imports their occurrences again.",
  })
  async restoreImportedEntries(
    @Ctx() ctx: GraphQLContext,
    @Arg("integrationId", () => UUID) integrationId: string,
    @Arg("calendarId", () => UUID, { nullable: true }) calendarId: string | null,
  ): Promise<number> {
    return ctx.services.importedEntries.restore(ctx.user.id, integrationId, calendarId ?? null);
  }

  @Mutation(() => Int, {
    description:
      "Deletes every entry matching the filter and answers how many; an empty filter is refused. Deleted imported entries are not imported again (see restoreImportedEntries).",
  })
  async deleteTimeEntries(@Ctx() ctx: GraphQLContext, @Arg("filter", () => TimeEntryFilterInput) filter: TimeEntryFilterInput): Promise<number> {
    return ctx.services.timeEntries.deleteMatching(ctx.user.id, filter);
  }

  @FieldResolver(() => ExternalEventType, { nullable: true, description: "Where an imported entry came from; null for manual entries." })
  externalEvent(@Ctx() ctx: GraphQLContext, @Root() entry: Pick<TimeEntrySummary, "id" | "source">): Promise<ExternalEventType | null> | null {
    return entry.source === "auto" ? ctx.loaders.externalEvent.load(entry.id) : null;
  }

  @FieldResolver(() => ProjectType, { nullable: true, description: "The entry's project; null when it has none." })
  project(@Ctx() ctx: GraphQLContext, @Root() entry: Pick<TimeEntrySummary, "projectId">): Promise<ProjectType | null> | null {
    return entry.projectId === null ? null : ctx.loaders.project.load(entry.projectId);
  }

  @Mutation(() => Boolean, { description: "True when the entry was deleted. A deleted imported entry is not imported again." })
  async deleteTimeEntry(@Ctx() ctx: GraphQLContext, @Arg("id", () => UUID) id: string): Promise<boolean> {
    await ctx.services.timeEntries.delete(ctx.user.id, id);
    return true;
  }
}

/** Fields a page of summaries answers; externalEvent and project need only summary columns. */
const SUMMARY_SELECTION: ReadonlySet<string> = new Set([...SUMMARY_FIELDS, "externalEvent", "project", "__typename"]);

function toType(entry: TimeEntry): TimeEntryType {
  return { ...entry, source: entry.source as TimeEntrySourceEnum, matchedBy: entry.matchedBy as MatchedByEnum | null, editedFields: entry.editedFields as TimeEntryFieldEnum[] };
}
