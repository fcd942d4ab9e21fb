"""SQS through Debian's boto3 (query protocol) and raw JSON-protocol requests, as AWS documents both;
time-based behaviour (visibility, delays) survives restart and kill -9."""
import hashlib
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from podstack_server import BIN, PodstackServer, error_code as code, sqs_json_call as json_call
from sqs_digest import md5_of_attributes




def wait_for_long_polls(server, n, timeout=10):
    """Until the server reports n long polls waiting (/_podstack/info), polled, never slept on."""
    end = time.monotonic() + timeout
    while server.get_json("/_podstack/info").get("long_polls") != n:
        assert time.monotonic() < end, "long poll never started waiting"


def counts(sqs, url):
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return (int(a["ApproximateNumberOfMessages"]), int(a["ApproximateNumberOfMessagesNotVisible"]),
            int(a["ApproximateNumberOfMessagesDelayed"]))


# ---- queues ----

def test_create_get_list_delete_queue(sqs, server):
    """Queue URLs follow LocalStack's default endpoint strategy; GetQueueUrl and ListQueues agree; delete removes."""
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    assert url == f"http://sqs.us-east-1.localhost.localstack.cloud:{server.port}/000000000000/orders"
    assert sqs.get_queue_url(QueueName="orders")["QueueUrl"] == url
    assert sqs.list_queues()["QueueUrls"] == [url]
    sqs.delete_queue(QueueUrl=url)
    assert "QueueUrls" not in sqs.list_queues()
    with pytest.raises(ClientError) as e:
        sqs.get_queue_url(QueueName="orders")
    assert code(e) == "AWS.SimpleQueueService.NonExistentQueue"
    assert e.value.response["Error"]["Message"] == "The specified queue does not exist."


def test_create_is_idempotent_only_with_equal_attributes(sqs):
    """Same name and attributes returns the same URL; a different value is QueueAlreadyExists."""
    url = sqs.create_queue(QueueName="idem", Attributes={"VisibilityTimeout": "40"})["QueueUrl"]
    assert sqs.create_queue(QueueName="idem", Attributes={"VisibilityTimeout": "40"})["QueueUrl"] == url
    assert sqs.create_queue(QueueName="idem")["QueueUrl"] == url
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName="idem", Attributes={"VisibilityTimeout": "41"})
    assert code(e) == "QueueAlreadyExists"


def test_queue_name_and_attribute_validation(sqs):
    """Bad names, unknown attributes and out-of-range values get AWS's codes."""
    for bad in ("has space", "x" * 81, "", "dot.name"):
        with pytest.raises(ClientError) as e:
            sqs.create_queue(QueueName=bad)
        assert code(e) == "InvalidParameterValue", bad
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName="plain.fifo")
    assert code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName="notfifo", Attributes={"FifoQueue": "true"})
    assert code(e) == "InvalidParameterValue"
    for attr, value in (("VisibilityTimeout", "43201"), ("DelaySeconds", "901"), ("MessageRetentionPeriod", "59"),
                        ("MaximumMessageSize", "1023"), ("ReceiveMessageWaitTimeSeconds", "21"), ("DelaySeconds", "x")):
        with pytest.raises(ClientError) as e:
            sqs.create_queue(QueueName="ranges", Attributes={attr: value})
        assert code(e) == "InvalidAttributeValue", attr
        assert e.value.response["Error"]["Message"] == f"Invalid value for the parameter {attr}."
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName="std", Attributes={"ContentBasedDeduplication": "true"})
    assert code(e) == "InvalidAttributeName"


def test_list_queues_prefix_and_pagination(sqs):
    """QueueNamePrefix filters; MaxResults pages with NextToken; NextToken without MaxResults is refused."""
    for n in ("a1", "a2", "a3", "b1"):
        sqs.create_queue(QueueName=n)
    names = lambda r: [u.rsplit("/", 1)[1] for u in r.get("QueueUrls", [])]
    assert names(sqs.list_queues(QueueNamePrefix="a")) == ["a1", "a2", "a3"]
    p1 = sqs.list_queues(QueueNamePrefix="a", MaxResults=2)
    assert names(p1) == ["a1", "a2"] and p1["NextToken"]
    p2 = sqs.list_queues(QueueNamePrefix="a", MaxResults=2, NextToken=p1["NextToken"])
    assert names(p2) == ["a3"] and "NextToken" not in p2
    with pytest.raises(ClientError) as e:
        sqs.list_queues(MaxResults=1001)
    assert code(e) == "InvalidParameterValue"


