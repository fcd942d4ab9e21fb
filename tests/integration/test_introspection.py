"""Introspection without side effects (issue 23): LocalStack's SQS peek
endpoint /_aws/sqs/messages, and /_podstack/log as a long poll (?wait=) with
service and operation filters, which `podstack log --follow` uses.

No sleeps: a long poll is known to be waiting from /_podstack/info's
"long_polls", and the CLI's output is read line by line until the line comes.
"""
import json
import queue
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from botocore.exceptions import ClientError

from podstack_server import BIN, error_code as code, wait_until


def get(server, path, accept=None, timeout=10):
    """(status, content type, body bytes) of a GET, errors included."""
    req = urllib.request.Request(server.endpoint + path, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


def strip_ns(el):
    for e in el.iter():
        e.tag = e.tag.split("}", 1)[-1]
    return el


def peek_xml(server, query=None, path="/_aws/sqs/messages"):
    """The messages of a peek, from its XML ReceiveMessageResponse: [{Body, MessageId, ..., attrs, user}]."""
    status, ctype, body = get(server, path + ("?" + urllib.parse.urlencode(query) if query else ""))
    assert status == 200, body
    assert "xml" in ctype
    root = strip_ns(ET.fromstring(body))
    assert root.tag == "ReceiveMessageResponse"
    out = []
    for m in root.find("ReceiveMessageResult").findall("Message"):
        msg = {c.tag: c.text for c in m if c.tag not in ("Attribute", "MessageAttribute")}
        msg["attrs"] = {a.findtext("Name"): a.findtext("Value") for a in m.findall("Attribute")}
        msg["user"] = {a.findtext("Name"): a.find("Value").findtext("StringValue") for a in m.findall("MessageAttribute")}
        out.append(msg)
    return out


def peek_json(server, query=None, path="/_aws/sqs/messages"):
    """A peek with Accept: application/json: LocalStack's xmltodict shape, messages always as a list."""
    status, ctype, body = get(server, path + ("?" + urllib.parse.urlencode(query) if query else ""),
                              accept="application/json")
    assert status == 200, body
    assert ctype == "application/json"
    doc = json.loads(body)
    result = doc["ReceiveMessageResponse"]["ReceiveMessageResult"]
    assert doc["ReceiveMessageResponse"]["ResponseMetadata"]["RequestId"]
    if result is None:
        return []
    msgs = result["Message"]
    return msgs if isinstance(msgs, list) else [msgs]


def attr_map(json_message):
    attrs = json_message["Attribute"]
    return {a["Name"]: a["Value"] for a in (attrs if isinstance(attrs, list) else [attrs])}


def bodies(msgs):
    return [m["Body"] for m in msgs]


# ---- /_aws/sqs/messages ---------------------------------------------------

def test_peek_shows_messages_with_their_attributes_as_xml_and_json(server, sqs):
    url = sqs.create_queue(QueueName="peek")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="one",
                     MessageAttributes={"color": {"DataType": "String", "StringValue": "red"}})
    sqs.send_message(QueueUrl=url, MessageBody="two")

    msgs = peek_xml(server, {"QueueUrl": url})
    assert bodies(msgs) == ["one", "two"]
    first = msgs[0]
    assert first["ReceiptHandle"] == "SQS/BACKDOOR/ACCESS"
    assert first["MD5OfBody"] and first["MessageId"]
    assert first["attrs"]["ApproximateReceiveCount"] == "0"
    assert first["attrs"]["ApproximateFirstReceiveTimestamp"] == "0"
    assert first["attrs"]["SenderId"] == "test"  # as ReceiveMessage shows it
    assert abs(int(first["attrs"]["SentTimestamp"]) - time.time() * 1000) < 60_000
    assert "IsVisible" not in first["attrs"] and "IsDelayed" not in first["attrs"]
    assert first["user"] == {"color": "red"}
    assert first["MD5OfMessageAttributes"]

    js = peek_json(server, {"QueueUrl": url})
    assert bodies(js) == ["one", "two"]
    assert js[0]["MessageId"] == first["MessageId"]
    assert js[0]["MD5OfBody"] == first["MD5OfBody"]
    a = attr_map(js[0])
    assert a["SenderId"] == "test"
    assert {"ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp", "SentTimestamp"} <= a.keys()
    assert js[0]["MessageAttribute"]["Name"] == "color"  # one element: an object, as xmltodict makes it

    # One message: "Message" is an object; none: the result is null (xmltodict's shapes).
    url2 = sqs.create_queue(QueueName="peek-one")["QueueUrl"]
    status, _, body = get(server, "/_aws/sqs/messages?" + urllib.parse.urlencode({"QueueUrl": url2}), "application/json")
    assert json.loads(body)["ReceiveMessageResponse"]["ReceiveMessageResult"] is None
    sqs.send_message(QueueUrl=url2, MessageBody="only")
    status, _, body = get(server, "/_aws/sqs/messages?" + urllib.parse.urlencode({"QueueUrl": url2}), "application/json")
    assert json.loads(body)["ReceiveMessageResponse"]["ReceiveMessageResult"]["Message"]["Body"] == "only"


