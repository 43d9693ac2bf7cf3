import { describeServer } from "../servers/harness.js";
import { interopTests } from "./interop-suite.js";

describeServer("radicale", (ctx) => interopTests(ctx, { badSyncToken: "error" }));
