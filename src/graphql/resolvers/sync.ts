import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root, UseMiddleware } from "type-graphql";
import type { SyncRun } from "../../sync/runs.js";
import type { GraphQLContext } from "../context.js";
import { RateLimit } from "../rate-limit.js";
import { UUID } from "../scalars.js";
import { CalDAVIntegrationType, type SyncStatus } from "../types/integration.js";
import { SyncModeEnum, SyncRunConnection, SyncRunType, type SyncTriggerEnum } from "../types/sync-run.js";

@Resolver(() => CalDAVIntegrationType)
export class SyncResolver {
  @Mutation(() => SyncRunType, {
    description:
      "Syncs the integration now, or joins the sync already running for it. Answers when the run finishes, or after 25 s with the run still RUNNING (poll it with syncRun(id)).",
  })
  @UseMiddleware(RateLimit("syncNow"))
  async syncNow(
    @Ctx() ctx: GraphQLContext,
    @Arg("integrationId", () => UUID) integrationId: string,
    @Arg("mode", () => SyncModeEnum, { defaultValue: SyncModeEnum.INCREMENTAL }) mode: SyncModeEnum,
    @Arg("confirmDeletions", () => Boolean, {
      defaultValue: false,
      description: "FULL only: delete entries even when the calendar looks empty or more than half of the entries would go.",
    })
    confirmDeletions: boolean,
  ): Promise<SyncRunType> {
    return toType(await ctx.services.sync.syncNow(ctx.user.id, integrationId, { mode, trigger: "MANUAL", confirmDeletions }));
  }

  @Query(() => SyncRunType, { description: "One sync run of one of the caller's integrations: poll it after syncNow answered RUNNING." })
  async syncRun(@Ctx() ctx: GraphQLContext, @Arg("id", () => UUID) id: string): Promise<SyncRunType> {
    return toType(await ctx.services.sync.syncRun(ctx.user.id, id));
  }

  @Query(() => SyncRunConnection, { description: "The integration's sync history, newest first." })
  async syncRuns(
    @Ctx() ctx: GraphQLContext,
    @Arg("integrationId", () => UUID) integrationId: string,
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | null,
  ): Promise<SyncRunConnection> {
    const page = await ctx.services.sync.list(ctx.user.id, integrationId, first, after);
    return {
      edges: page.runs.map((run) => ({ cursor: run.id, node: toType(run) })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.runs.at(-1)?.id ?? null },
    };
  }

  @FieldResolver(() => SyncRunType, { nullable: true, description: "The newest sync run." })
  async lastSyncRun(@Ctx() ctx: GraphQLContext, @Root() integration: CalDAVIntegrationType): Promise<SyncRunType | null> {
    const run = await ctx.loaders.lastSyncRun.load(integration.id);
    return run ? toType(run) : null;
  }
}

function toType(run: SyncRun): SyncRunType {
  return {
    ...run,
    mode: run.mode as SyncModeEnum,
    trigger: run.trigger as SyncTriggerEnum,
    status: run.status as SyncStatus,
    skipped: Object.entries(run.skipped).map(([reason, count]) => ({ reason, count })),
    calendars: run.calendars.map((calendar) => ({ ...calendar, status: calendar.status as SyncStatus })),
  };
}