def test_peek_fifo_shows_group_and_deduplication_ids(server, sqs):
    url = sqs.create_queue(QueueName="peek.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for body, group in (("m1", "g1"), ("m2", "g1"), ("m3", "g2")):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    msgs = peek_xml(server, {"QueueUrl": url})
    assert bodies(msgs) == ["m1", "m2", "m3"]
    assert [m["attrs"]["MessageGroupId"] for m in msgs] == ["g1", "g1", "g2"]
    assert all(m["attrs"]["MessageDeduplicationId"] and m["attrs"]["SequenceNumber"] for m in msgs)

    # m1 in flight locks group g1: m2 is not receivable either, so only ShowInvisible lists both.
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
    assert got[0]["Body"] == "m1"
    assert bodies(peek_xml(server, {"QueueUrl": url})) == ["m3"]
    shown = peek_xml(server, {"QueueUrl": url, "ShowInvisible": "true"})
    assert [(m["Body"], m["attrs"]["IsVisible"]) for m in shown] == [("m1", "false"), ("m2", "true"), ("m3", "true")]


def test_show_invisible_lists_in_flight_and_show_delayed_lists_delayed(server, sqs):
    url = sqs.create_queue(QueueName="hidden")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m1")
    sqs.send_message(QueueUrl=url, MessageBody="m2")
    sqs.send_message(QueueUrl=url, MessageBody="m3", DelaySeconds=600)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=600)["Messages"]
    assert got[0]["Body"] == "m1"

    assert bodies(peek_json(server, {"QueueUrl": url})) == ["m2"]
    assert bodies(peek_json(server, {"QueueUrl": url, "ShowInvisible": "false"})) == ["m2"]

    invisible = peek_json(server, {"QueueUrl": url, "ShowInvisible": "true"})
    assert [(m["Body"], attr_map(m)["IsVisible"]) for m in invisible] == [("m1", "false"), ("m2", "true")]
    assert attr_map(invisible[0])["ApproximateReceiveCount"] == "1"
    assert attr_map(invisible[0])["ApproximateFirstReceiveTimestamp"] != "0"

    delayed = peek_json(server, {"QueueUrl": url, "ShowDelayed": "true"})
    assert [(m["Body"], attr_map(m)["IsDelayed"]) for m in delayed] == [("m2", "false"), ("m3", "true")]

    both = peek_json(server, {"QueueUrl": url, "ShowInvisible": "1", "ShowDelayed": "1"})
    assert [(m["Body"], attr_map(m)["IsVisible"], attr_map(m)["IsDelayed"]) for m in both] == [
        ("m1", "false", "false"), ("m2", "true", "false"), ("m3", "false", "true")]


