import { describe, expect, it } from "vitest";
import { createProjectMatcher, foldForMatching, type MatchableProject } from "./match.js";

const projects: MatchableProject[] = [
  { id: "p-alpha", name: "Alpha" },
  { id: "p-alpha-beta", name: "Alpha Beta" },
  { id: "p-beta-gamma-delta", name: "Beta Gamma Delta" },
  { id: "p-groesse", name: "Größe" },
  { id: "p-cafe", name: "Café" },
  { id: "p-cpp", name: "C++" },
  { id: "p-x", name: "Project-X" },
  { id: "p-dot", name: "v1.2 (beta)" },
  { id: "p-ops", name: "Ops" },
  { id: "p-dev", name: "Dev" },
];
const match = createProjectMatcher(projects);

describe("title matching", () => {
  it.each([
    // summary, expected project id (null: no title match)
    ["Alpha kickoff", "p-alpha"],
    ["alpha kickoff", "p-alpha"],
    ["ALPHA", "p-alpha"],
    ["Alphabet soup", null],
    ["Prealpha review", null],
    ["Alpha2 planning", null],
    ["(Alpha) planning", "p-alpha"],
    ["Review: Alpha.", "p-alpha"],
    ["Alpha Beta sync", "p-alpha-beta"], // longest wins over 'Alpha'
    ["Alpha  Beta sync", "p-alpha-beta"], // whitespace runs collapse
    ["Alpha Beta Gamma Delta", "p-beta-gamma-delta"], // overlapping candidates: longest anywhere
    ["größe", "p-groesse"],
    ["GRÖSSE meeting", "p-groesse"],
    ["GRÖẞE meeting", "p-groesse"],
    ["Größenwahn", null],
    ["café", "p-cafe"],
    ["Cafe\u0301 decomposed", "p-cafe"], // NFD input is normalised
    ["Cafés", null],
    ["C++ code review", "p-cpp"],
    ["code review c++", "p-cpp"],
    ["C++11 migration", null], // a digit touches the name: no boundary
    ["Project-X standup", "p-x"],
    ["project-x", "p-x"],
    ["Project-Xylophone", null],
    ["Release v1.2 (beta) now", "p-dot"],
    ["Release v1x2 (beta)", null], // '.' is literal, not a wildcard
    ["", null],
  ])("%j → %s", (summary, expected) => {
    const result = match(summary, [], null);
    expect(result).toEqual(
      expected === null ? { projectId: null, matchedBy: "NONE" } : { projectId: expected, matchedBy: "TITLE" },
    );
  });

  it("between names of equal length, the one that occurs first in the title wins", () => {
    expect(match("Ops and Dev", [], null).projectId).toBe("p-ops");
    expect(match("Dev and Ops", [], null).projectId).toBe("p-dev");
  });

  it("projects whose names fold to the same text resolve to the same project whatever the input order", () => {
    const a = { id: "b-id", name: "Alpha" };
    const b = { id: "a-id", name: "ALPHA" };
    const first = createProjectMatcher([a, b])("alpha", [], null);
    const second = createProjectMatcher([b, a])("alpha", [], null);
    expect(first).toEqual(second);
    expect(first.projectId).toBe("a-id"); // 'ALPHA' < 'Alpha' by code unit
  });

  it("ignores projects with empty or blank names", () => {
    const m = createProjectMatcher([{ id: "blank", name: "  " }, { id: "empty", name: "" }]);
    expect(m("anything at all", ["", " "], null)).toEqual({ projectId: null, matchedBy: "NONE" });
  });

  it("works with no projects at all", () => {
    expect(createProjectMatcher([])("Alpha", ["Alpha"], "d")).toEqual({ projectId: "d", matchedBy: "DEFAULT" });
  });

  it("treats regex syntax in names literally", () => {
    const m = createProjectMatcher([{ id: "re", name: "a|b" }, { id: "star", name: "*" }]);
    expect(m("a", [], null).matchedBy).toBe("NONE");
    expect(m("x a|b y", [], null).projectId).toBe("re");
    expect(m("x * y", [], null).projectId).toBe("star");
  });
});

