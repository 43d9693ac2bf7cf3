import fs from "node:fs";
import { printSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { buildAppSchema } from "../../src/graphql/schema.js";

describe("schema.graphql", () => {
  it("is the printed form of the code-first schema (run `npm run -s schema:print > schema.graphql`)", async () => {
    const committed = fs.readFileSync(new URL("../../schema.graphql", import.meta.url), "utf8");
    expect(committed.trim()).toBe(printSchema(await buildAppSchema()).trim());
  });
});
