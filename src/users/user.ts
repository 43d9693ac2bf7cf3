import { getTableColumns } from "drizzle-orm";
import { users } from "../db/schema.js";

/** A user as the rest of the server sees it: without the password hash, which never leaves src/users. */
export type User = Omit<typeof users.$inferSelect, "passwordHash">;

const { passwordHash: _passwordHash, ...columns } = getTableColumns(users);
/** Select these, not `users`, wherever a User is read. */
export const userColumns = columns;
