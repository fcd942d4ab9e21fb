// SNS and SES through the AWS SDK for JavaScript v3, unmodified: a topic with an
// SQS subscriber (the SNS envelope arrives in the queue, and raw delivery with
// message attributes), SES v1 and v2 identities and sends, and GET /_aws/ses.
// Prints "js notify: ok" and exits 0 on success.
import assert from "node:assert/strict";
import { config, endpoint, rejectsWith, run } from "./common.mjs";
import {
  SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand, ListSubscriptionsByTopicCommand,
} from "@aws-sdk/client-sns";
import {
  SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import { SESClient, VerifyEmailIdentityCommand, SendEmailCommand } from "@aws-sdk/client-ses";
import { SESv2Client, CreateEmailIdentityCommand, SendEmailCommand as SendEmailV2Command } from "@aws-sdk/client-sesv2";

async function queueArn(sqs, name) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return [QueueUrl, a.Attributes.QueueArn];
}

async function sns() {
  const client = new SNSClient(config);
  const sqs = new SQSClient(config);
  const { TopicArn } = await client.send(new CreateTopicCommand({ Name: `js-receipts-${run}` }));
  const [envUrl, envArn] = await queueArn(sqs, `js-env-${run}`);
  const [rawUrl, rawArn] = await queueArn(sqs, `js-raw-${run}`);
  await client.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: envArn }));
  await client.send(new SubscribeCommand({
    TopicArn, Protocol: "sqs", Endpoint: rawArn, Attributes: { RawMessageDelivery: "true" },
  }));
  const subs = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.equal(subs.Subscriptions.length, 2);
  const pub = await client.send(new PublishCommand({
    TopicArn, Message: "delivered", Subject: "receipt",
    MessageAttributes: { status: { DataType: "String", StringValue: "ok" } },
  }));
  assert.ok(pub.MessageId);

  const env = await sqs.send(new ReceiveMessageCommand({ QueueUrl: envUrl, WaitTimeSeconds: 1 }));
  const body = JSON.parse(env.Messages[0].Body);
  assert.equal(body.Type, "Notification");
  assert.equal(body.MessageId, pub.MessageId);
  assert.equal(body.Message, "delivered");
  assert.equal(body.Subject, "receipt");
  assert.deepEqual(body.MessageAttributes.status, { Type: "String", Value: "ok" });

  // Raw delivery: the body as published, the attributes as SQS message attributes
  // (the SDK checks their MD5 against the one podstack computed).
  const raw = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: rawUrl, WaitTimeSeconds: 1, MessageAttributeNames: ["All"],
  }));
  assert.equal(raw.Messages[0].Body, "delivered");
  assert.equal(raw.Messages[0].MessageAttributes.status.StringValue, "ok");

  const sms = await client.send(new PublishCommand({ PhoneNumber: "+15555550123", Message: `code ${run}` }));
  assert.ok(sms.MessageId);
}

async function ses() {
  const v1 = new SESClient(config);
  const v2 = new SESv2Client(config);
  const from = `js-${run}@example.com`;
  await rejectsWith(v1.send(new SendEmailCommand({
    Source: from, Destination: { ToAddresses: ["to@example.com"] },
    Message: { Subject: { Data: "x" }, Body: { Text: { Data: "x" } } },
  })), "MessageRejected");
  await v1.send(new VerifyEmailIdentityCommand({ EmailAddress: from }));
  const sent = await v1.send(new SendEmailCommand({
    Source: from, Destination: { ToAddresses: ["to@example.com"] },
    Message: { Subject: { Data: "v1" }, Body: { Text: { Data: "hello" } } },
  }));
  const domain = `js-${run}.example.org`;
  await v2.send(new CreateEmailIdentityCommand({ EmailIdentity: domain }));
  const sent2 = await v2.send(new SendEmailV2Command({
    FromEmailAddress: `notify@${domain}`, Destination: { ToAddresses: ["to@example.com"] },
    Content: { Simple: { Subject: { Data: "v2" }, Body: { Html: { Data: "<p>hi</p>" } } } },
  }));
  for (const id of [sent.MessageId, sent2.MessageId]) {
    const r = await fetch(`${endpoint}/_aws/ses?id=${encodeURIComponent(id)}`);
    const { messages } = await r.json();
    assert.equal(messages.length, 1);
    assert.equal(messages[0].Id, id);
  }
}

await sns();
await ses();
console.log("js notify: ok");
