import { graphql, type ResultOf } from "./graphql.js";

export const MeQuery = graphql(`
  query Me { me { id email name timezone isAdmin } }
`);

export const SignInMutation = graphql(`
  mutation SignIn($email: String!, $password: String!) { signIn(email: $email, password: $password) { id } }
`);

export const SignOutMutation = graphql(`
  mutation SignOut { signOut }
`);

export const SyncRunFields = graphql(`
  fragment SyncRunFields on SyncRun {
    id integrationId mode trigger status message startedAt finishedAt durationMs
    entriesCreated entriesUpdated entriesDeleted entriesUnchanged conflictsKept withheldDeletions
    objectsFetched occurrencesSeen requests
    skipped { reason count }
    errors { href uid message }
    warnings
    calendars { url name status download plan objectsFetched errorCode message entriesCreated entriesUpdated entriesDeleted entriesUnchanged conflictsKept }
  }
`);
export type SyncRunView = ResultOf<typeof SyncRunFields>;

export const IntegrationFields = graphql(`
  fragment IntegrationFields on CalDAVIntegration {
    id name serverUrl calendarUrl username verifySsl defaultProjectId lookbackDays lookaheadDays timezone
    importAllDay allDayStart allDayHours skipFreeEvents autoSyncIntervalMinutes nextSyncAt
    ownAddresses extraAttendeeAddresses skipTentativeInvitations skipEventsWithoutMe
    status attention lastSyncAt lastSyncStatus lastError
    lastCleanup { deleted kept }
  }
`);
export type IntegrationView = ResultOf<typeof IntegrationFields>;

export const IntegrationsQuery = graphql(
  `
  query Integrations { integrations { ...IntegrationFields lastSyncRun { ...SyncRunFields } } }
`,
  [IntegrationFields, SyncRunFields],
);

export const IntegrationQuery = graphql(
  `
  query Integration($id: UUID!) {
    integration(id: $id) { ...IntegrationFields lastSyncRun { ...SyncRunFields } }
    calendars(integrationId: $id) { id url displayName description color supportsEvents selected autoSelected defaultProjectId }
  }
`,
  [IntegrationFields, SyncRunFields],
);

export const LastSyncRunQuery = graphql(
  `
  query LastSyncRun($id: UUID!) { integration(id: $id) { id lastSyncRun { ...SyncRunFields } } }
`,
  [SyncRunFields],
);

export const SyncRunQuery = graphql(
  `
  query SyncRun($id: UUID!) { syncRun(id: $id) { ...SyncRunFields } }
`,
  [SyncRunFields],
);