def test_get_and_set_queue_attributes(sqs, restart_check):
    """All standard attributes with defaults; Set changes them; unknown names are InvalidAttributeName."""
    url = sqs.create_queue(QueueName="attrs")["QueueUrl"]
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert a["VisibilityTimeout"] == "30" and a["MaximumMessageSize"] == "1048576"
    assert a["MessageRetentionPeriod"] == "345600" and a["DelaySeconds"] == "0"
    assert a["ReceiveMessageWaitTimeSeconds"] == "0" and a["SqsManagedSseEnabled"] == "true"
    assert a["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:attrs"
    assert "FifoQueue" not in a and "RedrivePolicy" not in a
    policy = json.dumps({"Version": "2012-10-17", "Statement": []})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "5", "DelaySeconds": "2", "Policy": policy})
    got = restart_check(lambda: sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["VisibilityTimeout", "DelaySeconds", "Policy"])["Attributes"])
    assert got == {"VisibilityTimeout": "5", "DelaySeconds": "2", "Policy": policy}
    with pytest.raises(ClientError) as e:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Nope"])
    assert code(e) == "InvalidAttributeName"
    with pytest.raises(ClientError) as e:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"QueueArn": "x"})
    assert code(e) == "InvalidAttributeName"


def test_tags(sqs, restart_check):
    """Tags at creation, TagQueue, UntagQueue, ListQueueTags; they survive restarts."""
    url = sqs.create_queue(QueueName="tagged", tags={"team": "a", "env": "dev"})["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"env": "prod", "cost": "1"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert restart_check(lambda: sqs.list_queue_tags(QueueUrl=url)["Tags"]) == {"env": "prod", "cost": "1"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["env", "cost"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)


def test_purge_queue_and_purge_in_progress(sqs):
    """PurgeQueue drops every message; a second purge within 60 s is PurgeQueueInProgress."""
    url = sqs.create_queue(QueueName="purge")["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=str(i))
    sqs.purge_queue(QueueUrl=url)
    assert counts(sqs, url) == (0, 0, 0)
    with pytest.raises(ClientError) as e:
        sqs.purge_queue(QueueUrl=url)
    assert code(e) == "AWS.SimpleQueueService.PurgeQueueInProgress"


# ---- messages ----

def test_send_receive_delete_with_md5s(sqs):
    """MD5OfMessageBody and MD5OfMessageAttributes are AWS's digests; receive returns what was sent."""
    url = sqs.create_queue(QueueName="msgs")["QueueUrl"]
    attrs = {"s": {"DataType": "String", "StringValue": "héllo"},
             "n": {"DataType": "Number", "StringValue": "12.5"},
             "b": {"DataType": "Binary", "BinaryValue": b"\x00\xffbin"},
             "c": {"DataType": "String.custom", "StringValue": "x"}}
    body = "hello wörld"
    r = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attrs)
    assert r["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
    assert r["MD5OfMessageAttributes"] == md5_of_attributes(attrs)
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], AttributeNames=["All"])["Messages"]
    assert len(got) == 1
    m = got[0]
    assert m["MessageId"] == r["MessageId"] and m["Body"] == body and m["MD5OfBody"] == r["MD5OfMessageBody"]
    assert m["MessageAttributes"] == attrs
    assert m["MD5OfMessageAttributes"] == md5_of_attributes(attrs)
    assert m["Attributes"]["ApproximateReceiveCount"] == "1"
    assert set(m["Attributes"]) >= {"SenderId", "SentTimestamp", "ApproximateFirstReceiveTimestamp"}
    assert counts(sqs, url) == (0, 1, 0)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert counts(sqs, url) == (0, 0, 0)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])  # already deleted: still success


