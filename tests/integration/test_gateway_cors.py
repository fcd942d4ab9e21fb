"""Browser CORS for the JSON and query APIs (SQS, SNS, DynamoDB, SSM, STS...):
`OPTIONS /` preflights and Access-Control-* headers on responses, as LocalStack's
CORS handlers give them; S3's bucket CORS stays S3's. Raw HTTP, as a browser sends it."""
import http.client

import pytest

from podstack_server import PodstackServer

ORIGIN = "http://localhost:3000"
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{svc}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0")


def request(server, method, path="/", body=b"", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def preflight(server, origin=ORIGIN):
    return request(server, "OPTIONS", "/", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-amz-target,content-type,authorization,x-amz-date,x-amz-user-agent,"
                                          "X-Amz-Security-Token"})


def test_root_preflight(server):
    status, h, _ = preflight(server)
    assert status == 200
    assert h["access-control-allow-origin"] == ORIGIN
    assert h["access-control-allow-credentials"] == "true"
    assert "POST" in h["access-control-allow-methods"].split(",")
    allowed = h["access-control-allow-headers"].split(",")
    for name in ["x-amz-target", "content-type", "authorization", "x-amz-date", "x-amz-user-agent", "x-amz-security-token"]:
        assert name in allowed
    exposed = h["access-control-expose-headers"].split(",")
    for name in ["x-amz-request-id", "x-amzn-requestid", "etag"]:
        assert name in exposed
    assert int(h["access-control-max-age"]) > 0


@pytest.mark.parametrize("svc,headers,body", [
    ("sqs", {"X-Amz-Target": "AmazonSQS.ListQueues", "Content-Type": "application/x-amz-json-1.0"}, b"{}"),
    ("dynamodb", {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"}, b"{}"),
    ("ssm", {"X-Amz-Target": "AmazonSSM.DescribeParameters", "Content-Type": "application/x-amz-json-1.1"}, b"{}"),
    ("sts", {"Content-Type": "application/x-www-form-urlencoded"}, b"Action=GetCallerIdentity&Version=2011-06-15"),
    ("sns", {"Content-Type": "application/x-www-form-urlencoded"}, b"Action=ListTopics&Version=2010-03-31"),
])
def test_responses_carry_allow_origin(server, svc, headers, body):
    status, h, data = request(server, "POST", "/", body, {**headers, "Origin": ORIGIN,
                                                           "Authorization": AUTH.format(svc=svc)})
    assert status == 200, data
    assert h["access-control-allow-origin"] == ORIGIN
    assert "x-amzn-requestid" in h["access-control-expose-headers"].split(",")
    # Without an Origin: no CORS headers at all.
    status, h, _ = request(server, "POST", "/", body, {**headers, "Authorization": AUTH.format(svc=svc)})
    assert status == 200 and "access-control-allow-origin" not in h


def test_errors_carry_allow_origin_too(server):
    status, h, data = request(server, "POST", "/", b'{"QueueUrl": "nope"}', {
        "X-Amz-Target": "AmazonSQS.GetQueueAttributes", "Content-Type": "application/x-amz-json-1.0",
        "Origin": ORIGIN, "Authorization": AUTH.format(svc="sqs")})
    assert status == 400 and h["access-control-allow-origin"] == ORIGIN


def test_foreign_origin_is_refused_before_anything_runs(server):
    status, _, _ = preflight(server, "http://evil.example")
    assert status == 403
    status, _, _ = request(server, "POST", "/", b'{"QueueName": "csrf"}', {
        "X-Amz-Target": "AmazonSQS.CreateQueue", "Content-Type": "application/x-amz-json-1.0",
        "Origin": "http://evil.example", "Authorization": AUTH.format(svc="sqs")})
    assert status == 403
    assert server.client("sqs").list_queues().get("QueueUrls", []) == []


def test_extra_allowed_origins_and_disabled_checks(tmp_path):
    s = PodstackServer(tmp_path / "a", env={"EXTRA_CORS_ALLOWED_ORIGINS": "http://app.test:8000, https://b.test"}).start()
    try:
        status, h, _ = preflight(s, "http://app.test:8000")
        assert status == 200 and h["access-control-allow-origin"] == "http://app.test:8000"
        assert preflight(s, "https://b.test")[0] == 200
        assert preflight(s, "http://evil.example")[0] == 403
    finally:
        s.stop()
    s = PodstackServer(tmp_path / "b", env={"DISABLE_CORS_CHECKS": "1"}).start()
    try:
        status, h, _ = preflight(s, "http://evil.example")
        assert status == 200 and h["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in h
    finally:
        s.stop()


def test_s3_bucket_cors_stays_s3s(server):
    """A path-style bucket preflight is answered from the bucket's CORS rules, not the generic ones."""
    s3 = server.client("s3")
    s3.create_bucket(Bucket="web")
    status, _, body = request(server, "OPTIONS", "/web/key", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "PUT"})
    assert status == 403 and b"CORSResponse" in body
    s3.put_bucket_cors(Bucket="web", CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["http://site.test"], "AllowedMethods": ["PUT"], "AllowedHeaders": ["*"]}]})
    status, h, _ = request(server, "OPTIONS", "/web/key", headers={
        "Origin": "http://site.test", "Access-Control-Request-Method": "PUT"})
    assert status == 200 and h["access-control-allow-origin"] == "http://site.test"
