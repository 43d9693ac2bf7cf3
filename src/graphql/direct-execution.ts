import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from "@apollo/server";
import {
  GraphQLBoolean,
  GraphQLID,
  GraphQLInt,
  GraphQLString,
  getArgumentValues,
  getVariableValues,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLEnumType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLScalarType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { GraphQLContext } from "./context.js";

/**
 * Field extension marking a root query field as eligible: `@Extensions({ [DIRECT_EXECUTION]: true })`.
 * Only for resolvers that just read: when the answer cannot be built here, graphql-js runs the
 * resolver a second time.
 */
export const DIRECT_EXECUTION = "directExecution";

/** Thrown while completing a value that graphql-js would answer with an error: it then does. */
const UNSUPPORTED = Symbol("unsupported");

type Complete = (value: unknown) => unknown;

interface Plan {
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
  responseName: string;
  parentType: GraphQLObjectType;
  fragments: Record<string, FragmentDefinitionNode>;
  complete: Complete;
}

/**
 * Answers a query of one marked root field whose selection holds only plain fields (no fragments,
 * directives, arguments below the root or field resolvers) without graphql-js's execution: that
 * spends ~1 µs and ~1 KB on every field of every item (resolve info, argument maps, dictionary-mode
 * result objects), which made a page of 100 entries cost more than fetching it. The root field's
 * own resolver runs as usual, with its middlewares; the result is completed with the schema's own
 * serializers, in selection order, exactly as graphql-js would. Anything else — other operations,
 * a bad variable, an error, a null in a non-null field — goes to graphql-js unchanged.
 */
export function directExecutionPlugin(schema: GraphQLSchema): ApolloServerPlugin<GraphQLContext> {
  const plans = new WeakMap<DocumentNode, Map<OperationDefinitionNode, Plan | null>>();
  const planFor = (document: DocumentNode, operation: OperationDefinitionNode): Plan | null => {
    let byOperation = plans.get(document);
    if (!byOperation) {
      byOperation = new Map();
      plans.set(document, byOperation);
    }
    let plan = byOperation.get(operation);
    if (plan === undefined) {
      plan = compileOperation(schema, document, operation);
      byOperation.set(operation, plan);
    }
    return plan;
  };
  return {
    async requestDidStart() {
      return {
        async responseForOperation({ document, operation, request, contextValue }): Promise<GraphQLResponse | null> {
          // Apollo asks even when the document names no operation to run; graphql-js reports that.
          if (!operation) return null;
          const plan = planFor(document, operation);
          if (!plan?.field.resolve) return null;
          const variables = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
          if (!variables.coerced) return null;
          let data: Record<string, unknown>;
          try {
            const args = getArgumentValues(plan.field, plan.node, variables.coerced);
            const info: GraphQLResolveInfo = {
              fieldName: plan.node.name.value,
              fieldNodes: [plan.node],
              returnType: plan.field.type,
              parentType: plan.parentType,
              path: { prev: undefined, key: plan.responseName, typename: plan.parentType.name },
              schema,
              fragments: plan.fragments,
              rootValue: undefined,
              operation,
              variableValues: variables.coerced,
            };
            const value: unknown = await plan.field.resolve(undefined, args, contextValue, info);
            data = { [plan.responseName]: plan.complete(value) };
          } catch {
            return null;
          }
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: "single", singleResult: { data } } };
        },
      };
    },
  };
}

function compileOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Plan | null {
  const parentType = schema.getQueryType();
  const [node, ...others] = operation.selectionSet.selections;
  if (operation.operation !== "query" || !parentType || others.length > 0 || node?.kind !== Kind.FIELD || node.directives?.length) return null;
  const field = parentType.getFields()[node.name.value];
  if (!field?.resolve || field.extensions[DIRECT_EXECUTION] !== true) return null;
  const complete = compileValue(field.type, node.selectionSet);
  if (!complete) return null;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return { field, node, responseName: node.alias?.value ?? node.name.value, parentType, fragments, complete };
}

function compileValue(type: GraphQLOutputType, selectionSet: SelectionSetNode | undefined): Complete | null {
  const nonNull = isNonNullType(type);
  const inner = nonNull ? type.ofType : type;
  if (isScalarType(inner) || isEnumType(inner)) {
    if (selectionSet) return null;
    const serialize = leafSerializer(inner);
    return (value) => {
      if (value == null) {
        if (nonNull) throw UNSUPPORTED;
        return null;
      }
      const serialized = serialize(value);
      if (serialized == null) throw UNSUPPORTED;
      return serialized;
    };
  }
  const complete = isListType(inner) ? compileList(inner.ofType, selectionSet) : isObjectType(inner) && !inner.isTypeOf && selectionSet ? compileObject(inner, selectionSet) : null;
  if (!complete) return null;
  return (value) => {
    if (value == null) {
      if (nonNull) throw UNSUPPORTED;
      return null;
    }
    return complete(value);
  };
}

function compileList(itemType: GraphQLOutputType, selectionSet: SelectionSetNode | undefined): Complete | null {
  const item = compileValue(itemType, selectionSet);
  return (
    item &&
    ((value) => {
      if (!Array.isArray(value)) throw UNSUPPORTED;
      return value.map(item);
    })
  );
}

/** The type's serialize, skipping graphql-js's own scalars where it would return the value as it is. */
function leafSerializer(type: GraphQLScalarType | GraphQLEnumType): (value: unknown) => unknown {
  if (type === GraphQLString || type === GraphQLID) return (value) => (typeof value === "string" ? value : type.serialize(value));
  if (type === GraphQLBoolean) return (value) => (typeof value === "boolean" ? value : type.serialize(value));
  if (type === GraphQLInt) return (value) => (typeof value === "number" && (value | 0) === value ? value : type.serialize(value));
  return (value) => type.serialize(value);
}

function compileObject(type: GraphQLObjectType, selectionSet: SelectionSetNode): Complete | null {
  const fields = type.getFields();
  const entries: { key: string; name: string; complete: Complete }[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length || selection.arguments?.length) return null;
    const key = selection.alias?.value ?? selection.name.value;
    // graphql-js merges repeated response names; "__proto__" would not be a plain key here.
    if (key === "__proto__" || entries.some((e) => e.key === key)) return null;
    const name = selection.name.value;
    if (name === "__typename") {
      entries.push({ key, name, complete: () => type.name });
      continue;
    }
    const field = fields[name];
    // Only plain properties: a field with its own resolver (or Apollo's per-field hooks) needs graphql-js.
    if (!field || field.resolve) return null;
    const complete = compileValue(field.type, selection.selectionSet);
    if (!complete) return null;
    entries.push({ key, name, complete });
  }
  return (source) => {
    if (typeof source !== "object" || source === null) throw UNSUPPORTED;
    const result: Record<string, unknown> = {};
    for (const { key, name, complete } of entries) {
      const value: unknown = (source as Record<string, unknown>)[name];
      if (typeof value === "function") throw UNSUPPORTED;
      result[key] = complete(value);
    }
    return result;
  };
}
