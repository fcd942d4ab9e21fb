"""The Notify.gov flow end to end, with boto3 and with the aws CLI:

  CSV upload to S3 -> S3 event notification -> SQS -> a worker reads the CSV
  -> SES SendEmail (configuration set: send/delivery events -> SNS topic ->
     SQS receipts queue and an HTTP subscriber run by the test)
  -> SNS Publish to a phone number (SMS, visible at /_aws/sns/sms-messages)
  -> mail relayed to an SMTP sink run by the test (SMTP_HOST).

Then a graceful restart and a kill -9: everything committed is still there
(same state hash, same /_aws/ses and /_aws/sns/sms-messages, same receipts),
and no HTTP POST or SMTP mail is sent a second time."""
import csv
import io
import json
import urllib.parse

import pytest

from podstack_server import AWS_CLI, PodstackServer, aws_json, aws_run, wait_until
from sinks import HttpSink, SmtpSink

pytest.importorskip("aiosmtpd.controller")

SENDER = "notify@notify.example.gov"
CSV = "email address,phone number,name\nada@example.com,+15555550101,Ada\ngrace@example.com,+15555550102,Grace\n"


@pytest.fixture
def sinks():
    smtp, web = SmtpSink(), HttpSink()
    yield smtp, web
    smtp.stop()
    web.stop()


@pytest.fixture
def stack(tmp_path, sinks):
    smtp, _ = sinks
    s = PodstackServer(tmp_path / "data", env={"SMTP_HOST": f"127.0.0.1:{smtp.port}"}).start()
    yield s
    s.stop()


# ---- the two clients: one interface over boto3 and over the aws CLI ----

class Boto:
    def __init__(self, server):
        self.s3, self.sqs = server.client("s3"), server.client("sqs")
        self.sns, self.ses = server.client("sns"), server.client("ses")

    def make_bucket(self, b):
        self.s3.create_bucket(Bucket=b)

    def make_queue(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        return url, self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def notify_queue(self, bucket, arn):
        self.s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}}}]})

    def make_topic(self, name):
        return self.sns.create_topic(Name=name)["TopicArn"]

    def subscribe(self, topic, protocol, endpoint):
        return self.sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint,
                                  ReturnSubscriptionArn=True)["SubscriptionArn"]

    def confirm(self, topic, token):
        self.sns.confirm_subscription(TopicArn=topic, Token=token)

    def verify(self, email):
        self.ses.verify_email_identity(EmailAddress=email)

    def configuration_set(self, name, topic):
        self.ses.create_configuration_set(ConfigurationSet={"Name": name})
        self.ses.create_configuration_set_event_destination(ConfigurationSetName=name, EventDestination={
            "Name": "receipts", "Enabled": True, "MatchingEventTypes": ["send", "delivery"],
            "SNSDestination": {"TopicARN": topic}})

    def upload(self, bucket, key, text):
        self.s3.put_object(Bucket=bucket, Key=key, Body=text.encode())

    def receive(self, url, wait=0):
        return self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get("Messages", [])

    def delete(self, url, handle):
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)

    def read(self, bucket, key):
        return self.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()

    def send_email(self, to, subject, text, config_set):
        return self.ses.send_email(Source=SENDER, Destination={"ToAddresses": [to]},
                                   Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}},
                                   ConfigurationSetName=config_set)["MessageId"]

    def send_sms(self, phone, text):
        return self.sns.publish(PhoneNumber=phone, Message=text)["MessageId"]

    def queue_depth(self, url):
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        return int(a["ApproximateNumberOfMessages"])