def test_message_attribute_name_selection(sqs):
    """MessageAttributeNames picks exact names and prefixes; the digest matches what is returned."""
    url = sqs.create_queue(QueueName="sel")["QueueUrl"]
    attrs = {"a.x": {"DataType": "String", "StringValue": "1"}, "a.y": {"DataType": "String", "StringValue": "2"},
             "b": {"DataType": "String", "StringValue": "3"}}
    sqs.send_message(QueueUrl=url, MessageBody="m", MessageAttributes=attrs)
    m = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["a.*"], VisibilityTimeout=0)["Messages"][0]
    assert set(m["MessageAttributes"]) == {"a.x", "a.y"}
    assert m["MD5OfMessageAttributes"] == md5_of_attributes(m["MessageAttributes"])
    m = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "MessageAttributes" not in m and "Attributes" not in m


def test_message_validation(sqs):
    """1 MiB limit, invalid characters, attribute rules, DelaySeconds range, receive parameter ranges."""
    url = sqs.create_queue(QueueName="valid")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1048576)
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1048577)
    assert code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="bad \x01 char")
    assert code(e) == "InvalidMessageContents"
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="m", DelaySeconds=901)
    assert code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="m", MessageAttributes={"x": {"DataType": "Bogus", "StringValue": "1"}})
    assert code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="m", MessageAttributes={"x": {"DataType": "Number", "StringValue": "abc"}})
    assert code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="m", MessageAttributes={
            f"k{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)})
    assert code(e) == "InvalidParameterValue"
    for kw in ({"MaxNumberOfMessages": 11}, {"MaxNumberOfMessages": 0}, {"WaitTimeSeconds": 21}, {"VisibilityTimeout": 43201}):
        with pytest.raises(ClientError) as e:
            sqs.receive_message(QueueUrl=url, **kw)
        assert code(e) == "InvalidParameterValue", kw
    small = sqs.create_queue(QueueName="small", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=small, MessageBody="x" * 1025)
    assert code(e) == "InvalidParameterValue"


def test_receipt_handles_and_visibility_changes(sqs):
    """A forged handle is ReceiptHandleIsInvalid; changing visibility of a message not in flight is MessageNotInflight;
    visibility 0 makes it receivable again with a higher receive count."""
    url = sqs.create_queue(QueueName="vis")["QueueUrl"]
    with pytest.raises(ClientError) as e:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")
    assert code(e) == "ReceiptHandleIsInvalid"
    sqs.send_message(QueueUrl=url, MessageBody="m")
    m = sqs.receive_message(QueueUrl=url, VisibilityTimeout=300)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    with pytest.raises(ClientError) as e:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=10)
    assert code(e) == "AWS.SimpleQueueService.MessageNotInflight"
    m2 = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert m2["MessageId"] == m["MessageId"] and m2["ReceiptHandle"] != m["ReceiptHandle"]
    assert m2["Attributes"]["ApproximateReceiveCount"] == "2"
    with pytest.raises(ClientError) as e:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m2["ReceiptHandle"], VisibilityTimeout=43201)
    assert code(e) == "InvalidParameterValue"


