"""Browser-based uploads (POST Object): forms from boto3's generate_presigned_post
sent as multipart/form-data, the POST policy enforced as AWS documents it
(expiration, eq / starts-with, content-length-range, extra fields), the
success_action_* answers, and the file streamed like a PutObject body."""
import base64
import datetime
import hashlib
import json
import os
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ET

import pytest

from podstack_server import error_code as code


@pytest.fixture
def s3(server):
    c = server.client("s3")
    c.create_bucket(Bucket="forms")
    return c


def multipart(fields, file_bytes, filename="upload.csv", file_type="text/csv", after=None):
    """A multipart/form-data body (fields, then the file, then `after` fields AWS ignores)."""
    boundary = "----podstack" + uuid.uuid4().hex
    out = b""
    for k, v in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    if file_bytes is not None:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                f"Content-Type: {file_type}\r\n\r\n").encode() + file_bytes + b"\r\n"
    for k, v in (after or {}).items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


def post(url, fields, file_bytes, **kw):
    body, ctype = multipart(fields, file_bytes, **kw)
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **kw):
        return None


def error_of(body):
    root = ET.fromstring(body)
    return root.findtext("Code"), root.findtext("Message")


def test_presigned_post_uploads_and_returns_204(s3):
    p = s3.generate_presigned_post("forms", "csv/data.csv")
    data = b"name,phone\nada,+15555550100\n"
    status, headers, body = post(p["url"], p["fields"], data)
    assert status == 204, body
    assert body == b""
    assert headers["ETag"] == '"' + hashlib.md5(data).hexdigest() + '"'
    assert headers["Location"].endswith("/forms/csv/data.csv")
    got = s3.get_object(Bucket="forms", Key="csv/data.csv")
    assert got["Body"].read() == data
    assert got["ContentType"] == "binary/octet-stream"  # no Content-Type field


def test_filename_variable_fields_and_201_document(s3):
    p = s3.generate_presigned_post(
        "forms", "uploads/${filename}",
        Fields={"Content-Type": "text/csv", "x-amz-meta-owner": "notify", "success_action_status": "201"},
        Conditions=[{"Content-Type": "text/csv"}, {"x-amz-meta-owner": "notify"}, {"success_action_status": "201"},
                    ["starts-with", "$key", "uploads/"]])
    status, _, body = post(p["url"], p["fields"], b"a,b\n", filename="list one.csv")
    assert status == 201, body
    root = ET.fromstring(body)
    assert root.tag == "PostResponse"
    assert root.findtext("Bucket") == "forms"
    assert root.findtext("Key") == "uploads/list one.csv"
    assert root.findtext("ETag") == '"' + hashlib.md5(b"a,b\n").hexdigest() + '"'
    head = s3.head_object(Bucket="forms", Key="uploads/list one.csv")
    assert head["ContentType"] == "text/csv"
    assert head["Metadata"] == {"owner": "notify"}


def test_success_action_redirect(server, s3):
    p = s3.generate_presigned_post("forms", "r.txt", Fields={"success_action_redirect": "http://app.local/done"},
                                   Conditions=[{"success_action_redirect": "http://app.local/done"}])
    body, ctype = multipart(p["fields"], b"x")
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as e:
        opener.open(urllib.request.Request(p["url"], data=body, method="POST", headers={"Content-Type": ctype}))
    assert e.value.code == 303
    loc = e.value.headers["Location"]
    assert loc.startswith("http://app.local/done?bucket=forms&key=r.txt&etag=")


def test_content_length_range(s3):
    p = s3.generate_presigned_post("forms", "sized", Conditions=[["content-length-range", 10, 20]])
    status, _, body = post(p["url"], p["fields"], b"x" * 5)
    assert status == 400 and error_of(body)[0] == "EntityTooSmall"
    status, _, body = post(p["url"], p["fields"], b"x" * 21)
    assert status == 400 and error_of(body)[0] == "EntityTooLarge"
    assert ET.fromstring(body).findtext("MaxSizeAllowed") == "20"
    with pytest.raises(Exception):
        s3.head_object(Bucket="forms", Key="sized")  # nothing stored
    status, _, _ = post(p["url"], p["fields"], b"x" * 15)
    assert status == 204
    assert s3.get_object(Bucket="forms", Key="sized")["ContentLength"] == 15


def test_policy_conditions_and_expiry(s3):
    p = s3.generate_presigned_post("forms", "exact.txt")
    fields = dict(p["fields"], key="other.txt")  # the policy says key == exact.txt
    status, _, body = post(p["url"], fields, b"x")
    assert status == 403
    c, m = error_of(body)
    assert c == "AccessDenied" and m.startswith("Invalid according to Policy: Policy Condition failed")

    extra = dict(p["fields"], **{"x-amz-meta-sneaky": "1"})  # not named by any condition
    status, _, body = post(p["url"], extra, b"x")
    assert status == 403 and "Extra input fields: x-amz-meta-sneaky" in error_of(body)[1]
    ignored = dict(p["fields"], **{"x-ignore-anything": "1"})
    assert post(p["url"], ignored, b"x")[0] == 204

    expired = s3.generate_presigned_post("forms", "late.txt", ExpiresIn=-10)
    status, _, body = post(expired["url"], expired["fields"], b"x")
    assert status == 403 and error_of(body) == ("AccessDenied", "Invalid according to Policy: Policy expired.")


def test_form_errors(server, s3):
    url = server.endpoint + "/forms"
    status, _, body = post(url, {}, b"x")
    assert status == 400 and error_of(body)[0] == "InvalidArgument"  # no key field
    status, _, body = post(url, {"key": "k"}, None)
    assert status == 400 and "exactly one file" in error_of(body)[1]
    # Not multipart at all.
    req = urllib.request.Request(url, data=b"key=k", method="POST",
                                 headers={"Content-Type": "text/plain"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 412
    # Truncated multipart body: a clean error, nothing stored.
    body, ctype = multipart({"key": "cut"}, b"y" * 1000)
    req = urllib.request.Request(url, data=body[:-40], method="POST", headers={"Content-Type": ctype})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 400
    assert error_of(e.value.read())[0] == "MalformedPOSTRequest"
    with pytest.raises(Exception):
        s3.head_object(Bucket="forms", Key="cut")
    # Fields after the file are ignored, as AWS does.
    status, _, _ = post(url, {"key": "after"}, b"z", after={"Content-Type": "text/plain"})
    assert status == 204
    assert s3.head_object(Bucket="forms", Key="after")["ContentType"] == "binary/octet-stream"


def test_large_file_streams_and_survives_restart(server, s3, restart_check):
    data = os.urandom(3 * 1024 * 1024 + 17)  # several 1 MiB chunks, a boundary-like tail risk
    p = s3.generate_presigned_post("forms", "big.bin")
    status, _, _ = post(p["url"], p["fields"], data)
    assert status == 204

    def read():
        return hashlib.sha256(s3.get_object(Bucket="forms", Key="big.bin")["Body"].read()).hexdigest()

    assert restart_check(read) == hashlib.sha256(data).hexdigest()


def test_post_notification(s3, server):
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName="post-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket="forms", NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:Post"]}]})
    p = s3.generate_presigned_post("forms", "posted.txt")
    assert post(p["url"], p["fields"], b"hello")[0] == 204
    s3.put_object(Bucket="forms", Key="put.txt", Body=b"not a post")
    msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    events = [json.loads(m["Body"]) for m in msgs]
    recs = [r for e in events for r in e.get("Records", [])]
    assert [(r["eventName"], r["s3"]["object"]["key"]) for r in recs] == [("ObjectCreated:Post", "posted.txt")]
