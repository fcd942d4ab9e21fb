"""Input an event could not hold is refused at the edge, with AWS's error, and nothing is logged.

proto3 `string` fields refuse invalid UTF-8 when an event is parsed, so a
request whose strings were not UTF-8 used to be acknowledged, logged, and then
make the log impossible to replay. JSON nulls where the model has a type used
to reach services and answer 500. Each test checks the status and code AWS
gives, that the log's sequence and the state hash did not move, and the
persistence tests that a kill -9 and a from-scratch replay agree afterwards.
"""
import http.client
import json
import re
import subprocess

import pytest

from podstack_server import BIN

SIG = "SignedHeaders=host;x-amz-date, Signature=00"


def auth(service, region="us-east-1", key="test"):
    return f"AWS4-HMAC-SHA256 Credential={key}/20260101/{region}/{service}/aws4_request, {SIG}"


def send(server, method, path, body=b"", headers=None):
    """One raw HTTP request (bytes are sent as given); (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        hs = {"Content-Length": str(len(body)), **(headers or {})}
        conn.putrequest(method, path, skip_host="Host" in hs, skip_accept_encoding=True)
        for k, v in hs.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def query(server, service, form, region="us-east-1", key="test"):
    """A query-protocol POST (form body) signed for `service`."""
    return send(server, "POST", "/", form.encode(), {"Content-Type": "application/x-www-form-urlencoded",
                                                    "Authorization": auth(service, region, key)})


def json_call(server, target, body, service="dynamodb"):
    return send(server, "POST", "/", body, {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target,
                                            "Authorization": auth(service)})


def xml_code(body):
    m = re.search(rb"<Code>([^<]*)</Code>", body)
    return m.group(1).decode() if m else None


def assert_nothing_logged(server, before):
    """The log has no new event and the state is the same as `before` (a /_podstack/state answer)."""
    after = server.state()
    assert after["last_sequence"] == before["last_sequence"]
    assert after["hash"] == before["hash"]


def assert_replay_matches(server):
    """kill -9, restart, and the live hash equals an offline from-scratch replay of the stopped server's log."""
    h = server.state_hash()
    server.crash_restart()
    assert server.state_hash() == h
    server.stop()
    r = subprocess.run([BIN, "state", "hash", "--from-scratch", "--json", "--data-dir", server.data_dir],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["hash"] == h
    server.start()
    assert server.state_hash() == h


# ---- invalid UTF-8 ----

def test_ses_verify_email_identity_invalid_utf8(server):
    # The repro: acknowledged 200 and logged, then the log could not be replayed.
    before = server.state()
    st, _, body = query(server, "ses", "Action=VerifyEmailIdentity&Version=2010-12-01&EmailAddress=a%ffb%40example.com")
    assert st == 400, body
    assert xml_code(body) == "InvalidParameterValue"
    assert b"<Type>Sender</Type>" in body and b"<RequestId>" in body
    assert_nothing_logged(server, before)
    assert server.client("ses").list_identities()["Identities"] == []


def test_ses_send_email_invalid_utf8(server):
    # SES keeps sent mail (the /_aws/ses view): a subject that is not UTF-8 must not reach its events.
    ses = server.client("ses")
    ses.verify_email_identity(EmailAddress="from@example.com")
    before = server.state()
    st, _, body = query(server, "ses", "Action=SendEmail&Version=2010-12-01&Source=from%40example.com"
                                       "&Destination.ToAddresses.member.1=to%40example.com"
                                       "&Message.Subject.Data=hi%ff&Message.Body.Text.Data=text")
    assert st == 400 and xml_code(body) == "InvalidParameterValue", body
    assert_nothing_logged(server, before)
    assert server.get_json("/_aws/ses")["messages"] == []


def test_sns_subscribe_publish_and_delivery_to_sqs_invalid_utf8(server):
    # SNS stores subscriptions and fans a publish out to SQS: neither may carry undecodable bytes into events.
    sns, sqs = server.client("sns"), server.client("sqs")
    topic = sns.create_topic(Name="t")["TopicArn"]
    q = sqs.create_queue(QueueName="q")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)
    before = server.state()
    for form in [f"Action=Subscribe&TopicArn={topic}&Protocol=email&Endpoint=a%ffb%40example.com",
                 f"Action=Publish&TopicArn={topic}&Message=hello%ff",
                 f"Action=Publish&TopicArn={topic}&Message=hello&Subject=s%c0%80",
                 f"Action=Publish&TopicArn={topic}&Message=hello&MessageAttributes.entry.1.Name=a"
                 "&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=%ed%a0%80"]:
        st, _, body = query(server, "sns", form + "&Version=2010-03-31")
        assert st == 400 and xml_code(body) == "InvalidParameterValue", (form, body)
    assert_nothing_logged(server, before)
    assert sqs.receive_message(QueueUrl=q, WaitTimeSeconds=0).get("Messages", []) == []
    assert len(sns.list_subscriptions()["Subscriptions"]) == 1


