/**
 * Everything besides the calendar objects and the window that the desired entries depend on:
 * the integration's expansion settings, the owner's addresses (to find the invitations they declined), the
 * active projects and each calendar's default project. Read from the projects and users services.
 */
import type { ExpandOptions } from "../caldav/ical/index.js";
import type { Integration } from "../integrations/service.js";
import { createProjectMatcher, type ProjectMatcher } from "../projects/match.js";
import type { ProjectService } from "../projects/service.js";
import type { UserService } from "../users/service.js";
import type { Calendar } from "./mirror.js";

export interface ExpandContext {
  expandOptions: Omit<ExpandOptions, "windowStart" | "windowEnd">;
  optionsKey: string;
  matcher: ProjectMatcher;
  defaultProjectOf: Map<string, string | null>;
  /** what the desired entries of an object of this calendar depend on besides the object */
  desiredKeyOf(calendarId: string): string;
  /** everything besides the objects and the window that the plan depends on */
  fingerprint: string;
}

export async function expandContext(integration: Integration, calendars: readonly Calendar[], projects: ProjectService, users: UserService): Promise<ExpandContext> {
  const activeProjects = (await projects.list(integration.userId, false)).map(({ id, name }) => ({ id, name }));
  const active = new Set(activeProjects.map((p) => p.id));
  const matcher = createProjectMatcher(activeProjects);
  const ownerEmail = await users.emailOf(integration.userId);
  const expandOptions = {
    defaultZone: integration.timezone,
    importAllDay: integration.importAllDay,
    allDayStart: integration.allDayStart,
    allDayHours: integration.allDayHours,
    skipFreeEvents: integration.skipFreeEvents,
    // Who "me" is in ATTENDEE and ORGANIZER: the login, the user's e-mail, the addresses the
    // server lists for the principal (RFC 6638 §2.4.1) and the ones the user added.
    attendeeIdentities: [integration.username, ownerEmail ?? "", ...(integration.ownAddresses ?? []), ...integration.extraAttendeeAddresses]
      .filter(Boolean)
      .map((s) => s.toLowerCase()),
    skipTentativeInvitations: integration.skipTentativeInvitations,
    skipEventsWithoutMe: integration.skipEventsWithoutMe,
  };
  const defaultProjectOf = new Map(
    calendars.map((c) => {
      const own = c.defaultProjectId && active.has(c.defaultProjectId) ? c.defaultProjectId : null;
      const fallback = integration.defaultProjectId && active.has(integration.defaultProjectId) ? integration.defaultProjectId : null;
      return [c.id, own ?? fallback];
    }),
  );
  const optionsKey = JSON.stringify(expandOptions);
  const projectsKey = JSON.stringify(activeProjects.map((p) => [p.id, p.name]).sort());
  return {
    expandOptions,
    optionsKey,
    matcher,
    defaultProjectOf,
    desiredKeyOf: (calendarId) => `${projectsKey}|${defaultProjectOf.get(calendarId) ?? ""}`,
    fingerprint: JSON.stringify([optionsKey, projectsKey, [...defaultProjectOf].sort(), integration.lookbackDays, integration.lookaheadDays]),
  };
}
