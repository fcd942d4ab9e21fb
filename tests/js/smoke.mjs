// AWS SDK for JavaScript v3 against podstack: STS, SSM and Secrets Manager,
// unmodified clients pointed at PODSTACK_ENDPOINT. Exits non-zero on failure.
import assert from "node:assert/strict";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import {
  SSMClient, PutParameterCommand, GetParameterCommand, GetParametersByPathCommand, DeleteParameterCommand,
} from "@aws-sdk/client-ssm";
import {
  SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand,
  DescribeSecretCommand, DeleteSecretCommand,
} from "@aws-sdk/client-secrets-manager";

const endpoint = process.env.PODSTACK_ENDPOINT;
assert.ok(endpoint, "PODSTACK_ENDPOINT is not set");
const config = {
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
};

const sts = new STSClient(config);
const id = await sts.send(new GetCallerIdentityCommand({}));
assert.equal(id.Account, "000000000000");

const ssm = new SSMClient(config);
const put = await ssm.send(new PutParameterCommand({ Name: "/js/a", Value: "1", Type: "String" }));
assert.equal(put.Version, 1);
await ssm.send(new PutParameterCommand({ Name: "/js/b", Value: "s3cret", Type: "SecureString" }));
const got = await ssm.send(new GetParameterCommand({ Name: "/js/b", WithDecryption: true }));
assert.equal(got.Parameter.Value, "s3cret");
assert.ok(got.Parameter.LastModifiedDate instanceof Date);
const byPath = await ssm.send(new GetParametersByPathCommand({ Path: "/js", WithDecryption: true }));
assert.deepEqual(byPath.Parameters.map((p) => p.Name).sort(), ["/js/a", "/js/b"]);
await ssm.send(new DeleteParameterCommand({ Name: "/js/a" }));
await assert.rejects(ssm.send(new GetParameterCommand({ Name: "/js/a" })), (e) => e.name === "ParameterNotFound");

const sm = new SecretsManagerClient(config);
const created = await sm.send(new CreateSecretCommand({ Name: "js/secret", SecretString: "v1" }));
assert.match(created.ARN, /^arn:aws:secretsmanager:us-east-1:000000000000:secret:js\/secret-[A-Za-z0-9]{6}$/);
assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "js/secret" }))).SecretString, "v1");
const v2 = await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretBinary: new Uint8Array([0, 1, 2]) }));
const bin = await sm.send(new GetSecretValueCommand({ SecretId: "js/secret" }));
assert.equal(bin.VersionId, v2.VersionId);
assert.deepEqual([...bin.SecretBinary], [0, 1, 2]);
const described = await sm.send(new DescribeSecretCommand({ SecretId: "js/secret" }));
assert.deepEqual(described.VersionIdsToStages[v2.VersionId], ["AWSCURRENT"]);
await sm.send(new DeleteSecretCommand({ SecretId: "js/secret", ForceDeleteWithoutRecovery: true }));
await assert.rejects(sm.send(new GetSecretValueCommand({ SecretId: "js/secret" })),
  (e) => e.name === "ResourceNotFoundException");

console.log("js smoke: ok");