def test_peeking_changes_nothing(server, sqs):
    url = sqs.create_queue(QueueName="untouched")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    before = server.state()
    log_before = server.get_json("/_podstack/log?since=1&limit=100000")["events"]

    for _ in range(2):
        assert bodies(peek_xml(server, {"QueueUrl": url, "ShowInvisible": "true", "ShowDelayed": "true"})) == ["hello"]
        assert bodies(peek_json(server, path="/_aws/sqs/messages/us-east-1/000000000000/untouched")) == ["hello"]

    assert server.state() == before  # same hash, same last sequence: no event
    assert server.get_json("/_podstack/log?since=1&limit=100000")["events"] == log_before
    got = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], VisibilityTimeout=600)["Messages"]
    assert got[0]["Attributes"]["ApproximateReceiveCount"] == "1"  # the peeks did not count

    # A peek after the receive leaves the message in flight (its visibility unchanged).
    peeked = peek_xml(server, {"QueueUrl": url, "ShowInvisible": "true"})
    assert [(m["attrs"]["ApproximateReceiveCount"], m["attrs"]["IsVisible"]) for m in peeked] == [("1", "false")]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    after_receive = server.state()
    peek_xml(server, {"QueueUrl": url, "ShowInvisible": "true"})
    assert server.state() == after_receive