def test_visibility_timeout_expiry_redelivers(sqs):
    """A message whose visibility timeout ends comes back; a long poll wakes exactly for it."""
    url = sqs.create_queue(QueueName="expire")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)["Messages"][0]
    t0 = time.monotonic()
    again = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10, AttributeNames=["All"])["Messages"][0]
    waited = time.monotonic() - t0
    assert again["MessageId"] == first["MessageId"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"
    assert 0.5 < waited < 5


def test_delay_seconds_per_message_and_per_queue(sqs):
    """Delayed messages count as delayed and arrive when due (a long poll wakes for them)."""
    url = sqs.create_queue(QueueName="delay", Attributes={"DelaySeconds": "1"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="queue-delay")
    sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)
    assert counts(sqs, url) == (1, 0, 1)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == ["now"]
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"]
    assert [m["Body"] for m in got] == ["queue-delay"]


# ---- batches ----

def test_send_message_batch_partial_failure_and_errors(sqs):
    """Good entries succeed while bad ones fail with their own code; batch-level errors as AWS."""
    url = sqs.create_queue(QueueName="batch")["QueueUrl"]
    r = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "ok1", "MessageBody": "one", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
        {"Id": "bad", "MessageBody": "bad \x02"},
        {"Id": "ok2", "MessageBody": "two", "DelaySeconds": 0}])
    assert sorted(e["Id"] for e in r["Successful"]) == ["ok1", "ok2"]
    ok1 = next(e for e in r["Successful"] if e["Id"] == "ok1")
    assert ok1["MD5OfMessageBody"] == hashlib.md5(b"one").hexdigest()
    assert ok1["MD5OfMessageAttributes"] == md5_of_attributes({"k": {"DataType": "String", "StringValue": "v"}})
    assert r["Failed"] == [{"Id": "bad", "SenderFault": True, "Code": "InvalidMessageContents",
                            "Message": r["Failed"][0]["Message"]}]
    cases = [([], "AWS.SimpleQueueService.EmptyBatchRequest"),
             ([{"Id": str(i), "MessageBody": "x"} for i in range(11)], "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
             ([{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}], "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
             ([{"Id": "no spaces", "MessageBody": "x"}], "AWS.SimpleQueueService.InvalidBatchEntryId"),
             ([{"Id": "a", "MessageBody": "x" * 800000}, {"Id": "b", "MessageBody": "x" * 300000}],
              "AWS.SimpleQueueService.BatchRequestTooLong")]
    for entries, want in cases:
        with pytest.raises(ClientError) as e:
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
        assert code(e) == want


def test_delete_and_change_visibility_batch(sqs):
    """Batch delete and visibility change report each entry; a bad handle fails only its entry."""
    url = sqs.create_queue(QueueName="batch2")["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(4)])
    msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300)["Messages"]
    assert len(msgs) == 4
    r = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "a", "ReceiptHandle": msgs[0]["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "b", "ReceiptHandle": "garbage", "VisibilityTimeout": 0}])
    assert [e["Id"] for e in r["Successful"]] == ["a"]
    assert [(e["Id"], e["Code"]) for e in r["Failed"]] == [("b", "ReceiptHandleIsInvalid")]
    assert counts(sqs, url) == (1, 3, 0)
    r = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs[1:])] +
        [{"Id": "bad", "ReceiptHandle": "garbage"}])
    assert sorted(e["Id"] for e in r["Successful"]) == ["0", "1", "2"]
    assert [e["Id"] for e in r["Failed"]] == ["bad"]
    assert counts(sqs, url) == (1, 0, 0)


# ---- FIFO ----

def test_fifo_order_dedup_and_sequence_numbers(sqs):
    """FIFO delivers in order with increasing SequenceNumbers; duplicate ids within 5 minutes are dropped."""
    url = sqs.create_queue(QueueName="f.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    seqs = []
    for i in range(5):
        r = sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", MessageGroupId="g", MessageDeduplicationId=f"d{i}")
        seqs.append(int(r["SequenceNumber"]))
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    dup = sqs.send_message(QueueUrl=url, MessageBody="other", MessageGroupId="g", MessageDeduplicationId="d0")
    assert int(dup["SequenceNumber"]) == seqs[0]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in got] == [f"m{i}" for i in range(5)]
    assert got[0]["Attributes"]["MessageGroupId"] == "g" and got[0]["Attributes"]["MessageDeduplicationId"] == "d0"
    assert [int(m["Attributes"]["SequenceNumber"]) for m in got] == seqs


