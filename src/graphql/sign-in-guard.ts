import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, Kind, type FragmentDefinitionNode, type GraphQLObjectType, type GraphQLSchema, type SelectionSetNode } from "graphql";
import { SIGN_IN_REQUIRED, type GraphQLContext } from "./context.js";

/** Field extension for the root fields anyone may call unsigned: `@Extensions({ [OPEN_TO_ANYONE]: true })`. */
export const OPEN_TO_ANYONE = "openToAnyone";

/**
 * Introspection (GraphQL spec §4) is open: the schema is published with the source
 * (schema.graphql), and the playground's Docs panel needs it before anyone has signed in.
 */
const INTROSPECTION_FIELDS: ReadonlySet<string> = new Set(["__typename", "__schema", "__type"]);

/**
 * Refuses, with 401 and before anything runs, an operation from nobody in particular (no token,
 * no session) unless every root field it asks for is open to anyone: signIn, signOut and introspection.
 */
export function requireSignInPlugin(schema: GraphQLSchema): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue }) {
      if (contextValue.auth.via !== "none") return {};
      return {
        async didResolveOperation({ operation, document }) {
          const root = !operation ? null : operation.operation === "query" ? schema.getQueryType() : operation.operation === "mutation" ? schema.getMutationType() : null;
          const fragments = new Map(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
          );
          if (!root || !onlyOpenFields(root, operation!.selectionSet, fragments, new Set())) {
            throw new GraphQLError(SIGN_IN_REQUIRED, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
          }
        },
      };
    },
  };
}

function onlyOpenFields(root: GraphQLObjectType, selections: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): boolean {
  return selections.selections.every((selection) => {
    if (selection.kind === Kind.FIELD) {
      return INTROSPECTION_FIELDS.has(selection.name.value) || root.getFields()[selection.name.value]?.extensions[OPEN_TO_ANYONE] === true;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) return onlyOpenFields(root, selection.selectionSet, fragments, seen);
    const fragment = fragments.get(selection.name.value);
    if (!fragment || seen.has(fragment.name.value)) return false;
    seen.add(fragment.name.value);
    return onlyOpenFields(root, fragment.selectionSet, fragments, seen);
  });
}