def test_every_queue_url_shape_and_the_path_form(server, sqs):
    url = sqs.create_queue(QueueName="shapes")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    for u in (url,  # standard: http://sqs.us-east-1.localhost.localstack.cloud:<port>/000000000000/shapes
              f"http://us-east-1.queue.localhost.localstack.cloud:4566/000000000000/shapes",
              f"{server.endpoint}/queue/us-east-1/000000000000/shapes",
              f"{server.endpoint}/000000000000/shapes"):
        assert bodies(peek_xml(server, {"QueueUrl": u})) == ["x"], u
    assert bodies(peek_xml(server, path="/_aws/sqs/messages/us-east-1/000000000000/shapes")) == ["x"]

    # The region and account of the URL pick the partition.
    other = server.client("sqs", region="eu-west-1")
    eu = other.create_queue(QueueName="shapes")["QueueUrl"]
    other.send_message(QueueUrl=eu, MessageBody="eu")
    assert bodies(peek_xml(server, {"QueueUrl": eu})) == ["eu"]
    assert bodies(peek_xml(server, path="/_aws/sqs/messages/eu-west-1/000000000000/shapes")) == ["eu"]
    status, _, body = get(server, "/_aws/sqs/messages/us-east-2/000000000000/shapes", "application/json")
    assert status == 400
    assert json.loads(body)["ErrorResponse"]["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    status, _, body = get(server, "/_aws/sqs/messages/us-east-1/111111111111/shapes")
    assert status == 400 and b"NonExistentQueue" in body


def test_unknown_queue_missing_url_and_bad_address_errors(server, sqs):
    sqs.list_queues()
    # LocalStack's shapes: NonExistentQueue (400) for a missing QueueUrl or queue, InvalidAddress (404).
    status, ctype, body = get(server, "/_aws/sqs/messages")
    assert status == 400 and "xml" in ctype
    err = strip_ns(ET.fromstring(body))
    assert err.tag == "ErrorResponse"
    assert err.find("Error").findtext("Code") == "AWS.SimpleQueueService.NonExistentQueue"
    assert err.find("Error").findtext("Type") == "Sender"
    assert err.findtext("RequestId")

    status, ctype, body = get(server, "/_aws/sqs/messages?QueueUrl=" + urllib.parse.quote(
        "http://localhost:4566/000000000000/nope"), "application/json")
    assert status == 400 and ctype == "application/json"
    assert json.loads(body)["ErrorResponse"]["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"

    status, _, body = get(server, "/_aws/sqs/messages?QueueUrl=" + urllib.parse.quote("http://localhost:4566/nonsense"),
                          "application/json")
    assert status == 404
    assert json.loads(body)["ErrorResponse"]["Error"]["Code"] == "InvalidAddress"
    status, _, body = get(server, "/_aws/sqs/messages/us-east-1/only-two")
    assert status == 404 and b"InvalidAddress" in body


def test_an_sdk_pointed_at_the_endpoint_peeks(server, sqs):
    url = sqs.create_queue(QueueName="sdk")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="a")
    sqs.send_message(QueueUrl=url, MessageBody="b")
    import boto3.session
    peek = boto3.session.Session().client("sqs", endpoint_url=server.endpoint + "/_aws/sqs/messages", region_name="us-east-1",
                                          aws_access_key_id="test", aws_secret_access_key="test")
    got = peek.receive_message(QueueUrl=url, MaxNumberOfMessages=1)  # all of them: max is ignored
    assert [m["Body"] for m in got["Messages"]] == ["a", "b"]
    assert sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"][0]["Attributes"]["ApproximateReceiveCount"] == "1"
    with pytest.raises(ClientError) as e:
        peek.send_message(QueueUrl=url, MessageBody="no")
    assert code(e) == "InvalidRequest"
    assert e.value.response["Error"]["Message"] == "This endpoint only accepts ReceiveMessage calls"


# ---- /_podstack/log?wait= ---------------------------------------------------

def next_since(server):
    return server.state()["last_sequence"] + 1


def long_poll(server, query, timeout=60):
    """Starts GET /_podstack/log?<query> in a thread; returns a function that joins it: (answer, seconds)."""
    out = {}

    def run():
        t0 = time.monotonic()
        with urllib.request.urlopen(server.endpoint + "/_podstack/log?" + urllib.parse.urlencode(query), timeout=timeout) as r:
            out["answer"] = json.loads(r.read())
        out["seconds"] = time.monotonic() - t0

    th = threading.Thread(target=run, daemon=True)
    th.start()

    def join():
        th.join(timeout)
        assert not th.is_alive(), "the long poll did not answer"
        return out["answer"], out["seconds"]
    return join


def waiting_polls(server):
    return server.get_json("/_podstack/info")["long_polls"]


def test_log_long_poll_answers_when_a_matching_event_is_written(server, sqs):
    url = sqs.create_queue(QueueName="watched")["QueueUrl"]
    since = next_since(server)
    join = long_poll(server, {"since": since, "wait": 50, "service": "sqs", "operation": "SendMessage"})
    wait_until(lambda: waiting_polls(server) == 1, what="the long poll to wait")
    sqs.tag_queue(QueueUrl=url, Tags={"k": "v"})  # written, not matching: the poll goes on waiting
    wait_until(lambda: server.state()["last_sequence"] == since, what="TagQueue")
    assert waiting_polls(server) == 1
    sent = sqs.send_message(QueueUrl=url, MessageBody="go")["MessageId"]
    answer, seconds = join()
    assert seconds < 40  # answered by the event, well before the wait ends
    assert [(e["service"], e["operation"]) for e in answer["events"]] == [("sqs", "SendMessage")]
    assert answer["events"][0]["sequence"] == since + 1
    assert answer["next"] == since + 2
    assert sent  # the message the event records
    assert waiting_polls(server) == 0


def test_log_long_poll_answers_at_once_when_events_exist_and_empty_after_the_wait(server, sqs):
    sqs.create_queue(QueueName="q")
    answer = server.get_json("/_podstack/log?since=1&wait=30&operation=CreateQueue")
    assert [e["operation"] for e in answer["events"]] == ["CreateQueue"]

    since = next_since(server)
    t0 = time.monotonic()
    answer = server.get_json(f"/_podstack/log?since={since}&wait=1")
    assert time.monotonic() - t0 >= 0.9
    assert answer == {"events": [], "next": since}
    # A non-matching event in the meantime does not end the wait, but moves "next" past it.
    join = long_poll(server, {"since": since, "wait": 1, "service": "ssm"})
    wait_until(lambda: waiting_polls(server) == 1, what="the long poll to wait")
    sqs.create_queue(QueueName="other")
    answer, seconds = join()
    assert answer == {"events": [], "next": since + 1}
    assert seconds >= 0.9
    # The wait is as long with the clock advanced a day (it counts on podstack's clock).
    assert server.call_json("POST", "/_podstack/clock", {"advance": "1d"})[0] == 200
    since = next_since(server)
    t0 = time.monotonic()
    assert server.get_json(f"/_podstack/log?since={since}&wait=1")["events"] == []
    assert time.monotonic() - t0 >= 0.9


def test_log_filters_by_service_and_operation(server, sqs):
    ssm = server.client("ssm")
    url = sqs.create_queue(QueueName="f")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="1")
    ssm.put_parameter(Name="/p", Value="v", Type="String")
    sqs.send_message(QueueUrl=url, MessageBody="2")
    every = server.get_json("/_podstack/log")["events"]
    assert [e["operation"] for e in every] == ["CreateQueue", "SendMessage", "PutParameter", "SendMessage"]
    assert [e["operation"] for e in server.get_json("/_podstack/log?service=sqs")["events"]] == [
        "CreateQueue", "SendMessage", "SendMessage"]
    sends = server.get_json("/_podstack/log?service=sqs&operation=SendMessage")["events"]
    assert [e["sequence"] for e in sends] == [2, 4]
    assert server.get_json("/_podstack/log?operation=PutParameter")["events"][0]["service"] == "ssm"
    assert server.get_json("/_podstack/log?service=ssm&operation=SendMessage")["events"] == []
    # since is inclusive; limit counts matching events, and next follows the last one shown.
    page = server.get_json("/_podstack/log?since=2&limit=1&service=sqs")
    assert [e["sequence"] for e in page["events"]] == [2] and page["next"] == 3
    status, _, body = get(server, "/_podstack/log?wait=soon")
    assert status == 400 and b"wait" in body


