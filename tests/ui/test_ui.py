"""The web console (/_podstack/ui/) in headless Chromium: tests/ui/console.mjs.

The server is seeded through boto3 here; the browser script checks what the
console shows against that state; afterwards boto3 checks that looking
changed nothing (the SQS peek left every receive count at 0). Screenshots of
the main views go to the test's temporary directory (printed with -s)."""
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from podstack_server import PodstackServer  # noqa: E402

XSS = "<img src=x onerror=alert(1)>"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(params=[True, False], ids=["persistence", "memory"])
def server(request, tmp_path):
    s = PodstackServer(tmp_path / "data", persistence=request.param).start()
    yield s
    s.stop()


def ensure_node_modules():
    """Install the locked playwright-core if needed; skip only when that cannot be done."""
    if shutil.which("node") is None or not os.path.exists(CHROMIUM):
        pytest.skip(f"node or {CHROMIUM} missing (tools/bootstrap.sh installs them)")
    if os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        return
    try:
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                           capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"node_modules missing and npm ci could not run: {e}")
    if r.returncode != 0:
        pytest.skip(f"node_modules missing and npm ci failed:\n{r.stderr[-2000:]}")


def seed(server):
    s3 = server.client("s3")
    s3.create_bucket(Bucket="site-bucket")
    for key, body in [("docs/readme.txt", "readme"), ("docs/guide/a.txt", "guide a"), ("docs/guide/b.txt", "guide b"),
                      ("index.html", "<h1>site</h1>"), (XSS, "x")]:
        s3.put_object(Bucket="site-bucket", Key=key, Body=body.encode())
    s3.put_object(Bucket="site-bucket", Key="docs/meta.txt", Body=b"with metadata", ContentType="text/plain",
                  Metadata={"owner": XSS, "team": "web"})
    s3.create_bucket(Bucket="versioned-bucket")
    s3.put_bucket_versioning(Bucket="versioned-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="versioned-bucket", Key="v.txt", Body=b"first")
    s3.put_object(Bucket="versioned-bucket", Key="v.txt", Body=b"second")
    for i in range(120):
        s3.put_object(Bucket="site-bucket", Key=f"many/{i:03d}", Body=b"")

    sqs = server.client("sqs")
    orders = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.send_message(QueueUrl=orders, MessageBody=XSS)
    sqs.send_message(QueueUrl=orders, MessageBody='{"order": 42}')

    ddb = server.client("dynamodb")
    ddb.create_table(TableName="people", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    for i in range(30):
        item = {"id": {"S": f"p{i:02d}"}, "age": {"N": str(20 + i)}}
        if i == 7:
            item["name"] = {"S": XSS}
        ddb.put_item(TableName="people", Item=item)

    ddb.create_table(TableName="orders-table",
                     KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"}, {"AttributeName": "placed", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                                           {"AttributeName": "placed", "AttributeType": "S"},
                                           {"AttributeName": "status", "AttributeType": "S"}],
                     GlobalSecondaryIndexes=[{"IndexName": "by-status", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "ALL"}}],
                     BillingMode="PAY_PER_REQUEST")
    for c, placed, status in [("c1", "2025-12-01", "shipped"), ("c1", "2026-01-05", "open"), ("c1", "2026-02-10", "open"),
                              ("c2", "2026-01-07", "open"), ("c2", "2026-03-01", "shipped")]:
        ddb.put_item(TableName="orders-table", Item={"customer": {"S": c}, "placed": {"S": placed}, "status": {"S": status}})

    ddb.create_table(TableName="streamed", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    ddb.put_item(TableName="streamed", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    ddb.put_item(TableName="streamed", Item={"pk": {"S": "a"}, "v": {"S": XSS}})
    ddb.delete_item(TableName="streamed", Key={"pk": {"S": "a"}})

    ses = server.client("ses")
    ses.verify_email_identity(EmailAddress="receipts@example.com")
    ses.send_email(Source="receipts@example.com", Destination={"ToAddresses": ["buyer@example.com"]},
                   Message={"Subject": {"Data": "Your order"},
                            "Body": {"Html": {"Data": "<h1>Thanks</h1><p>Order <b>42</b></p><script>alert(1)</script>"},
                                     "Text": {"Data": "Thanks, order 42"}}})
    ssm = server.client("ssm")
    ssm.put_parameter(Name="/app/password", Value="hunter2", Type="SecureString")
    ssm.put_parameter(Name="/app/name", Value="shop", Type="String")
    server.client("secretsmanager").create_secret(Name="db-password", SecretString="s3cr3t")
    sns = server.client("sns")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:000000000000:orders")
    sns.publish(PhoneNumber="+15550100", Message=XSS)
    for i in range(105):
        sns.create_topic(Name=f"bulk-{i:03d}")

    kms = server.client("kms")
    key = kms.create_key(Description="orders key")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key)
    events = server.client("events")
    events.create_event_bus(Name="shop-bus")
    events.put_rule(Name="big-orders", EventBusName="shop-bus",
                    EventPattern='{"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}')
    events.put_targets(Rule="big-orders", EventBusName="shop-bus",
                       Targets=[{"Id": "to-orders", "Arn": "arn:aws:sqs:us-east-1:000000000000:orders"}])
    events.put_rule(Name="nightly", ScheduleExpression="cron(0 3 * * ? *)")

    status, _ = server.call_json("POST", "/_podstack/pods/seeded?message=seed")
    assert status == 200
    # After the pod: a change its diff shows, and last, the newest event.
    ssm.put_parameter(Name="/app/name", Value="shop2", Type="String", Overwrite=True)
    ssm.put_parameter(Name="/app/name", Value="shop", Type="String", Overwrite=True)
    server.client("sqs", region="eu-west-1").create_queue(QueueName="west-queue")
    return orders


def test_console_in_chromium(server, tmp_path):
    """Navigation, event log (live tail, detail, filters, paging), SQS peek, S3 folders, DynamoDB paging,
    SES sandboxed mail, masked secrets, the clock; text from the server never becomes markup."""
    ensure_node_modules()
    orders = seed(server)
    shots = tmp_path / "screenshots"

    def run(*picks):
        r = subprocess.run(["node", "console.mjs", *picks], cwd=HERE, capture_output=True, text=True, timeout=600,
                           env={**os.environ, "PODSTACK_ENDPOINT": server.endpoint, "UI_SCREENSHOTS": str(shots),
                                "CHROMIUM": CHROMIUM})
        print(r.stdout, f"\nscreenshots: {shots}")
        assert r.returncode == 0, r.stdout + r.stderr
        assert "ui: ok" in r.stdout

    run("-clock:")
    assert (shots / "log.png").exists()
    # Looking changed nothing: the first real receive sees each message for the first time.
    sqs = server.client("sqs")
    got = sqs.receive_message(QueueUrl=orders, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert sorted(m["Body"] for m in got) == sorted([XSS, '{"order": 42}'])
    assert [m["Attributes"]["ApproximateReceiveCount"] for m in got] == ["1", "1"]
    # The clock last: a week on expires those messages.
    run("clock:")


def test_cross_site_writes_refused(server):
    """A change to an internal endpoint from a page of another origin (a cross-site form needs no CORS
    preflight) is refused with 403 and changes nothing; loopback origins, the server's own origin, reads
    and clients that send no Origin (SDKs, curl) are served as before."""
    import http.client
    import json

    def call(method, path, body=b"", **headers):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, data

    server.client("sqs").create_queue(QueueName="keep")
    before = server.state()
    advance = json.dumps({"advance": "1d"}).encode()
    for origin in ["https://evil.example", "null", "http://localhost.evil.example"]:
        for method, path, body in [("POST", "/_podstack/clock", advance), ("POST", "/_podstack/state/rollback?to_seq=1", b""),
                                   ("POST", "/_localstack/state/reset", b""), ("POST", "/_podstack/pods/x", b""),
                                   ("DELETE", "/_aws/ses", b"")]:
            status, data = call(method, path, body, Origin=origin, **{"Content-Type": "text/plain"})
            assert status == 403, (origin, path, data)
            assert json.loads(data) == {"error": "a page of another origin may not change podstack's state"}
    assert server.state() == before
    assert server.get_json("/_podstack/clock")["offset_ms"] == 0
    # Reads from anywhere, writes from loopback pages, the server's own origin (any host name) and non-browsers.
    assert call("GET", "/_podstack/clock", Origin="https://evil.example")[0] == 200
    assert call("POST", "/_podstack/clock", advance, Origin=f"http://localhost:{server.port}")[0] == 200
    assert call("POST", "/_podstack/clock", advance, Origin="http://podstack.internal:8080", Host="podstack.internal:8080")[0] == 200
    assert call("POST", "/_podstack/clock", advance)[0] == 200
    assert server.get_json("/_podstack/clock")["offset_ms"] == 3 * 86400 * 1000
