// AWS SDK for JavaScript v3 against podstack: STS, SSM, Secrets Manager and S3 through
// unmodified clients pointed at PODSTACK_ENDPOINT. Prints "js smoke: ok" and exits 0
// on success; any failed assertion or error exits non-zero.
// Names carry a per-run suffix, so the script can run twice against one server.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { config, endpoint, rejectsWith, run } from "./common.mjs";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import {
  SSMClient, PutParameterCommand, GetParameterCommand, GetParametersByPathCommand, DeleteParameterCommand,
} from "@aws-sdk/client-ssm";
import {
  SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand,
  DescribeSecretCommand, DeleteSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
  DeleteObjectCommand,
} from "@aws-sdk/client-s3";

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

// CRC32 (IEEE), base64 of the big-endian value, as in x-amz-checksum-crc32.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0);
  return out.toString("base64");
}

async function s3() {
  // The SDK's defaults: CRC32 request checksums (a header for a known body, an aws-chunked
  // trailer for a stream) and response checksum validation.
  const client = new S3Client({ ...config, forcePathStyle: true });
  const sent = [];
  client.middlewareStack.add((next) => async (args) => {
    sent.push({ ...args.request.headers });
    return next(args);
  }, { step: "finalizeRequest", name: "recordHeaders" });
  const Bucket = `js-${run}`;
  await client.send(new CreateBucketCommand({ Bucket }));

  const text = "hello from js";
  const put = await client.send(new PutObjectCommand({
    Bucket, Key: "dir/hello ü.txt", Body: text, ContentType: "text/plain", Metadata: { origin: "js" },
  }));
  assert.equal(put.ChecksumCRC32, crc32(Buffer.from(text)));
  assert.equal(sent.at(-1)["x-amz-checksum-crc32"], crc32(Buffer.from(text)));
  const got = await client.send(new GetObjectCommand({ Bucket, Key: "dir/hello ü.txt", ChecksumMode: "ENABLED" }));
  assert.equal(await got.Body.transformToString(), text);
  assert.equal(got.ContentType, "text/plain");
  assert.deepEqual(got.Metadata, { origin: "js" });
  assert.equal(got.ChecksumCRC32, crc32(Buffer.from(text)));

  // A stream goes up aws-chunked with a CRC32 trailer.
  const big = randomBytes(3 * 1024 * 1024 + 17);
  const streamed = await client.send(new PutObjectCommand({
    Bucket, Key: "dir/stream.bin", ContentLength: big.length,
    Body: Readable.from([big.subarray(0, 1000000), big.subarray(1000000)]),
  }));
  const req = sent.at(-1);
  assert.match(req["content-encoding"] ?? "", /aws-chunked/);
  assert.equal(req["x-amz-trailer"], "x-amz-checksum-crc32");
  assert.equal(streamed.ChecksumCRC32, crc32(big));
  const back = await client.send(new GetObjectCommand({ Bucket, Key: "dir/stream.bin", ChecksumMode: "ENABLED" }));
  assert.ok(Buffer.from(await back.Body.transformToByteArray()).equals(big));
  assert.equal(back.ChecksumCRC32, crc32(big));
  const head = await client.send(new HeadObjectCommand({ Bucket, Key: "dir/stream.bin" }));
  assert.equal(head.ContentLength, big.length);
  assert.equal(head.ContentEncoding, undefined);

  const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: "dir/" }));
  assert.deepEqual(listed.Contents.map((o) => [o.Key, o.Size]),
    [["dir/hello ü.txt", text.length], ["dir/stream.bin", big.length]]);
  const page = await client.send(new ListObjectsV2Command({ Bucket, MaxKeys: 1 }));
  assert.equal(page.IsTruncated, true);
  const rest = await client.send(new ListObjectsV2Command({ Bucket, ContinuationToken: page.NextContinuationToken }));
  assert.deepEqual(rest.Contents.map((o) => o.Key), ["dir/stream.bin"]);

  await client.send(new DeleteObjectCommand({ Bucket, Key: "dir/hello ü.txt" }));
  await rejectsWith(client.send(new GetObjectCommand({ Bucket, Key: "dir/hello ü.txt" })), "NoSuchKey");
}

try {
  assert.ok(endpoint, "PODSTACK_ENDPOINT is not set");
  await sts();
  await ssm();
  await secretsManager();
  await s3();
  console.log("js smoke: ok");
} catch (e) {
  console.error(e);
  process.exit(1);
}
