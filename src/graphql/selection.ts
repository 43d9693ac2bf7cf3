import type { GraphQLResolveInfo } from "graphql";
import { Kind } from "graphql";

/** Whether the operation selects `name` directly under the current field (fragments included). */
export function requestsField(info: GraphQLResolveInfo, name: string): boolean {
  const visit = (selections: readonly import("graphql").SelectionNode[]): boolean =>
    selections.some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === name;
      if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet.selections);
      const fragment = info.fragments[s.name.value];
      return fragment ? visit(fragment.selectionSet.selections) : false;
    });
  return info.fieldNodes.some((node) => node.selectionSet && visit(node.selectionSet.selections));
}
