"""The example stack's app, shaped like notifications-api locally: it uses S3,
SNS and SES through podstack (AWS_ENDPOINT_URL), Postgres and Redis.

  GET  /_status  liveness (the HEALTHCHECK)
  GET  /         whether each dependency is reachable and what the init hooks made exists: {"s3": "ok", ...}
  POST /notify   one notification the way the real app sends it: the CSV to S3, a delivery receipt to
                 the SNS topic, the email through SES, a row in Postgres, a counter in Redis; answers
                 with what it did (keys, message ids) so a test can find it in podstack
"""
import json
import os
import signal
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import psycopg2
import redis

# Debian 12's boto3 (1.26) predates AWS_ENDPOINT_URL support, so pass it.
ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
BUCKET = os.environ["CSV_UPLOAD_BUCKET"]
TOPIC = os.environ["SNS_TOPIC_NAME"]
DOMAIN = os.environ["SES_IDENTITY"]


def client(service):
    return boto3.session.Session().client(service, endpoint_url=ENDPOINT)


def topic_arn():
    return [t["TopicArn"] for t in client("sns").list_topics()["Topics"] if t["TopicArn"].endswith(":" + TOPIC)][0]


def db():
    return psycopg2.connect(os.environ["SQLALCHEMY_DATABASE_URI"], connect_timeout=5)


def cache():
    return redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5)


def checks():
    probes = {
        "s3": lambda: client("s3").head_bucket(Bucket=BUCKET),
        "sns": topic_arn,
        "ses": lambda: client("ses").get_identity_verification_attributes(
            Identities=[DOMAIN])["VerificationAttributes"][DOMAIN],
        "ssm": lambda: client("ssm").get_parameter(Name="/notify/api/secret-key", WithDecryption=True),
        "secretsmanager": lambda: client("secretsmanager").get_secret_value(SecretId="notify/api/admin-client"),
        "postgres": lambda: db().close(),
        "redis": lambda: cache().ping(),
    }
    out = {}
    for name, probe in probes.items():
        try:
            probe()
            out[name] = "ok"
        except Exception as e:  # the report is the point: say what failed
            out[name] = f"error: {e}"
    return out


def notify(to):
    job = str(uuid.uuid4())
    key = f"service-1-notify/{job}.csv"
    client("s3").put_object(Bucket=BUCKET, Key=key, Body=f"email address\n{to}\n".encode())
    sent = client("ses").send_email(
        Source=f"no-reply@{DOMAIN}", Destination={"ToAddresses": [to]},
        Message={"Subject": {"Data": f"Notification {job}"}, "Body": {"Text": {"Data": "Hello from Notify."}}})
    receipt = client("sns").publish(TopicArn=topic_arn(), Message=json.dumps(
        {"notification_id": job, "status": "delivered", "ses_message_id": sent["MessageId"]}))
    conn = db()
    try:
        with conn, conn.cursor() as cur:  # one transaction
            cur.execute("CREATE TABLE IF NOT EXISTS notifications (id uuid PRIMARY KEY, recipient text, ses_message_id text)")
            cur.execute("INSERT INTO notifications VALUES (%s, %s, %s)", (job, to, sent["MessageId"]))
            cur.execute("SELECT count(*) FROM notifications")
            rows = cur.fetchone()[0]
    finally:
        conn.close()
    return {"job": job, "bucket": BUCKET, "key": key, "ses_message_id": sent["MessageId"],
            "sns_message_id": receipt["MessageId"], "postgres_rows": rows,
            "redis_sent": cache().incr("notifications:sent")}


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_status":
            self.reply(200, {"status": "ok"})
        elif self.path == "/":
            self.reply(200, checks())
        else:
            self.reply(404, {})

    def do_POST(self):
        if self.path != "/notify":
            return self.reply(404, {})
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            self.reply(200, notify(json.loads(body or b"{}").get("to", "someone@example.com")))
        except Exception as e:
            self.reply(500, {"error": f"{type(e).__name__}: {e}"})


if __name__ == "__main__":
    # PID 1 in its container: exit on docker stop's SIGTERM instead of waiting for the KILL.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("checks at startup:", json.dumps(checks()), flush=True)
    ThreadingHTTPServer(("0.0.0.0", 6011), Handler).serve_forever()
