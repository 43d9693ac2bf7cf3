export * from "./errors.js";
export { CalDAVHttpClient, createCalDAVClient, type CalDAVClientOptions, type ClientStats, type DavRequest, type DavResponse, type RequestInfo } from "./http/client.js";
export { DEFAULT_MAX_REQUESTS_PER_ORIGIN, OriginPool, type OriginPoolOptions } from "./http/origin-pool.js";
export { classifyAddress, isAddressAllowed, resolveAndCheck, type AddressPolicy, type Resolver } from "./http/address-guard.js";
export { resolveHref, type ResolvedHref } from "./http/href.js";
export { normalizeCalendarUrl, sameCalendarUrl } from "./http/calendar-url.js";
export { describeCalendar, discoverCalendars, normalizeServerUrl, testConnection, type ConnectionTarget, type DiscoveredCalendar, type DiscoveryOptions } from "./discovery.js";
export { readOwnAddresses } from "./principal.js";
export {
  getCollectionState,
  listObjects,
  multiget,
  syncCollection,
  type CalendarObject,
  type CollectionState,
  type MultigetOptions,
  type MultigetResult,
  type ObjectRef,
  type SyncResult,
} from "./collection.js";
