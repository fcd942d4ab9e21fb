// Shared by the SDK scripts: the client config for PODSTACK_ENDPOINT, a
// per-run name suffix, and an assertion on the AWS error name.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

export const endpoint = process.env.PODSTACK_ENDPOINT;
export const run = randomBytes(4).toString("hex");
export const config = {
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
};

export async function rejectsWith(promise, name) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.name, name);
    return true;
  });
}