export const SyncRunsQuery = graphql(
  `
  query SyncRuns($integrationId: UUID!, $first: Int!, $after: String) {
    syncRuns(integrationId: $integrationId, first: $first, after: $after) {
      edges { node { ...SyncRunFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [SyncRunFields],
);

export const SyncNowMutation = graphql(
  `
  mutation SyncNow($integrationId: UUID!, $mode: SyncMode!, $confirmDeletions: Boolean!) {
    syncNow(integrationId: $integrationId, mode: $mode, confirmDeletions: $confirmDeletions) { ...SyncRunFields }
  }
`,
  [SyncRunFields],
);

export const ResumeIntegrationMutation = graphql(
  `
  mutation ResumeIntegration($id: UUID!) { resumeIntegration(id: $id) { ...IntegrationFields } }
`,
  [IntegrationFields],
);

export const DiscoverCalendarsQuery = graphql(`
  query DiscoverCalendars($input: DiscoverCalendarsInput!) {
    discoverCalendars(input: $input) { url displayName description color supportsEvents }
  }
`);

export const ConfigureIntegrationMutation = graphql(
  `
  mutation ConfigureIntegration($input: ConfigureCalDAVIntegrationInput!) {
    configureCalDAVIntegration(input: $input) { ...IntegrationFields }
  }
`,
  [IntegrationFields],
);

export const TestConnectionMutation = graphql(`
  mutation TestConnection($integrationId: UUID!) {
    testConnection(integrationId: $integrationId) {
      success message errorCode
      calendars { calendarId url displayName supportsEvents selected ok code message }
    }
  }
`);

export const DeleteIntegrationMutation = graphql(`
  mutation DeleteIntegration($id: UUID!, $deleteEntries: Boolean!) { deleteIntegration(id: $id, deleteEntries: $deleteEntries) { deleted kept } }
`);

export const RestoreImportedEntriesMutation = graphql(`
  mutation RestoreImportedEntries($integrationId: UUID!) { restoreImportedEntries(integrationId: $integrationId) }
`);

export const ProjectsQuery = graphql(`
  query Projects($includeArchived: Boolean!) { projects(includeArchived: $includeArchived) { id name archived } }
`);

export const CreateProjectMutation = graphql(`
  mutation CreateProject($name: String!) { createProject(input: { name: $name }) { id name archived } }
`);

export const UpdateProjectMutation = graphql(`
  mutation UpdateProject($input: UpdateProjectInput!) { updateProject(input: $input) { id name archived } }
`);

export const TimeEntryFields = graphql(`
  fragment TimeEntryFields on TimeEntry {
    id projectId startTime endTime durationSeconds notes source matchedBy editedFields
    project { id name }
    externalEvent { calendarUrl detached }
  }
`);
export type TimeEntryView = ResultOf<typeof TimeEntryFields>;

export const WeekEntriesQuery = graphql(
  `
  query WeekEntries($from: DateTime!, $to: DateTime!, $first: Int!, $after: String) {
    timeEntries(filter: { from: $from, to: $to }, first: $first, after: $after) {
      edges { node { ...TimeEntryFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [TimeEntryFields],
);

export const WeekTotalsQuery = graphql(`
  query WeekTotals($from: DateTime!, $to: DateTime!) {
    byDay: timeTotals(from: $from, to: $to, groupBy: DAY) { durationSeconds entryCount groups { period durationSeconds } }
    byProject: timeTotals(from: $from, to: $to, groupBy: PROJECT) { groups { projectId project { name } durationSeconds entryCount } }
  }
`);

export const IntegrationNamesQuery = graphql(`
  query IntegrationNames { integrations { id name } }
`);

export const CalendarNamesQuery = graphql(`
  query CalendarNames($integrationId: UUID!) { calendars(integrationId: $integrationId) { url displayName } }
`);

export const CreateTimeEntryMutation = graphql(
  `
  mutation CreateTimeEntry($input: CreateTimeEntryInput!) { createTimeEntry(input: $input) { ...TimeEntryFields } }
`,
  [TimeEntryFields],
);

export const UpdateTimeEntryMutation = graphql(
  `
  mutation UpdateTimeEntry($input: UpdateTimeEntryInput!) { updateTimeEntry(input: $input) { ...TimeEntryFields } }
`,
  [TimeEntryFields],
);

export const ResetTimeEntryMutation = graphql(
  `
  mutation ResetTimeEntry($id: UUID!) { resetTimeEntry(id: $id) { ...TimeEntryFields } }
`,
  [TimeEntryFields],
);

export const DeleteTimeEntryMutation = graphql(`
  mutation DeleteTimeEntry($id: UUID!) { deleteTimeEntry(id: $id) }
`);

export const UpdateMeMutation = graphql(`
  mutation UpdateMe($input: UpdateMeInput!) {
    updateMe(input: $input) { user { id email name timezone isAdmin } movedIntegrationIds integrationIdsOnPreviousTimezone }
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);

export const TokensAndSessionsQuery = graphql(`
  query TokensAndSessions($userId: UUID) {
    apiTokens(userId: $userId) { id name prefix createdAt lastUsedAt revokedAt }
    sessions { id prefix userAgent createdAt lastUsedAt expiresAt current }
  }
`);

export const TokensQuery = graphql(`
  query Tokens($userId: UUID) { apiTokens(userId: $userId) { id name prefix createdAt lastUsedAt revokedAt } }
`);

export const CreateTokenMutation = graphql(`
  mutation CreateToken($name: String!, $userId: UUID) {
    createApiToken(name: $name, userId: $userId) { token apiToken { id name prefix createdAt lastUsedAt revokedAt } }
  }
`);

export const RevokeTokenMutation = graphql(`
  mutation RevokeToken($id: UUID!) { revokeApiToken(id: $id) { id revokedAt } }
`);

export const RevokeSessionMutation = graphql(`
  mutation RevokeSession($id: UUID!) { revokeSession(id: $id) }
`);

export const UsersQuery = graphql(`
  query Users { users { id email name timezone isAdmin disabledAt createdAt } }
`);

export const CreateUserMutation = graphql(`
  mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { id email name timezone isAdmin disabledAt createdAt } }
`);

export const SetUserAdminMutation = graphql(`
  mutation SetUserAdmin($userId: UUID!, $isAdmin: Boolean!) { setUserAdmin(userId: $userId, isAdmin: $isAdmin) { id isAdmin } }
`);

export const DisableUserMutation = graphql(`
  mutation DisableUser($userId: UUID!) { disableUser(userId: $userId) { id disabledAt } }
`);
