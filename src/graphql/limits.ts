import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode, type ValidationRule } from "graphql";
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";

interface Shape {
  depth: number;
  /** Fields with every fragment spread expanded (may be astronomically large: that is the point). */
  fields: number;
}

/**
 * Refuses operations nested deeper than `maxDepth` (the top-level fields are depth 0) or holding
 * more than `maxFields` fields once fragments are expanded. Each fragment is measured once and
 * fragment cycles are skipped (GraphQL's NoFragmentCyclesRule reports them), so this rule costs
 * time linear in the document — expanding spreads instead would double the work with every level
 * of a fragment fan-out, and recurse forever on a cycle. Introspection fields are not counted.
 */
export function operationShapeRule(maxDepth: number, maxFields: number): ValidationRule {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const measured = new Map<string, Shape>();
    const measure = (set: SelectionSetNode, visiting: ReadonlySet<string>): Shape => {
      let depth = 0;
      let fields = 0;
      for (const selection of set.selections) {
        let inner: Shape | null = null;
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith("__")) continue;
          fields += 1;
          if (selection.selectionSet) {
            const sub = measure(selection.selectionSet, visiting);
            inner = { depth: sub.depth + 1, fields: sub.fields };
          }
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          inner = measure(selection.selectionSet, visiting);
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || visiting.has(name)) continue;
          inner = measured.get(name) ?? measure(fragment.selectionSet, new Set([...visiting, name]));
          measured.set(name, inner);
        }
        if (inner) {
          depth = Math.max(depth, inner.depth);
          fields += inner.fields;
        }
      }
      return { depth, fields };
    };
    return {
      OperationDefinition(operation) {
        const shape = measure(operation.selectionSet, new Set());
        if (shape.depth > maxDepth) {
          context.reportError(new GraphQLError(`'${operation.name?.value ?? "anonymous"}' exceeds maximum operation depth of ${maxDepth}`, { nodes: [operation] }));
        }
        if (shape.fields > maxFields) {
          context.reportError(new GraphQLError(`The operation selects too many fields once fragments are expanded (more than ${maxFields})`, { nodes: [operation] }));
        }
        return false;
      },
    };
  };
}

/** Costs remembered per parsed document (Apollo reuses the parsed document of a repeated query). */
const COSTS_PER_DOCUMENT = 32;
const LONGEST_REMEMBERED_VARIABLES = 1024;

/**
 * Refuses operations whose estimated cost exceeds `maxComplexity`: each field costs 1 unless it
 * declares its own `complexity`, and aliases count, so one request cannot fan out into thousands
 * of resolver calls. The cost of a document with the same operation name and variables is computed
 * once.
 */
export function complexityLimitPlugin(schema: GraphQLSchema, maxComplexity: number): ApolloServerPlugin {
  const costs = new WeakMap<DocumentNode, Map<string, number>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const key = `${request.operationName ?? ""}\u0000${JSON.stringify(request.variables ?? {})}`;
          let known = costs.get(document);
          let complexity = known?.get(key);
          if (complexity === undefined) {
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
            if (key.length <= LONGEST_REMEMBERED_VARIABLES) {
              if (!known || known.size >= COSTS_PER_DOCUMENT) {
                known = new Map();
                costs.set(document, known);
              }
              known.set(key, complexity);
            }
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