class Cli(Boto):
    """The same steps through the aws CLI (Debian's awscli)."""

    def __init__(self, server):
        self.server = server

    def a(self, *args):
        return aws_json(self.server, *args)

    def make_bucket(self, b):
        self.a("s3api", "create-bucket", "--bucket", b)

    def make_queue(self, name):
        url = self.a("sqs", "create-queue", "--queue-name", name)["QueueUrl"]
        attrs = self.a("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "QueueArn")
        return url, attrs["Attributes"]["QueueArn"]

    def notify_queue(self, bucket, arn):
        cfg = {"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
                                        "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}}}]}
        self.a("s3api", "put-bucket-notification-configuration", "--bucket", bucket,
               "--notification-configuration", json.dumps(cfg))

    def make_topic(self, name):
        return self.a("sns", "create-topic", "--name", name)["TopicArn"]

    def subscribe(self, topic, protocol, endpoint):
        return self.a("sns", "subscribe", "--topic-arn", topic, "--protocol", protocol, "--notification-endpoint",
                      endpoint, "--return-subscription-arn")["SubscriptionArn"]

    def confirm(self, topic, token):
        self.a("sns", "confirm-subscription", "--topic-arn", topic, "--token", token)

    def verify(self, email):
        self.a("ses", "verify-email-identity", "--email-address", email)

    def configuration_set(self, name, topic):
        self.a("ses", "create-configuration-set", "--configuration-set", json.dumps({"Name": name}))
        self.a("ses", "create-configuration-set-event-destination", "--configuration-set-name", name,
               "--event-destination", json.dumps({"Name": "receipts", "Enabled": True,
                                                  "MatchingEventTypes": ["send", "delivery"],
                                                  "SNSDestination": {"TopicARN": topic}}))

    def upload(self, bucket, key, text):
        path = f"{self.server.data_dir}-upload.csv"
        with open(path, "w") as f:
            f.write(text)
        aws_run(self.server, "s3", "cp", path, f"s3://{bucket}/{key}")

    def receive(self, url, wait=0):
        r = self.a("sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10",
                   "--wait-time-seconds", str(wait))
        return (r or {}).get("Messages", [])

    def delete(self, url, handle):
        self.a("sqs", "delete-message", "--queue-url", url, "--receipt-handle", handle)

    def read(self, bucket, key):
        path = f"{self.server.data_dir}-download.csv"
        aws_run(self.server, "s3", "cp", f"s3://{bucket}/{key}", path)
        return open(path).read()

    def send_email(self, to, subject, text, config_set):
        return self.a("ses", "send-email", "--from", SENDER, "--destination", json.dumps({"ToAddresses": [to]}),
                      "--message", json.dumps({"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}),
                      "--configuration-set-name", config_set)["MessageId"]

    def send_sms(self, phone, text):
        return self.a("sns", "publish", "--phone-number", phone, "--message", text)["MessageId"]

    def queue_depth(self, url):
        a = self.a("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "ApproximateNumberOfMessages")
        return int(a["Attributes"]["ApproximateNumberOfMessages"])


def run_flow(server, c, sinks):
    smtp, web = sinks
    # The stack, as Notify's local set-up creates it.
    c.make_bucket("notify-csv-uploads")
    uploads_url, uploads_arn = c.make_queue("csv-uploads")
    c.notify_queue("notify-csv-uploads", uploads_arn)
    receipts_url, receipts_arn = c.make_queue("delivery-receipts")
    topic = c.make_topic("ses-delivery-receipts")
    c.subscribe(topic, "sqs", receipts_arn)
    c.subscribe(topic, "http", web.url)
    wait_until(lambda: web.bodies("SubscriptionConfirmation"), what="the SubscriptionConfirmation POST")
    confirmation = web.bodies("SubscriptionConfirmation")[0]
    assert confirmation["TopicArn"] == topic
    c.confirm(topic, confirmation["Token"])
    c.verify(SENDER)
    c.configuration_set("notify-emails", topic)

    # The user uploads a CSV; the worker is told by S3 through SQS.
    c.upload("notify-csv-uploads", "service-1/job-1.csv", CSV)
    work = []
    wait_until(lambda: work.extend(m for m in c.receive(uploads_url) if not c.delete(uploads_url, m["ReceiptHandle"]))
               or any("Records" in json.loads(m["Body"]) for m in work), what="the S3 event in the uploads queue")
    records = [r for m in work for r in json.loads(m["Body"]).get("Records", [])]
    assert [r["eventName"] for r in records] == ["ObjectCreated:Put"]
    key = urllib.parse.unquote_plus(records[0]["s3"]["object"]["key"])
    assert key == "service-1/job-1.csv"

    # The worker: an email and an SMS per row.
    email_ids, sms_ids = [], []
    for row in csv.DictReader(io.StringIO(c.read(records[0]["s3"]["bucket"]["name"], key))):
        email_ids.append(c.send_email(row["email address"], "Your job", f"Hello {row['name']}", "notify-emails"))
        sms_ids.append(c.send_sms(row["phone number"], f"Hello {row['name']}"))
    assert len(email_ids) == 2 and len(sms_ids) == 2

    # Receipts: a Send and a Delivery event per email, through SNS, in the queue...
    wait_until(lambda: c.queue_depth(receipts_url) >= 4, what="four delivery receipts")
    # ...and at the HTTP subscriber; the mail at the SMTP sink.
    wait_until(lambda: len(web.bodies("Notification")) >= 4, what="four receipts POSTed")
    wait_until(lambda: smtp.count() >= 2, what="two mails relayed")
    events = sorted((json.loads(n["Message"])["eventType"], json.loads(n["Message"])["mail"]["messageId"])
                    for n in web.bodies("Notification"))
    assert events == sorted([("Send", i) for i in email_ids] + [("Delivery", i) for i in email_ids])
    assert sorted(r for _, r, _ in smtp.mails()) == [["ada@example.com"], ["grace@example.com"]]
    assert all(f == SENDER for f, _, _ in smtp.mails())

    sent = server.get_json("/_aws/ses")["messages"]
    assert sorted(m["Id"] for m in sent) == sorted(email_ids)
    sms = server.get_json("/_aws/sns/sms-messages")
    phones = sms["sms_messages"]
    assert sorted(phones) == ["+15555550101", "+15555550102"]

    # Restart, then kill -9: the same state, nothing sent again.
    posts, mails = web.count(), smtp.count()
    before = (server.state_hash(), server.get_json("/_aws/ses"), server.get_json("/_aws/sns/sms-messages"),
              c.queue_depth(receipts_url))
    server.restart()
    assert (server.state_hash(), server.get_json("/_aws/ses"), server.get_json("/_aws/sns/sms-messages"),
            c.queue_depth(receipts_url)) == before
    server.crash_restart()
    assert (server.state_hash(), server.get_json("/_aws/ses"), server.get_json("/_aws/sns/sms-messages"),
            c.queue_depth(receipts_url)) == before
    # The outbox has re-armed nothing: every effect was recorded as delivered.
    c.send_sms("+15555550199", "after the restarts")  # a later commit, to be sure the outbox has scanned
    assert web.count() == posts and smtp.count() == mails

    # The receipts are readable by the worker after all that.
    got = []
    wait_until(lambda: got.extend(c.receive(receipts_url)) or len(got) >= 4, what="receipts after restart")
    kinds = sorted(json.loads(json.loads(m["Body"])["Message"])["eventType"] for m in got)
    assert kinds == ["Delivery", "Delivery", "Send", "Send"]
    # `podstack log` shows the outside deliveries as events.
    log = json.dumps(server.get_json("/_podstack/log?limit=100000"))
    assert "EffectAttempted" in log


def test_notify_flow_boto3(stack, sinks):
    run_flow(stack, Boto(stack), sinks)


@pytest.mark.skipif(AWS_CLI is None, reason="aws CLI missing: tools/bootstrap.sh installs awscli")
def test_notify_flow_aws_cli(stack, sinks):
    run_flow(stack, Cli(stack), sinks)
