import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { ResultOf } from "./graphql.js";
import type { MeQuery } from "./operations.js";

export type Me = ResultOf<typeof MeQuery>["me"];

export interface Session {
  me: Me;
  /** Reloads the user (after a profile change). */
  refresh: () => void;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in user; only pages behind sign-in use it. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in page");
  return session;
}
