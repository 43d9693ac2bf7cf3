/**
 * Bringing our mirror of one calendar collection up to date: one template, three strategies
 * (as DAVx5's SyncManager has them), chosen by what the server offers and what we stored:
 *
 *   UNCHANGED        getctag and sync-token as stored → nothing to download (1 request).
 *   SYNC_COLLECTION  RFC 6578 delta from the stored sync-token; an invalid or expired token
 *                    (403 valid-sync-token, Xandikos' 500) falls back to a listing; a 507
 *                    truncated answer continues from the token it returned (§3.6).
 *   ETAG_LISTING     every href and etag (calendar-query REPORT, or PROPFIND Depth 1), diffed
 *                    against the mirror; FULL syncs take this path and download everything.
 *
 * Changed objects are then fetched with calendar-multiget in batches (or in one download of the
 * collection, when the server proves to scan it for every href). Servers disagree on the
 * details, so the template never trusts one answer alone: a delta that repeats unchanged items
 * (DAViCal) is filtered by etag, and deletions of hrefs we never had (Radicale's old tombstones)
 * are ignored.
 *
 * A missing item is never a deletion: an href the server reported but did not deliver (a multiget
 * leaves it out, as DAViCal does, or says 404 although the listing had it) keeps its mirror row,
 * and so its entries, and the calendar keeps its old sync-token without its ctag: the next sync
 * asks for the same delta (or lists) again and fetches the item then. Only a listing or a delta
 * that no longer names an href deletes it.
 */
import {
  CalDAVError,
  getCollectionState,
  listObjects,
  syncCollection,
  resolveHref,
  type CalDAVHttpClient,
  type CollectionState,
  type ObjectRef,
} from "../caldav/index.js";
import { fetchAllObjects, fetchObjectsByHref } from "../caldav/collection.js";

export type SyncMode = "INCREMENTAL" | "FULL";
export type CollectionStrategy = "UNCHANGED" | "SYNC_COLLECTION" | "ETAG_LISTING";

export interface FetchedObject {
  key: string;
  etag: string | null;
  data: string;
}

export interface CollectionChanges {
  strategy: CollectionStrategy;
  /** New and changed objects, with their data. */
  upserts: FetchedObject[];
  /** Mirror keys of objects that are gone. */
  deletions: string[];
  /** Mirror keys the server reported but did not deliver: neither changed nor deleted, fetched again next sync. */
  missing: string[];
  /**
   * Mirror keys of objects gone from the server while an item is missing: not deleted yet, and held
   * as they are (with their UIDs) until the next download reports them gone again.
   */
  deferredDeletions: string[];
  /** To store with the mirror once the changes are applied. */
  state: CollectionState;
  /** How many objects the collection holds after these changes; null: UNCHANGED, as many as the mirror (not read). */
  objectCount: number | null;
  notes: string[];
}

/** Limits a runaway sequence of truncated (507) answers. */
const MAX_SYNC_ROUNDS = 100;

export async function fetchCollectionChanges(
  client: CalDAVHttpClient,
  calendarUrl: string,
  stored: CollectionState,
  /** Mirror key ({@link objectKey}) → etag; or a loader, called only when the collection changed. */
  mirrorSource: ReadonlyMap<string, string | null> | (() => Promise<ReadonlyMap<string, string | null>>),
  mode: SyncMode,
): Promise<CollectionChanges> {
  const notes: string[] = [];
  // With a stored ctag, an unchanged ctag is enough to know nothing changed, and asking for it
  // alone is cheaper on some servers; a changed one goes straight to the delta, which brings the
  // new sync-token with it.
  const ctagOnly = mode === "INCREMENTAL" && stored.ctag !== null && stored.syncToken !== null;
  let current = await getCollectionState(client, calendarUrl, ctagOnly);
  if (ctagOnly && current.ctag === stored.ctag) {
    const objectCount = typeof mirrorSource === "function" ? null : mirrorSource.size;
    return { strategy: "UNCHANGED", upserts: [], deletions: [], missing: [], deferredDeletions: [], state: { ctag: current.ctag, syncToken: stored.syncToken }, objectCount, notes };
  }
  let complete = !ctagOnly;
  const completeState = async () => {
    if (!complete) {
      current = await getCollectionState(client, calendarUrl);
      complete = true;
    }
    return current;
  };
  if (ctagOnly && current.ctag === null) await completeState(); // the server stopped offering a ctag
  const known = stored.ctag !== null || stored.syncToken !== null;

  if (mode === "INCREMENTAL" && known && complete && sameState(stored, current)) {
    const objectCount = typeof mirrorSource === "function" ? null : mirrorSource.size;
    return { strategy: "UNCHANGED", upserts: [], deletions: [], missing: [], deferredDeletions: [], state: current, objectCount, notes };
  }
  const mirror = typeof mirrorSource === "function" ? await mirrorSource() : mirrorSource;

  if (mode === "INCREMENTAL" && stored.syncToken && (current.syncToken || !complete)) {
    try {
      const delta = await collectDelta(client, calendarUrl, stored.syncToken);
      const changed = delta.changed.filter((ref) => ref.etag === null || mirror.get(objectKey(ref.url)) !== ref.etag);
      const deleted = delta.deleted.filter((key) => mirror.has(key));
      const fetched = await fetchObjects(client, calendarUrl, changed);
      return {
        strategy: "SYNC_COLLECTION",
        upserts: fetched.objects,
        ...deletionsUnless(fetched.missing, deleted),
        missing: fetched.missing,
        state: resumeState(stored, { ctag: current.ctag, syncToken: delta.syncToken }, fetched.missing),
        objectCount: countAfter(mirror, fetched.objects, deleted),
        notes,
      };
    } catch (error) {
      if (!(error instanceof CalDAVError && error.code === "INVALID_SYNC_TOKEN")) throw error;
      notes.push("The server no longer accepts our sync token; compared the whole calendar instead.");
    }
  }

  // The listing path stores the state read before the listing: it needs the sync-token too.
  await completeState();
  // A FULL sync or a first import downloads everything anyway: one REPORT with the data.
  if (mode === "FULL" || mirror.size === 0) {
    const all = await fetchAllObjects(client, calendarUrl);
    if (all) {
      const listedKeys = new Set([...all.objects, ...all.withoutData].map((ref) => objectKey(ref.url)));
      const fetched = await fetchObjects(client, calendarUrl, all.withoutData);
      const upserts = [...all.objects.map((object) => ({ key: objectKey(object.url), etag: object.etag, data: object.data })), ...fetched.objects];
      return {
        strategy: "ETAG_LISTING",
        upserts,
        ...deletionsUnless(fetched.missing, [...mirror.keys()].filter((key) => !listedKeys.has(key))),
        missing: fetched.missing,
        state: resumeState(stored, current, fetched.missing),
        objectCount: listedKeys.size,
        notes,
      };
    }
  }

  const listed = await listObjects(client, calendarUrl);
  const listedKeys = new Set(listed.map((ref) => objectKey(ref.url)));
  const changed = mode === "FULL" ? listed : listed.filter((ref) => ref.etag === null || mirror.get(objectKey(ref.url)) !== ref.etag);
  const deleted = [...mirror.keys()].filter((key) => !listedKeys.has(key));
  const fetched = await fetchObjects(client, calendarUrl, changed);
  return {
    strategy: "ETAG_LISTING",
    upserts: fetched.objects,
    ...deletionsUnless(fetched.missing, deleted),
    missing: fetched.missing,
    // The state read before the listing: anything changed since shows up next time.
    state: resumeState(stored, current, fetched.missing),
    objectCount: listedKeys.size,
    notes,
  };
}

