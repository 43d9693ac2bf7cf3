import { initGraphQLTada } from "gql.tada";
import type { introspection } from "./graphql-env.d.ts";

/** Operations typed against ../schema.graphql (graphql-env.d.ts is generated from it). */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  // Fragments are plain field lists here: every page reads what it asked for directly.
  disableMasking: true;
  scalars: { UUID: string; DateTime: string; EmailAddress: string; TimeZone: string; NonNegativeInt: number };
}>();

export type { ResultOf, VariablesOf } from "gql.tada";