describe("fallbacks: category, default, none", () => {
  it.each([
    // summary, categories, default, expected
    ["Standup", ["alpha"], null, { projectId: "p-alpha", matchedBy: "CATEGORY" }],
    ["Standup", ["  Alpha Beta  "], null, { projectId: "p-alpha-beta", matchedBy: "CATEGORY" }],
    ["Standup", ["GRÖSSE"], null, { projectId: "p-groesse", matchedBy: "CATEGORY" }],
    ["Standup", ["Work", "Ops", "Dev"], null, { projectId: "p-ops", matchedBy: "CATEGORY" }], // first matching category
    ["Standup", ["Alphabet"], null, { projectId: null, matchedBy: "NONE" }], // equality, not containment
    ["Standup", ["Alpha meeting"], null, { projectId: null, matchedBy: "NONE" }],
    ["Dev standup", ["Ops"], "p-default", { projectId: "p-dev", matchedBy: "TITLE" }], // title beats category
    ["Standup", ["Ops"], "p-default", { projectId: "p-ops", matchedBy: "CATEGORY" }], // category beats default
    ["Standup", ["Work"], "p-default", { projectId: "p-default", matchedBy: "DEFAULT" }],
    ["Standup", [], null, { projectId: null, matchedBy: "NONE" }],
  ])("%j %j default=%s", (summary, categories, defaultProjectId, expected) => {
    expect(match(summary, categories, defaultProjectId)).toEqual(expected);
  });
});

describe("foldForMatching", () => {
  it.each([
    ["Größe", "grösse"],
    ["GRÖẞE", "grösse"],
    ["ΟΔΟΣ", "οδοσ"],
    ["  Alpha \t Beta ", "alpha beta"],
    ["Cafe\u0301", "café"],
    ["C++ Review:\tQ3", "c++ review: q3"],
  ])("%j → %j", (input, folded) => {
    expect(foldForMatching(input)).toBe(folded);
  });

  it("folds printable ASCII exactly as the general path does", () => {
    // The fast path for ASCII must not change a result: compare with the same text behind a
    // non-ASCII prefix, which takes the general path, then strip the prefix.
    for (let code = 0x20; code <= 0x7e; code++) {
      const text = `Ab ${String.fromCharCode(code)}\tZ  ${String.fromCharCode(code)}x`;
      expect(foldForMatching(text), JSON.stringify(text)).toBe(foldForMatching(`é${text}`).slice(1));
    }
  });
});

describe("the matcher remembers answers", () => {
  it("answers a repeated title the same way, and tells apart categories and defaults", () => {
    const match = createProjectMatcher(projects);
    for (let i = 0; i < 3; i++) {
      expect(match("Weekly sync", ["Ops"], null)).toEqual({ projectId: "p-ops", matchedBy: "CATEGORY" });
      expect(match("Weekly sync", [], "p-alpha")).toEqual({ projectId: "p-alpha", matchedBy: "DEFAULT" });
      expect(match("Weekly sync", [], null)).toEqual({ projectId: null, matchedBy: "NONE" });
    }
  });
});

describe("scale", () => {
  it("matches 100k titles against 500 projects quickly (one regex, built once)", () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ id: `p${i}`, name: `Customer ${i} Project` }));
    const m = createProjectMatcher(many);
    const started = performance.now();
    let matched = 0;
    for (let i = 0; i < 100_000; i++) {
      if (m(`Call with Customer ${i % 700} Project about invoices`, [], null).matchedBy === "TITLE") matched++;
    }
    const elapsedMs = performance.now() - started;
    expect(matched).toBe(71_500); // i % 700 < 500: 142 full cycles × 500 + 500
    expect(elapsedMs).toBeLessThan(20_000);
  });
});