def test_sqs_send_message_invalid_utf8(server):
    # SQS's own character rule already refused these (InvalidMessageContents, InvalidParameterValue): the generic
    # check, which now runs first, must keep SQS's codes.
    sqs = server.client("sqs")
    q = sqs.create_queue(QueueName="q")["QueueUrl"]
    before = server.state()
    st, _, body = query(server, "sqs", f"Action=SendMessage&QueueUrl={q}&MessageBody=a%ffb")
    assert st == 400 and xml_code(body) == "InvalidMessageContents", body
    st, _, body = query(server, "sqs", f"Action=SendMessage&QueueUrl={q}&MessageBody=ok"
                                       "&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String"
                                       "&MessageAttribute.1.Value.StringValue=%f8")
    assert st == 400 and xml_code(body) == "InvalidParameterValue", body
    # The JSON protocol (newer SDKs): raw bytes make the body malformed JSON.
    st, _, body = json_call(server, "AmazonSQS.SendMessage",
                            b'{"QueueUrl": "' + q.encode() + b'", "MessageBody": "a\xffb"}', service="sqs")
    assert st == 400 and json.loads(body)["__type"].endswith("SerializationException"), body
    assert_nothing_logged(server, before)
    assert sqs.receive_message(QueueUrl=q, WaitTimeSeconds=0).get("Messages", []) == []


def test_s3_key_metadata_and_copy_source_invalid_utf8(server):
    # S3 answers a key it cannot decode with InvalidURI (AWS, reported by s3sync users), a header with InvalidArgument.
    s3 = server.client("s3")
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="src", Body=b"x")
    before = server.state()
    st, _, body = send(server, "PUT", "/bkt/a%ffb", b"data")
    assert st == 400 and xml_code(body) == "InvalidURI", body
    assert b"Couldn&apos;t parse the specified URI." in body and b"<RequestId>" in body
    st, _, body = send(server, "PUT", "/bkt/ok", b"data", {"x-amz-meta-color": b"r\xe9d"})
    assert st == 400 and xml_code(body) == "InvalidArgument", body
    st, _, body = send(server, "PUT", "/bkt/copy", b"", {"x-amz-copy-source": "/bkt/a%ffb"})
    assert st == 400 and xml_code(body) == "InvalidArgument", body
    assert b"Invalid copy source encoding." in body
    assert_nothing_logged(server, before)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="bkt")["Contents"]] == ["src"]


def test_s3_post_form_invalid_utf8(server):
    # Browser uploads bring the key and metadata in form fields, past the codec: the form receiver checks them.
    s3 = server.client("s3")
    s3.create_bucket(Bucket="bkt")
    before = server.state()
    boundary = b"----podstackhostile"
    body = b""
    for k, v in [(b"key", b"up/a\xffb"), (b"x-amz-meta-owner", b"me")]:
        body += b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + k + b'"\r\n\r\n' + v + b"\r\n"
    body += (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\n'
             b"Content-Type: text/plain\r\n\r\ndata\r\n--" + boundary + b"--\r\n")
    st, _, resp = send(server, "POST", "/bkt", body, {"Content-Type": "multipart/form-data; boundary=" + boundary.decode()})
    assert st == 400 and xml_code(resp) == "MalformedPOSTRequest", resp
    assert_nothing_logged(server, before)
    assert s3.list_objects_v2(Bucket="bkt").get("Contents", []) == []
    ok = body.replace(b"up/a\xffb", b"up/ok")
    st, _, resp = send(server, "POST", "/bkt", ok, {"Content-Type": "multipart/form-data; boundary=" + boundary.decode()})
    assert st == 204, resp


def test_sigv4_scope_that_is_not_utf8_is_an_auth_error(server):
    # The credential scope's key and region go into the event envelope: AWS refuses such a request at authentication.
    sqs = server.client("sqs")
    q = sqs.create_queue(QueueName="q")["QueueUrl"]
    before = server.state()
    form = f"Action=SendMessage&QueueUrl={q}&MessageBody=hi".encode()
    ctype = {"Content-Type": "application/x-www-form-urlencoded"}
    st, _, body = send(server, "POST", "/", form,
                       {**ctype, "Authorization": b"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-\xff/sqs/aws4_request, " + SIG.encode()})
    assert st == 403 and xml_code(body) == "SignatureDoesNotMatch", body
    st, _, body = send(server, "POST", "/", form,
                       {**ctype, "Authorization": b"AWS4-HMAC-SHA256 Credential=AK\xffID/20260101/us-east-1/sqs/aws4_request, " + SIG.encode()})
    assert st == 403 and xml_code(body) == "InvalidClientTokenId", body
    st, _, body = send(server, "PUT", "/newbucket", b"",
                       {"Authorization": b"AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-\xff/s3/aws4_request, " + SIG.encode()})
    assert st == 400 and xml_code(body) == "AuthorizationHeaderMalformed", body
    st, _, body = send(server, "POST", "/", b'{"TableName": "tbl"}',
                       {"X-Amz-Target": "DynamoDB_20120810.DescribeTable", "Content-Type": "application/x-amz-json-1.0",
                        "Authorization": b"AWS4-HMAC-SHA256 Credential=\xc0\x80/20260101/us-east-1/dynamodb/aws4_request, " + SIG.encode()})
    assert st == 400 and json.loads(body)["__type"].endswith("UnrecognizedClientException"), body
    # The Host header reaches queue and subscription URLs.
    st, _, body = send(server, "POST", "/", form, {**ctype, "Authorization": auth("sqs"), "Host": b"h\xff:4566"})
    assert st == 400, body
    assert_nothing_logged(server, before)


