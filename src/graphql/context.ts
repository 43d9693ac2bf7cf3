import type { Logger } from "../logger.js";
import type { Services } from "../services.js";
import type { User } from "../users/service.js";

/** Built per request after the bearer token was checked: every resolver acts as `user`. */
export interface GraphQLContext {
  user: User;
  services: Services;
  requestId: string;
  log: Logger;
}