def test_log_follow_prints_new_events_as_they_are_written(server, sqs):
    url = sqs.create_queue(QueueName="followed")["QueueUrl"]
    proc = subprocess.Popen([BIN, "log", "--follow", "--endpoint", server.endpoint, "--service", "sqs",
                             "--operation", "SendMessage"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in proc.stdout], daemon=True).start()
    try:
        wait_until(lambda: waiting_polls(server) == 1, what="podstack log --follow to wait")
        sqs.create_queue(QueueName="unrelated")
        sqs.send_message(QueueUrl=url, MessageBody="seen")
        line = lines.get(timeout=20)
        assert "SendMessage" in line and "queue=followed sent=1" in line, line
        sqs.send_message(QueueUrl=url, MessageBody="again")
        assert "SendMessage" in lines.get(timeout=20)
        assert lines.empty()  # CreateQueue was filtered out
        assert proc.poll() is None  # still following
    finally:
        proc.kill()
        proc.wait()


def test_a_json_protocol_client_pointed_at_the_endpoint_peeks(server, sqs):
    url = sqs.create_queue(QueueName="json-sdk")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")

    def call(op, body):
        req = urllib.request.Request(server.endpoint + "/_aws/sqs/messages", data=json.dumps(body).encode(), method="POST",
                                     headers={"X-Amz-Target": "AmazonSQS." + op, "Content-Type": "application/x-amz-json-1.0"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    status, body = call("ReceiveMessage", {"QueueUrl": url})
    assert status == 200
    assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in body["Messages"]] == [("x", "0")]
    status, body = call("SendMessage", {"QueueUrl": url, "MessageBody": "y"})
    assert status == 400 and body["__type"] == "InvalidRequest"
    status, body = call("ReceiveMessage", {"QueueUrl": url + "-nope"})
    assert status == 400 and body["__type"].endswith("QueueDoesNotExist")
    assert server.state()["last_sequence"] == 2  # CreateQueue, SendMessage: nothing else