def test_internal_endpoints_refuse_invalid_utf8(server):
    # /_aws/ses and /_aws/sns DELETEs are events, and their ?accountId=&region= pick the partition written.
    before = server.state()
    for path in ["/_aws/sns/sms-messages?accountId=%ff", "/_aws/ses?id=%ff"]:
        st, _, body = send(server, "DELETE", path)
        assert st == 400, (path, body)
    assert_nothing_logged(server, before)


def test_rejected_requests_leave_a_replayable_log(server):
    # The point of all of the above: after hostile requests among good ones, kill -9 and a from-scratch replay agree.
    sqs, s3 = server.client("sqs"), server.client("s3")
    q = sqs.create_queue(QueueName="q")["QueueUrl"]
    s3.create_bucket(Bucket="bkt")
    query(server, "ses", "Action=VerifyEmailIdentity&Version=2010-12-01&EmailAddress=a%ffb%40example.com")
    query(server, "sqs", f"Action=SendMessage&QueueUrl={q}&MessageBody=a%ffb")
    send(server, "PUT", "/bkt/a%ffb", b"data")
    send(server, "POST", "/", b"Action=ListQueues", {"Content-Type": "application/x-www-form-urlencoded",
         "Authorization": b"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-\xff/sqs/aws4_request, " + SIG.encode()})
    sqs.send_message(QueueUrl=q, MessageBody="after")
    s3.put_object(Bucket="bkt", Key="k\u00e9", Body=b"ok")
    assert_replay_matches(server)
    assert sqs.receive_message(QueueUrl=q)["Messages"][0]["Body"] == "after"
    assert s3.get_object(Bucket="bkt", Key="k\u00e9")["Body"].read() == b"ok"


# ---- JSON null ----

@pytest.mark.parametrize("target,body", [
    ("DynamoDB_20120810.Scan", {"TableName": "tbl", "ExpressionAttributeNames": {"#n": None}}),
    ("DynamoDB_20120810.TransactWriteItems", {"TransactItems": [None]}),
    ("DynamoDB_20120810.PutItem", {"TableName": "tbl", "Item": {"id": {"L": [None]}}}),
    ("DynamoDB_20120810.BatchWriteItem", {"RequestItems": {"tbl": None}}),
])
def test_json_null_in_a_map_or_list_is_serialization_exception(server, target, body):
    # Scan, TransactWriteItems and BatchWriteItem answered 500 InternalFailure (PutItem's L [null] was already 400):
    # dense maps and lists refuse null (Smithy's malformed-request tests).
    server.client("dynamodb").create_table(
        TableName="tbl", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    before = server.state()
    st, _, resp = json_call(server, target, json.dumps(body).encode())
    assert st == 400, resp
    assert json.loads(resp)["__type"].endswith("SerializationException")
    assert_nothing_logged(server, before)
    assert server.client("dynamodb").describe_table(TableName="tbl")["Table"]["TableName"] == "tbl"


def test_json_null_member_is_absent(server):
    # Already so before; dropping null members in the codec must keep it: optional ones ignored, required ones missing.
    ddb = server.client("dynamodb")
    ddb.create_table(TableName="tbl", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    st, _, resp = json_call(server, "DynamoDB_20120810.Scan",
                            json.dumps({"TableName": "tbl", "Limit": None, "ExpressionAttributeNames": None}).encode())
    assert st == 200, resp
    st, _, resp = json_call(server, "DynamoDB_20120810.DescribeTable", b'{"TableName": null}')
    assert st == 400 and json.loads(resp)["__type"].endswith("ValidationException"), resp


# ---- unknown HTTP methods ----

def test_unknown_method_gets_an_aws_shaped_error(server):
    # These got 501 with an empty body; clients and proxies expect AWS's XML error with a request id.
    server.client("s3").create_bucket(Bucket="bkt")
    st, headers, body = send(server, "PROPFIND", "/bkt/k")
    assert st == 405, body
    assert xml_code(body) == "MethodNotAllowed"
    assert b"<RequestId>" in body and "x-amz-request-id" in {k.lower() for k in headers}
    # Not S3: the same code in the service's protocol, not 501 "service not available".
    st, _, body = send(server, "BREW", "/", b"", {"Authorization": auth("sqs")})
    assert st == 405 and xml_code(body) == "MethodNotAllowed" and b"<RequestId>" in body, (st, body)
    st, _, body = send(server, "BREW", "/", b"{}", {"Authorization": auth("dynamodb"),
                                                   "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    assert st == 405 and json.loads(body)["__type"] == "MethodNotAllowed", (st, body)
    assert server.get_json("/_localstack/health")["edition"] == "podstack"
