import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, type GraphQLSchema, type ValidationRule } from "graphql";
import depthLimit from "graphql-depth-limit";
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";

/** Refuses operations nested deeper than `maxDepth` (introspection fields excepted). */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return depthLimit(maxDepth);
}

/**
 * Refuses operations whose estimated cost exceeds `maxComplexity`: each field costs 1 unless it
 * declares its own `complexity`, and aliases count, so one request cannot fan out into thousands
 * of resolver calls.
 */
export function complexityLimitPlugin(schema: GraphQLSchema, maxComplexity: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              query: document,
              variables: request.variables ?? {},
              operationName: request.operationName,
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (error) {
            // getComplexity coerces the variables before execution does: a bad variable is the client's error.
            throw new GraphQLError(error instanceof Error ? error.message : String(error), {
              extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
            });
          }
          if (complexity > maxComplexity) {
            throw new GraphQLError(`Query is too complex: ${complexity} exceeds the limit of ${maxComplexity}`, {
              extensions: { code: "QUERY_TOO_COMPLEX", http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
