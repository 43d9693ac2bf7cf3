import { describeServer } from "../servers/harness.js";
import { interopTests } from "./interop-suite.js";

describeServer("cyrus", (ctx) => interopTests(ctx, { badSyncToken: "error" }));
