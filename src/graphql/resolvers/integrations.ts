import { Arg, Ctx, Mutation, Query, Resolver, UseMiddleware } from "type-graphql";
import { badInput } from "../../errors.js";
import type { DiscoverInput, Integration } from "../../integrations/service.js";
import type { GraphQLContext } from "../context.js";
import { RateLimit } from "../rate-limit.js";
import { UUID } from "../scalars.js";
import {
  CalDAVIntegrationType,
  ConfigureCalDAVIntegrationInput,
  ConnectionTestResult,
  DiscoverCalendarsInput,
  IntegrationStatus,
  DiscoveredCalendarType,
  EntriesCleanupType,
  IntegrationCalendarType,
  type ConnectionErrorCode,
  type SyncStatus,
} from "../types/integration.js";

@Resolver(() => CalDAVIntegrationType)
export class IntegrationResolver {
  @Query(() => [CalDAVIntegrationType], { description: "The caller's CalDAV integrations." })
  async integrations(@Ctx() ctx: GraphQLContext): Promise<CalDAVIntegrationType[]> {
    return (await ctx.services.integrations.list(ctx.user.id)).map(toType);
  }

  @Query(() => CalDAVIntegrationType)
  async integration(@Ctx() ctx: GraphQLContext, @Arg("id", () => UUID) id: string): Promise<CalDAVIntegrationType> {
    return toType(await ctx.services.integrations.get(ctx.user.id, id));
  }

  @Query(() => [IntegrationCalendarType], { description: "The integration's known calendars; testConnection refreshes the list." })
  calendars(@Ctx() ctx: GraphQLContext, @Arg("integrationId", () => UUID) integrationId: string): Promise<IntegrationCalendarType[]> {
    return ctx.services.integrations.calendars(ctx.user.id, integrationId);
  }

  @Query(() => [DiscoveredCalendarType], { description: "Asks the CalDAV server for the account's calendars. Fails with CONNECTION_FAILED." })
  @UseMiddleware(RateLimit("discoverCalendars"))
  discoverCalendars(
    @Ctx() ctx: GraphQLContext,
    @Arg("input", () => DiscoverCalendarsInput) input: DiscoverCalendarsInput,
  ): Promise<DiscoveredCalendarType[]> {
    return ctx.services.integrations.discover(ctx.user.id, toDiscoverInput(input));
  }

  @Mutation(() => CalDAVIntegrationType)
  async configureCalDAVIntegration(
    @Ctx() ctx: GraphQLContext,
    @Arg("input", () => ConfigureCalDAVIntegrationInput) input: ConfigureCalDAVIntegrationInput,
  ): Promise<CalDAVIntegrationType> {
    return toType(await ctx.services.integrations.configure(ctx.user.id, input));
  }

  @Mutation(() => CalDAVIntegrationType, { description: "Ends a NEEDS_ATTENTION pause; the next scheduled sync runs right away." })
  async resumeIntegration(@Ctx() ctx: GraphQLContext, @Arg("id", () => UUID) id: string): Promise<CalDAVIntegrationType> {
    return toType(await ctx.services.integrations.resume(ctx.user.id, id));
  }

  @Mutation(() => EntriesCleanupType, {
    description: "Deletes the integration. Its imported entries stay, detached; with deleteEntries, the unedited ones are deleted. The answer counts both.",
  })
  deleteIntegration(
    @Ctx() ctx: GraphQLContext,
    @Arg("id", () => UUID) id: string,
    @Arg("deleteEntries", () => Boolean, { defaultValue: false }) deleteEntries: boolean,
  ): Promise<EntriesCleanupType> {
    return ctx.services.integrations.delete(ctx.user.id, id, deleteEntries);
  }

  @Mutation(() => ConnectionTestResult, { description: "Connects with the stored settings; the result explains any failure." })
  @UseMiddleware(RateLimit("testConnection"))
  async testConnection(@Ctx() ctx: GraphQLContext, @Arg("integrationId", () => UUID) integrationId: string): Promise<ConnectionTestResult> {
    const result = await ctx.services.integrations.testConnection(ctx.user.id, integrationId);
    return {
      ...result,
      errorCode: result.errorCode as ConnectionErrorCode | null,
      calendars: result.calendars.map((calendar) => ({ ...calendar, code: calendar.code as ConnectionErrorCode | null })),
    };
  }
}

function toDiscoverInput(input: DiscoverCalendarsInput): DiscoverInput {
  if (input.integrationId) {
    if (input.serverUrl || input.username || input.password) throw badInput("integrationId", "give either integrationId or serverUrl, username and password, not both");
    return { integrationId: input.integrationId };
  }
  if (!input.serverUrl) throw badInput("serverUrl", "is required without integrationId");
  if (!input.username) throw badInput("username", "is required without integrationId");
  if (!input.password) throw badInput("password", "is required without integrationId");
  return { serverUrl: input.serverUrl, username: input.username, password: input.password, verifySsl: input.verifySsl ?? true };
}

function toType(row: Integration): CalDAVIntegrationType {
  const paused = row.pausedReason !== null;
  return {
    ...row,
    ownAddresses: row.ownAddresses ?? [],
    lastSyncStatus: row.lastSyncStatus as SyncStatus | null,
    status: paused ? IntegrationStatus.NEEDS_ATTENTION : IntegrationStatus.ACTIVE,
    attention: row.pausedReason,
    nextSyncAt: paused ? null : row.nextSyncAt,
  };
}