def test_fifo_content_based_dedup_and_errors(sqs):
    """Content-based dedup uses the body's SHA-256; FIFO rules give AWS's errors."""
    url = sqs.create_queue(QueueName="cb.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    a = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    b = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    assert a["MessageId"] == b["MessageId"]
    m = sqs.receive_message(QueueUrl=url, AttributeNames=["MessageDeduplicationId"])["Messages"][0]
    assert m["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"same").hexdigest()
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert code(e) == "MissingParameter"
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", DelaySeconds=5)
    assert code(e) == "InvalidParameterValue"
    plain = sqs.create_queue(QueueName="p.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=plain, MessageBody="x", MessageGroupId="g")
    assert code(e) == "InvalidParameterValue"
    std = sqs.create_queue(QueueName="std")["QueueUrl"]
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=std, MessageBody="x", MessageDeduplicationId="d")
    assert code(e) == "InvalidParameterValue"


def test_fifo_group_in_flight_blocks_the_group_only(sqs):
    """While a group's message is in flight the group is locked; other groups still deliver."""
    url = sqs.create_queue(QueueName="grp.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for body, g in (("a1", "A"), ("a2", "A"), ("b1", "B")):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=g)
    first = sqs.receive_message(QueueUrl=url)["Messages"]
    assert [m["Body"] for m in first] == ["a1"]
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == ["b1"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["a2"]


def test_fifo_order_under_concurrent_consumers(server):
    """Three consumers on one FIFO queue: every message once, and each group processed in send order."""
    c = server.client("sqs")
    url = c.create_queue(QueueName="conc.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    groups, per_group = 4, 30
    for i in range(per_group):
        c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": f"g{g}", "MessageBody": f"{g}:{i}", "MessageGroupId": f"g{g}"} for g in range(groups)])
    processed, lock = [], threading.Lock()

    def consume():
        cl = server.client("sqs")
        while True:
            msgs = cl.receive_message(QueueUrl=url, MaxNumberOfMessages=3, WaitTimeSeconds=1).get("Messages", [])
            if not msgs:
                return
            for m in msgs:
                with lock:
                    processed.append(m["Body"])
                cl.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    threads = [threading.Thread(target=consume) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(processed) == sorted(f"{g}:{i}" for g in range(groups) for i in range(per_group))
    for g in range(groups):
        assert [int(b.split(":")[1]) for b in processed if b.startswith(f"{g}:")] == list(range(per_group))


# ---- dead-letter queues and move tasks ----

def test_dead_letter_queue_and_redrive(sqs, restart_check):
    """After maxReceiveCount receives a message moves to the DLQ; a move task brings it back."""
    dlq = sqs.create_queue(QueueName="dead")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    src = sqs.create_queue(QueueName="work", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    src_arn = sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # AWS answers the policy compact, maxReceiveCount a number.
    assert sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"] == \
        json.dumps(json.loads(policy), separators=(",", ":"))
    sent = sqs.send_message(QueueUrl=src, MessageBody="poison")["MessageId"]
    for _ in range(2):
        assert sqs.receive_message(QueueUrl=src, VisibilityTimeout=0)["Messages"][0]["MessageId"] == sent
    assert "Messages" not in sqs.receive_message(QueueUrl=src)
    assert restart_check(lambda: (counts(sqs, src), counts(sqs, dlq))) == ((0, 0, 0), (1, 0, 0))
    m = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"], VisibilityTimeout=0)["Messages"][0]
    assert m["MessageId"] == sent and m["Attributes"]["DeadLetterQueueSourceArn"] == src_arn
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [src]
    # Debian's boto3 predates message move tasks: they are exercised through the JSON protocol below.


def test_message_move_task_json(server, sqs):
    """StartMessageMoveTask moves DLQ messages back to their source; ListMessageMoveTasks reports it."""
    dlq = sqs.create_queue(QueueName="dlq2")["QueueUrl"]
    dlq_arn = "arn:aws:sqs:us-east-1:000000000000:dlq2"
    src = sqs.create_queue(QueueName="src2", Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})})["QueueUrl"]
    sqs.send_message(QueueUrl=src, MessageBody="x")
    sqs.receive_message(QueueUrl=src, VisibilityTimeout=0)
    assert "Messages" not in sqs.receive_message(QueueUrl=src)
    st, _, body = json_call(server, "StartMessageMoveTask", {"SourceArn": dlq_arn})
    assert st == 200 and body["TaskHandle"]
    st, _, body = json_call(server, "ListMessageMoveTasks", {"SourceArn": dlq_arn})
    assert st == 200
    [t] = body["Results"]
    assert t["Status"] == "COMPLETED" and t["ApproximateNumberOfMessagesMoved"] == 1 and t["SourceArn"] == dlq_arn
    assert counts(sqs, src) == (1, 0, 0) and counts(sqs, dlq) == (0, 0, 0)
    st, _, body = json_call(server, "StartMessageMoveTask", {"SourceArn": "arn:aws:sqs:us-east-1:000000000000:src2"})
    assert st == 400 and body["__type"] == "com.amazon.coral.service#InvalidParameterValueException"
    st, _, body = json_call(server, "CancelMessageMoveTask", {"TaskHandle": t["TaskHandle"]})
    assert st == 404 and body["__type"] == "com.amazonaws.sqs#ResourceNotFoundException"


# ---- long polling ----

def test_long_poll_is_woken_by_a_send(server):
    """A receive waiting up to 20 s returns as soon as a message is sent, not at the end of the wait."""
    c = server.client("sqs")
    url = c.create_queue(QueueName="lp")["QueueUrl"]
    result, started = {}, threading.Event()

    def poll():
        cl = server.client("sqs")
        started.set()
        t0 = time.monotonic()
        result["msgs"] = cl.receive_message(QueueUrl=url, WaitTimeSeconds=20).get("Messages", [])
        result["t"] = time.monotonic() - t0

    t = threading.Thread(target=poll)
    t.start()
    started.wait()
    wait_for_long_polls(server, 1)
    c.send_message(QueueUrl=url, MessageBody="wake")
    t.join(30)
    assert [m["Body"] for m in result["msgs"]] == ["wake"]
    assert result["t"] < 5


def test_long_poll_returns_empty_at_the_end_of_the_wait(sqs):
    """With nothing to deliver a long poll answers empty after WaitTimeSeconds (and the queue default applies)."""
    url = sqs.create_queue(QueueName="lp2", Attributes={"ReceiveMessageWaitTimeSeconds": "1"})["QueueUrl"]
    t0 = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    assert 0.9 < time.monotonic() - t0 < 5
    t0 = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
    assert time.monotonic() - t0 < 0.9


def test_shutdown_answers_waiting_long_polls(tmp_path):
    """A graceful stop does not wait for long polls to run out."""
    s = PodstackServer(tmp_path / "data").start()
    try:
        c = s.client("sqs")
        url = c.create_queue(QueueName="bye")["QueueUrl"]
        out = {}
        t = threading.Thread(target=lambda: out.setdefault("r", _receive_or_error(s, url)))
        t.start()
        wait_for_long_polls(s, 1)
        t0 = time.monotonic()
        s.stop()
        t.join(30)
        assert time.monotonic() - t0 < 10
        assert "Messages" not in out["r"]
    finally:
        if s.proc:
            s.stop()


def _receive_or_error(s, url):
    try:
        return s.client("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=20)
    except Exception as e:  # the server went away
        return e


# ---- durability ----

def test_in_flight_and_delayed_messages_survive_restart_and_kill9(sqs, server):
    """In-flight and delayed messages keep their deadlines across restart and kill -9; the hash replays."""
    url = sqs.create_queue(QueueName="durable")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="inflight")
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=2)
    sqs.send_message(QueueUrl=url, MessageBody="visible")
    got = sqs.receive_message(QueueUrl=url, VisibilityTimeout=3)["Messages"]
    assert [m["Body"] for m in got] == ["inflight"]
    deadline = time.time() + 3
    before = server.state_hash()
    server.restart()
    assert server.state_hash() == before
    server.crash_restart()
    assert server.state_hash() == before
    assert counts(sqs, url)[1] in (0, 1)
    bodies = {}
    while len(bodies) < 3:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=10,
                                     AttributeNames=["ApproximateReceiveCount"]).get("Messages", []):
            bodies[m["Body"]] = (time.time(), m["Attributes"]["ApproximateReceiveCount"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert bodies["inflight"][1] == "2" and bodies["inflight"][0] >= deadline - 0.05
    assert bodies["delayed"][1] == "1"
    s2 = subprocess.run([BIN, "state", "hash", "--endpoint", server.endpoint], capture_output=True, text=True)
    assert s2.stdout.strip() == server.state_hash()


def test_replay_from_scratch_gives_the_same_hash(server, sqs):
    """Replaying the whole SQS log twice (offline, no checkpoint) gives the live hash."""
    url = sqs.create_queue(QueueName="replay.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for i in range(20):
        sqs.send_message(QueueUrl=url, MessageBody=str(i), MessageGroupId=str(i % 3))
    for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=5)["Messages"][:2]:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    live = server.state_hash()
    assert server.state()["services"]["sqs"]
    server.stop()
    for _ in range(2):
        out = subprocess.run([BIN, "state", "hash", "--data-dir", server.data_dir, "--from-scratch"],
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == live
    server.start()


# ---- protocols and addressing ----

def test_json_protocol_answers_and_errors(server, sqs):
    """The JSON protocol gives the same answers, and errors as shape names with the query code in x-amzn-query-error."""
    st, h, body = json_call(server, "CreateQueue", {"QueueName": "j", "Attributes": {"VisibilityTimeout": "7"}})
    assert st == 200 and body["QueueUrl"] == sqs.get_queue_url(QueueName="j")["QueueUrl"]
    assert h["Content-Type"] == "application/x-amz-json-1.0"
    url = body["QueueUrl"]
    attrs = {"b": {"DataType": "Binary", "BinaryValue": "AAH/"}, "s": {"DataType": "String", "StringValue": "v"}}
    st, _, sent = json_call(server, "SendMessage", {"QueueUrl": url, "MessageBody": "hi", "MessageAttributes": attrs})
    assert sent["MD5OfMessageAttributes"] == md5_of_attributes(
        {"b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"}, "s": {"DataType": "String", "StringValue": "v"}})
    st, _, got = json_call(server, "ReceiveMessage", {"QueueUrl": url, "MessageAttributeNames": ["All"],
                                                      "MessageSystemAttributeNames": ["ApproximateReceiveCount"]})
    [m] = got["Messages"]
    assert m["MessageAttributes"] == attrs and m["Attributes"] == {"ApproximateReceiveCount": "1"}
    st, _, a = json_call(server, "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["VisibilityTimeout"]})
    assert a == {"Attributes": {"VisibilityTimeout": "7"}}
    st, h, err = json_call(server, "GetQueueUrl", {"QueueName": "missing"})
    assert st == 400 and err["__type"] == "com.amazonaws.sqs#QueueDoesNotExist"
    assert h["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    st, h, err = json_call(server, "CreateQueue", {"QueueName": "j", "Attributes": {"VisibilityTimeout": "8"}})
    assert err["__type"] == "com.amazonaws.sqs#QueueNameExists" and h["x-amzn-query-error"] == "QueueAlreadyExists;Sender"
    st, h, err = json_call(server, "DeleteMessageBatch", {"QueueUrl": url, "Entries": []})
    assert err["__type"] == "com.amazonaws.sqs#EmptyBatchRequest"
    st, h, err = json_call(server, "SendMessage", {"QueueUrl": url, "MessageBody": 5})
    assert st == 400 and err["__type"] == "SerializationException"
    st, h, err = json_call(server, "SendMessage", {"QueueUrl": url})
    assert st == 400 and "ValidationException" in err["__type"]
    st, h, err = json_call(server, "NoSuchOperation", {})
    assert st == 400 and err["__type"] == "UnknownOperationException"


def test_query_request_addressed_by_queue_path(server, sqs):
    """Old clients POST to the queue URL's path with no QueueUrl parameter."""
    sqs.create_queue(QueueName="bypath")
    data = urllib.parse.urlencode({"Action": "SendMessage", "MessageBody": "via path", "Version": "2012-11-05"}).encode()
    req = urllib.request.Request(server.endpoint + "/000000000000/bypath", data=data, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200 and b"<MessageId>" in r.read()
    url = sqs.get_queue_url(QueueName="bypath")["QueueUrl"]
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "via path"


@pytest.mark.parametrize("strategy,shape", [
    ("off", "http://127.0.0.1:{port}/000000000000/q"),
    ("path", "http://127.0.0.1:{port}/queue/us-east-1/000000000000/q"),
    ("domain", "http://us-east-1.queue.localhost.localstack.cloud:{port}/000000000000/q"),
    ("standard", "http://sqs.us-east-1.localhost.localstack.cloud:{port}/000000000000/q"),
])
def test_endpoint_strategies(tmp_path, strategy, shape):
    """SQS_ENDPOINT_STRATEGY picks the queue URL shape as in LocalStack; every shape is accepted back."""
    s = PodstackServer(tmp_path / "data", env={"SQS_ENDPOINT_STRATEGY": strategy}).start()
    try:
        c = s.client("sqs")
        url = c.create_queue(QueueName="q")["QueueUrl"]
        assert url == shape.format(port=s.port)
        c.send_message(QueueUrl=url, MessageBody="x")
        assert c.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "x"
    finally:
        s.stop()


def test_unknown_action_is_an_aws_error(server):
    """An action SQS does not have answers in AWS's error shape, not a hang or a crash. (Every operation
    of the SQS model is implemented since AddPermission/RemovePermission: see test_sqs_permissions.py.)"""
    data = urllib.parse.urlencode({"Action": "ShareQueue", "Version": "2012-11-05"}).encode()
    req = urllib.request.Request(server.endpoint + "/", data=data, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 400
    body = e.value.read()
    assert b"<Code>InvalidAction</Code>" in body and b"<RequestId>" in body
