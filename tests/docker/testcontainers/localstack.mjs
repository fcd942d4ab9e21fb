// Testcontainers' LocalStack module for Node (@testcontainers/localstack)
// starts podstack's image (PODSTACK_TEST_IMAGE) as it would start
// localstack/localstack, and S3 and SQS work through the AWS SDK v3 on the
// URI it hands out. Prints "testcontainers: ok" and exits 0 on success.
// Run by tests/docker/test_testcontainers.py, which disables Ryuk (no
// registry to pull it from) and labels the container with PODSTACK_TEST_RUN.
//
// The module's wait strategy is Wait.forLogMessage("Ready", 1): start()
// returns at podstack's "Ready." line, which podstack logs only once the
// ready.d hooks are done, i.e. when /_localstack/health turns 200 (healthy
// means ready). The ready.d hook copied in below takes two seconds on
// purpose before it creates a queue: were "Ready." logged any earlier, the
// queue would not exist yet when start() returns, and the check fails.
import assert from "node:assert/strict";
import { LocalstackContainer } from "@testcontainers/localstack";
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import {
  SQSClient, CreateQueueCommand, GetQueueUrlCommand, SendMessageCommand, ReceiveMessageCommand, DeleteMessageCommand,
} from "@aws-sdk/client-sqs";

const image = process.env.PODSTACK_TEST_IMAGE;
assert.ok(image, "PODSTACK_TEST_IMAGE names the image to start");

// Bash only (the plain image carries no AWS client): SQS CreateQueue over /dev/tcp.
const hook = `#!/bin/bash
set -eu
sleep 2
port=\${GATEWAY_LISTEN##*:}
body='{"QueueName":"made-by-ready-hook"}'
exec 3<>/dev/tcp/127.0.0.1/$port
printf 'POST / HTTP/1.1\\r\\nHost: localhost\\r\\nX-Amz-Target: AmazonSQS.CreateQueue\\r\\nContent-Type: application/x-amz-json-1.0\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n%s' "\${#body}" "$body" >&3
reply=$(cat <&3)
echo "CreateQueue answered: \${reply%%$'\\r'*}"
case "$reply" in "HTTP/1.1 200 "*) ;; *) exit 1 ;; esac
`;

const container = await new LocalstackContainer(image)
  .withLabels({ "podstack.test.run": process.env.PODSTACK_TEST_RUN ?? "" })
  .withCopyContentToContainer([{ content: hook, target: "/etc/podstack/init/ready.d/10-queue.sh", mode: 0o755 }])
  .start();
let failed = false;
try {
  const endpoint = container.getConnectionUri();
  console.log(`started ${image} at ${endpoint}`);

  // Ready: health answers 200 at once and ready.d has completed, the hook's queue included.
  const health = await fetch(`${endpoint}/_localstack/health`);
  assert.equal(health.status, 200);
  const init = await (await fetch(`${endpoint}/_localstack/init`)).json();
  assert.deepEqual(init.scripts, [{ stage: "READY", name: "10-queue.sh", state: "SUCCESSFUL" }]);
  const config = {
    endpoint, region: "us-east-1", maxAttempts: 1,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  const sqs = new SQSClient(config);
  assert.ok((await sqs.send(new GetQueueUrlCommand({ QueueName: "made-by-ready-hook" }))).QueueUrl);

  const s3 = new S3Client({ ...config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "tc-bucket" }));
  await s3.send(new PutObjectCommand({ Bucket: "tc-bucket", Key: "hello.txt", Body: "hello from testcontainers" }));
  const got = await s3.send(new GetObjectCommand({ Bucket: "tc-bucket", Key: "hello.txt" }));
  assert.equal(await got.Body.transformToString(), "hello from testcontainers");
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: "tc-bucket" }));
  assert.deepEqual(listed.Contents.map((o) => o.Key), ["hello.txt"]);

  const { QueueUrl: url } = await sqs.send(new CreateQueueCommand({ QueueName: "tc-queue" }));
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "hello queue" }));
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
  assert.deepEqual(received.Messages.map((m) => m.Body), ["hello queue"]);
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: received.Messages[0].ReceiptHandle }));
  const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));
  assert.equal(empty.Messages, undefined);
  console.log("testcontainers: ok");
} catch (e) {
  failed = true;
  throw e;
} finally {
  // Ryuk is off, so nothing else removes the container: stop() removes it
  // and its volume; after a failure it is kept (stopped) for the test to
  // print its log, then removed there.
  await container.stop(failed ? { remove: false } : {});
}
