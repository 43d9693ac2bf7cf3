/**
 * Project matching: which project an imported calendar event belongs to.
 *
 * The rules, in order (the first that applies wins):
 *
 *   1. TITLE    – the longest project name found in the event's SUMMARY, compared
 *                 case-insensitively and on word boundaries.
 *   2. CATEGORY – else the first CATEGORIES value that equals a project name
 *                 (case-insensitive, surrounding whitespace ignored).
 *   3. DEFAULT  – else the default project (the calendar's, or the integration's).
 *   4. NONE     – else no project.
 *
 * "Word boundary" is Unicode-aware: the character just before and just after the
 * name must not be a letter, number or combining mark (\p{L}\p{N}\p{M}), or must be
 * the edge of the title. So 'Alpha' is not found in 'Alphabet', 'Größe' is found in
 * 'größe', and names with punctuation ('C++', 'Project-X') work as written.
 *
 * Both sides are compared in a folded form (see {@link foldForMatching}): NFC, lower
 * case, 'ß' → 'ss', final sigma → sigma, whitespace runs → one space. 'GRÖSSE',
 * 'GRÖẞE' and 'größe' are therefore the same word.
 *
 * Cost: the matcher is built once per sync. All names are compiled into ONE regular
 * expression (an alternation, longest name first), so matching an event costs one
 * scan of its title, not one regex per project.
 *
 * The caller passes only the projects that may be matched (the active ones).
 */

export type MatchedBy = "TITLE" | "CATEGORY" | "DEFAULT" | "NONE";

export interface MatchableProject {
  id: string;
  name: string;
}

export interface ProjectMatch {
  projectId: string | null;
  matchedBy: MatchedBy;
}

export type ProjectMatcher = (
  summary: string,
  categories: readonly string[],
  defaultProjectId: string | null,
) => ProjectMatch;

const PRINTABLE_ASCII = /^[\x20-\x7e\t]*$/;

/** Distinct (title, categories, default) triples a matcher remembers; a sync sees a series' title once per occurrence. */
const MATCH_MEMO_SIZE = 10_000;

/** A letter, number or combining mark: what a name must NOT touch on either side. */
const WORD_CHAR = String.raw`[\p{L}\p{N}\p{M}]`;

/**
 * The folded form in which names and titles are compared. Exported for tests and for
 * anyone who needs to explain a match.
 */
export function foldForMatching(text: string): string {
  // Most titles are printable ASCII, where NFC and the locale-independent lower case change
  // nothing else: the same result, several times faster.
  if (PRINTABLE_ASCII.test(text)) return text.toLowerCase().replace(/\s+/g, " ").trim();
  return text
    .normalize("NFC")
    .toLocaleLowerCase("und")
    .replace(/ß/gu, "ss")
    .replace(/ς/gu, "σ")
    .replace(/\s+/gu, " ")
    .trim()
    .normalize("NFC");
}

export function createProjectMatcher(projects: readonly MatchableProject[]): ProjectMatcher {
  const byFoldedName = indexByFoldedName(projects);
  const titleRegex = buildTitleRegex([...byFoldedName.keys()]);

  const memo = new Map<string, ProjectMatch>();
  return function matchProject(summary, categories, defaultProjectId) {
    const key = JSON.stringify([summary, categories, defaultProjectId]);
    let match = memo.get(key);
    if (match === undefined) {
      match = matchUncached(summary, categories, defaultProjectId);
      if (memo.size >= MATCH_MEMO_SIZE) memo.clear();
      memo.set(key, match);
    }
    return match;
  };

  function matchUncached(summary: string, categories: readonly string[], defaultProjectId: string | null): ProjectMatch {
    const titleName = titleRegex === null ? null : longestNameIn(foldForMatching(summary), titleRegex);
    const titleProject = titleName === null ? undefined : byFoldedName.get(titleName);
    if (titleProject !== undefined) return { projectId: titleProject.id, matchedBy: "TITLE" };
    for (const category of categories) {
      const project = byFoldedName.get(foldForMatching(category));
      if (project !== undefined) return { projectId: project.id, matchedBy: "CATEGORY" };
    }
    if (defaultProjectId !== null) return { projectId: defaultProjectId, matchedBy: "DEFAULT" };
    return { projectId: null, matchedBy: "NONE" };
  }
}

/**
 * Folded name → project. Empty names are never matched. When two projects fold to
 * the same name ('Alpha' and 'ALPHA'), the one whose name, then id, sorts first
 * (by code unit, not locale) wins — the same project every sync, whatever order the
 * database returned them in.
 */
function indexByFoldedName(projects: readonly MatchableProject[]): Map<string, MatchableProject> {
  const sorted = [...projects].sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.id, b.id));
  const index = new Map<string, MatchableProject>();
  for (const project of sorted) {
    const folded = foldForMatching(project.name);
    if (folded !== "" && !index.has(folded)) index.set(folded, project);
  }
  return index;
}

/**
 * One regex that, at every position where a name starts on a word boundary, captures
 * the longest such name. It is a zero-width lookahead, so matches may overlap: in
 * 'alpha beta gamma' both 'alpha beta' and 'beta gamma' are seen. The alternation
 * is ordered longest first (ties by code unit order), and the closing boundary sits
 * inside the lookahead so a name that ends mid-word backtracks to a shorter one.
 */
function buildTitleRegex(foldedNames: readonly string[]): RegExp | null {
  if (foldedNames.length === 0) return null;
  const alternation = [...foldedNames]
    .sort((a, b) => codePointLength(b) - codePointLength(a) || compareStrings(a, b))
    .map(escapeRegExp)
    .join("|");
  return new RegExp(`(?<!${WORD_CHAR})(?=(${alternation})(?!${WORD_CHAR}))`, "gu");
}

/**
 * The longest name found in the folded title; among names of equal length the one
 * that occurs first in the title.
 */
function longestNameIn(foldedTitle: string, titleRegex: RegExp): string | null {
  let best: string | null = null;
  let bestLength = 0;
  for (const match of foldedTitle.matchAll(titleRegex)) {
    const name = match[1];
    if (name === undefined) continue;
    const length = codePointLength(name);
    if (length > bestLength) {
      best = name;
      bestLength = length;
    }
  }
  return best;
}

function escapeRegExp(text: string): string {
  // Only the syntax characters: with the `u` flag, escaping anything else is an error.
  return text.replace(/[\\^$.*+?()[\]{}|/]/gu, "\\$&");
}

function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
