// AWS SDK for JavaScript v3 SQS client (JSON protocol) against podstack at
// PODSTACK_ENDPOINT: queues, messages with attributes (the SDK verifies the
// MD5 digests), batches, FIFO order, errors, long-poll wake-up, DLQ and a
// message move task. Prints "js sqs: ok" and exits 0 on success.
import assert from "node:assert/strict";
import { config, endpoint, rejectsWith, run } from "./common.mjs";
import {
  SQSClient, CreateQueueCommand, GetQueueUrlCommand, GetQueueAttributesCommand, SendMessageCommand,
  SendMessageBatchCommand, ReceiveMessageCommand, DeleteMessageCommand, DeleteMessageBatchCommand,
  ChangeMessageVisibilityCommand, ListQueuesCommand, TagQueueCommand, ListQueueTagsCommand,
  StartMessageMoveTaskCommand, ListMessageMoveTasksCommand, DeleteQueueCommand,
} from "@aws-sdk/client-sqs";

const client = new SQSClient(config);

async function standard() {
  const { QueueUrl: url } = await client.send(new CreateQueueCommand({
    QueueName: `js-${run}`, Attributes: { VisibilityTimeout: "30" }, tags: { team: "js" } }));
  assert.equal((await client.send(new GetQueueUrlCommand({ QueueName: `js-${run}` }))).QueueUrl, url);
  const listed = await client.send(new ListQueuesCommand({ QueueNamePrefix: `js-${run}` }));
  assert.deepEqual(listed.QueueUrls, [url]);
  await client.send(new TagQueueCommand({ QueueUrl: url, Tags: { env: "ci" } }));
  assert.deepEqual((await client.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags, { team: "js", env: "ci" });

  const sent = await client.send(new SendMessageCommand({
    QueueUrl: url, MessageBody: "héllo",
    MessageAttributes: {
      s: { DataType: "String", StringValue: "v" },
      b: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 255]) },
      n: { DataType: "Number", StringValue: "42" },
    },
  }));
  assert.ok(sent.MessageId && sent.MD5OfMessageBody && sent.MD5OfMessageAttributes);
  const batch = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [
    { Id: "a", MessageBody: "one" }, { Id: "b", MessageBody: "bad \u0001" }, { Id: "c", MessageBody: "two" }] }));
  assert.deepEqual(batch.Successful.map((e) => e.Id).sort(), ["a", "c"]);
  assert.equal(batch.Failed[0].Code, "InvalidMessageContents");

  const got = await client.send(new ReceiveMessageCommand({
    QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }));
  assert.equal(got.Messages.length, 3);
  const first = got.Messages.find((m) => m.MessageId === sent.MessageId);
  assert.equal(first.Body, "héllo");
  assert.deepEqual([...first.MessageAttributes.b.BinaryValue], [0, 1, 255]);
  assert.equal(first.MessageAttributes.n.StringValue, "42");
  assert.equal(first.Attributes.ApproximateReceiveCount, "1");

  await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0 }));
  const del = await client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries:
    got.Messages.filter((m) => m !== first).map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
  assert.equal(del.Successful.length, 2);
  const again = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
  assert.equal(again.Messages[0].Attributes.ApproximateReceiveCount, "2");
  await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.Messages[0].ReceiptHandle }));

  await rejectsWith(client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "garbage" })), "ReceiptHandleIsInvalid");
  await rejectsWith(client.send(new GetQueueUrlCommand({ QueueName: `missing-${run}` })), "QueueDoesNotExist");
  await rejectsWith(client.send(new CreateQueueCommand({ QueueName: `js-${run}`, Attributes: { VisibilityTimeout: "31" } })),
    "QueueNameExists");
  await rejectsWith(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })), "EmptyBatchRequest");

  // Long poll: woken by a send, well before the 20 s wait ends.
  const t0 = Date.now();
  const poll = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
  await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "wake" }));
  const woke = await poll;
  assert.equal(woke.Messages[0].Body, "wake");
  assert.ok(Date.now() - t0 < 5000, "long poll was not woken");
  await client.send(new DeleteQueueCommand({ QueueUrl: url }));
}

async function fifo() {
  const { QueueUrl: url } = await client.send(new CreateQueueCommand({
    QueueName: `js-${run}.fifo`, Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" } }));
  for (let i = 0; i < 5; i++)
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}`, MessageGroupId: "g" }));
  const dup = await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m0", MessageGroupId: "g" }));
  const got = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"] }));
  assert.deepEqual(got.Messages.map((m) => m.Body), ["m0", "m1", "m2", "m3", "m4"]);
  assert.equal(got.Messages[0].MessageId, dup.MessageId);
  assert.equal(got.Messages[0].Attributes.MessageGroupId, "g");
}

async function deadLetters() {
  const { QueueUrl: dlq } = await client.send(new CreateQueueCommand({ QueueName: `js-dlq-${run}` }));
  const dlqArn = (await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["QueueArn"] }))).Attributes.QueueArn;
  const { QueueUrl: src } = await client.send(new CreateQueueCommand({ QueueName: `js-src-${run}`,
    Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) } }));
  await client.send(new SendMessageCommand({ QueueUrl: src, MessageBody: "poison" }));
  await client.send(new ReceiveMessageCommand({ QueueUrl: src, VisibilityTimeout: 0 }));
  assert.equal((await client.send(new ReceiveMessageCommand({ QueueUrl: src }))).Messages, undefined);
  const task = await client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
  const tasks = await client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
  assert.equal(tasks.Results[0].TaskHandle, task.TaskHandle);
  assert.equal(tasks.Results[0].Status, "COMPLETED");
  const back = await client.send(new ReceiveMessageCommand({ QueueUrl: src }));
  assert.equal(back.Messages[0].Body, "poison");
}

try {
  assert.ok(endpoint, "PODSTACK_ENDPOINT is not set");
  await standard();
  await fifo();
  await deadLetters();
  console.log("js sqs: ok");
} catch (e) {
  console.error(e);
  process.exit(1);
}
