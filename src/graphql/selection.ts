import type { GraphQLResolveInfo, SelectionNode } from "graphql";
import { Kind } from "graphql";

/** Whether the operation selects `name` directly under the current field (fragments included). */
export function requestsField(info: GraphQLResolveInfo, name: string): boolean {
  return selectedFields(info, []).has(name);
}

/**
 * Names of the fields selected at `path` below the current field, e.g. ["edges", "node"], through
 * aliases and fragments. Directives are not evaluated: a field under @skip counts as selected.
 */
export function selectedFields(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  const names = new Set<string>();
  const visit = (selections: readonly SelectionNode[], depth: number, fragments: ReadonlySet<string>): void => {
    for (const s of selections) {
      if (s.kind === Kind.FIELD) {
        if (depth === path.length) names.add(s.name.value);
        else if (s.name.value === path[depth] && s.selectionSet) visit(s.selectionSet.selections, depth + 1, fragments);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        visit(s.selectionSet.selections, depth, fragments);
      } else {
        const fragment = info.fragments[s.name.value];
        if (fragment && !fragments.has(s.name.value)) visit(fragment.selectionSet.selections, depth, new Set([...fragments, s.name.value]));
      }
    }
  };
  for (const node of info.fieldNodes) if (node.selectionSet) visit(node.selectionSet.selections, 0, new Set());
  return names;
}
