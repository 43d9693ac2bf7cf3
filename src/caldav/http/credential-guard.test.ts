import { describe, expect, it } from "vitest";
import { CalDAVError } from "../errors.js";
import { CalDAVHttpClient } from "./client.js";

describe("the credential guard", () => {
  it("takes the configured URLs' origins, not the first request's, and names both origins when it refuses", async () => {
    const client = new CalDAVHttpClient({ username: "u", password: "p", credentialOrigins: ["http://127.0.0.1:15399/anna/personal/", "http://127.0.0.1:15400/"] });
    try {
      // Refused before any connection is made: nothing listens on these ports.
      const refused = await client.request({ method: "PROPFIND", url: "http://127.0.0.1:15401/anna/" }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(CalDAVError);
      expect((refused as CalDAVError).code).toBe("INVALID_RESPONSE");
      expect((refused as CalDAVError).detail).toBe(
        "refusing to send credentials to http://127.0.0.1:15401: the configured server is http://127.0.0.1:15399 or http://127.0.0.1:15400",
      );
      expect(client.mayReceiveCredentials("http://127.0.0.1:15400/x/")).toBe(true);
      expect(client.mayReceiveCredentials("http://127.0.0.1:15401/x/")).toBe(false);
    } finally {
      await client.close();
    }
  });
});
