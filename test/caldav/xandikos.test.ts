import { describeServer } from "../servers/harness.js";
import { interopTests } from "./interop-suite.js";

describeServer("xandikos", (ctx) => interopTests(ctx, { badSyncToken: "error" }));