/**
 * The identity of an object in the mirror: origin and decoded path. Servers spell one href
 * differently in different answers (%7E or ~, encoded or raw non-ASCII); this does not.
 */
export function objectKey(url: string): string {
  const u = new URL(url);
  let path = u.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // a malformed escape: keep the path as sent
  }
  return u.origin + path;
}

function sameState(a: CollectionState, b: CollectionState): boolean {
  // A server offers a ctag, a sync-token or both; every one it offers must be unchanged.
  if (b.ctag === null && b.syncToken === null) return false;
  return a.ctag === b.ctag && a.syncToken === b.syncToken;
}

async function collectDelta(client: CalDAVHttpClient, calendarUrl: string, token: string) {
  const changed = new Map<string, ObjectRef>();
  const deleted = new Set<string>();
  let syncToken = token;
  for (let round = 0; round < MAX_SYNC_ROUNDS; round++) {
    const result = await syncCollection(client, calendarUrl, syncToken);
    for (const ref of result.changed) {
      changed.set(objectKey(ref.url), ref);
      deleted.delete(objectKey(ref.url));
    }
    for (const href of result.deleted) {
      const key = objectKey(resolveHref(href, calendarUrl).url);
      changed.delete(key);
      deleted.add(key);
    }
    syncToken = result.syncToken;
    if (!result.truncated) return { changed: [...changed.values()], deleted: [...deleted], syncToken };
  }
  throw new CalDAVError("INVALID_RESPONSE", { url: calendarUrl, detail: `sync-collection still truncated after ${MAX_SYNC_ROUNDS} rounds` });
}

/**
 * No deletion while an item is missing: the undelivered item may be the deleted one's content
 * under a new href (a client deleted and re-created it), so deleting now would lose its entries
 * until the item arrives. Nor may the deleted object count as still there: expanded from its stored
 * version beside its successor (same UID) it would give that event's time twice. Its deletion is
 * deferred — the object and its UID are held as they are — and, as the old state is kept
 * (resumeState), the next download reports it again.
 */
function deletionsUnless(missing: readonly string[], deleted: string[]): Pick<CollectionChanges, "deletions" | "deferredDeletions"> {
  return missing.length === 0 ? { deletions: deleted, deferredDeletions: [] } : { deletions: [], deferredDeletions: deleted };
}

/**
 * The state to store after a download. With items missing, the old sync-token and no ctag: the
 * next sync neither takes the unchanged fast path nor a delta that starts after the missing items.
 */
function resumeState(stored: CollectionState, current: CollectionState, missing: readonly string[]): CollectionState {
  return missing.length === 0 ? current : { ctag: null, syncToken: stored.syncToken };
}

async function fetchObjects(client: CalDAVHttpClient, calendarUrl: string, refs: ObjectRef[]): Promise<{ objects: FetchedObject[]; missing: string[] }> {
  if (refs.length === 0) return { objects: [], missing: [] };
  const fetched = await fetchObjectsByHref(client, calendarUrl, refs.map((ref) => ref.href));
  const wanted = new Set(refs.map((ref) => objectKey(ref.url)));
  const objects: FetchedObject[] = fetched
    .map((object) => ({ key: objectKey(object.url), etag: object.etag, data: object.data }))
    .filter((object) => wanted.has(object.key));
  const returned = new Set(objects.map((object) => object.key));
  // Listed a moment ago, not delivered now: deleted in between, or left out by the server. Only
  // the next listing or delta can tell which.
  return { objects, missing: [...wanted].filter((key) => !returned.has(key)) };
}

function countAfter(mirror: ReadonlyMap<string, string | null>, upserts: FetchedObject[], deletions: string[]): number {
  const keys = new Set(mirror.keys());
  for (const object of upserts) keys.add(object.key);
  for (const key of deletions) keys.delete(key);
  return keys.size;
}
