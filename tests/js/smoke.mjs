// AWS SDK for JavaScript v3 against podstack: STS, SSM and Secrets Manager through
// unmodified clients pointed at PODSTACK_ENDPOINT. Prints "js smoke: ok" and exits 0
// on success; any failed assertion or error exits non-zero.
// Names carry a per-run suffix, so the script can run twice against one server.
import assert from "node:assert/strict";
import { config, endpoint, rejectsWith, run } from "./common.mjs";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import {
  SSMClient, PutParameterCommand, GetParameterCommand, GetParametersByPathCommand, DeleteParameterCommand,
} from "@aws-sdk/client-ssm";
import {
  SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand,
  DescribeSecretCommand, DeleteSecretCommand,
} from "@aws-sdk/client-secrets-manager";

const account = process.env.PODSTACK_ACCOUNT ?? "000000000000";

async function sts() {
  const id = await new STSClient(config).send(new GetCallerIdentityCommand({}));
  assert.equal(id.Account, account);
  assert.match(id.Arn, new RegExp(`^arn:aws:(iam|sts)::${account}:`));
}

async function ssm() {
  const client = new SSMClient(config);
  const base = `/js-${run}`;
  const put = await client.send(new PutParameterCommand({ Name: `${base}/a`, Value: "1", Type: "String" }));
  assert.equal(put.Version, 1);
  const again = await client.send(new PutParameterCommand({ Name: `${base}/a`, Value: "2", Overwrite: true }));
  assert.equal(again.Version, 2);
  await client.send(new PutParameterCommand({ Name: `${base}/b`, Value: "s3cret", Type: "SecureString" }));

  const got = await client.send(new GetParameterCommand({ Name: `${base}/b`, WithDecryption: true }));
  assert.equal(got.Parameter.Value, "s3cret");
  assert.equal(got.Parameter.Type, "SecureString");
  assert.ok(got.Parameter.LastModifiedDate instanceof Date);

  const byPath = await client.send(new GetParametersByPathCommand({ Path: base, WithDecryption: true }));
  assert.deepEqual(byPath.Parameters.map((p) => [p.Name, p.Value]).sort(),
    [[`${base}/a`, "2"], [`${base}/b`, "s3cret"]]);

  await client.send(new DeleteParameterCommand({ Name: `${base}/a` }));
  await rejectsWith(client.send(new GetParameterCommand({ Name: `${base}/a` })), "ParameterNotFound");
}

async function secretsManager() {
  const client = new SecretsManagerClient(config);
  const name = `js/secret-${run}`;
  const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: "v1", Description: "js" }));
  assert.match(created.ARN, new RegExp(`^arn:aws:secretsmanager:us-east-1:${account}:secret:${name}-[A-Za-z0-9]{6}$`));

  const first = await client.send(new GetSecretValueCommand({ SecretId: name }));
  assert.equal(first.SecretString, "v1");
  assert.equal(first.VersionId, created.VersionId);
  assert.deepEqual(first.VersionStages, ["AWSCURRENT"]);
  assert.ok(first.CreatedDate instanceof Date);

  // A binary version, addressed by ARN: bytes round-trip and the stages move.
  const v2 = await client.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretBinary: new Uint8Array([0, 1, 255]) }));
  assert.deepEqual(v2.VersionStages, ["AWSCURRENT"]);
  const bin = await client.send(new GetSecretValueCommand({ SecretId: name }));
  assert.equal(bin.VersionId, v2.VersionId);
  assert.deepEqual([...bin.SecretBinary], [0, 1, 255]);
  assert.equal(bin.SecretString, undefined);

  const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
  assert.equal(described.Description, "js");
  assert.deepEqual(described.VersionIdsToStages, {
    [created.VersionId]: ["AWSPREVIOUS"],
    [v2.VersionId]: ["AWSCURRENT"],
  });

  const deleted = await client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
  assert.equal(deleted.Name, name);
  assert.ok(deleted.DeletionDate instanceof Date);
  await rejectsWith(client.send(new GetSecretValueCommand({ SecretId: name })), "ResourceNotFoundException");
}

try {
  assert.ok(endpoint, "PODSTACK_ENDPOINT is not set");
  await sts();
  await ssm();
  await secretsManager();
  console.log("js smoke: ok");
} catch (e) {
  console.error(e);
  process.exit(1);
}
