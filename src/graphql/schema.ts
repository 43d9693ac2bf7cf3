import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { AccountResolver } from "./resolvers/accounts.js";
import { IntegrationResolver } from "./resolvers/integrations.js";
import { MeResolver } from "./resolvers/me.js";
import { ProjectResolver } from "./resolvers/projects.js";
import { SignInResolver } from "./resolvers/sign-in.js";
import { SyncResolver } from "./resolvers/sync.js";
import { TimeEntryResolver } from "./resolvers/time-entries.js";
import { TimeTotalsResolver } from "./resolvers/time-totals.js";
import { DateTime } from "./scalars.js";

export const resolvers = [MeResolver, SignInResolver, AccountResolver, ProjectResolver, TimeEntryResolver, TimeTotalsResolver, IntegrationResolver, SyncResolver] as const;

/** The executable schema; `schema.graphql` at the top level is its printed form (kept in step by a test). */
export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTime }],
    validate: false, // input is validated by the domain services, which name the field at fault
    emitSchemaFile: false,
  });
}
