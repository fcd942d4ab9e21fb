"""SQS behaviour checked against AWS's recorded answers (issue 18): 1 MiB messages, JSON-protocol
error types, empty tag calls, attribute-name prefixes, RedrivePolicy as AWS returns it, and batch
validation that fails the whole request. Sources are named in each test."""
import json
import os
import shutil

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from podstack_server import error_code as code, sqs_json_call as json_call
from sqs_digest import md5_of_attributes

MIB = 1048576
MODEL = os.path.join(os.path.dirname(__file__), "..", "..", "server", "protocol", "models", "sqs.json")




@pytest.fixture
def sqs_json(server, tmp_path):
    """A botocore SQS client speaking the JSON protocol, as current SDKs do: the pinned model with
    its protocol switched to json (Debian's botocore predates SQS's JSON protocol)."""
    model = json.load(open(MODEL))
    model["metadata"]["protocol"] = "json"
    # The current AWS model has no query wire names (Attribute, Tag, ...): JSON uses the member names.
    def strip(node):
        if isinstance(node, dict):
            node.pop("locationName", None)
            node.pop("flattened", None)
            for v in node.values():
                strip(v)
    strip(model["shapes"])
    d = tmp_path / "models" / "sqs" / "2012-11-05"
    d.mkdir(parents=True)
    (d / "service-2.json").write_text(json.dumps(model))
    system = os.path.join(os.path.dirname(botocore.__file__), "data", "sqs", "2012-11-05")
    for f in os.listdir(system):
        if f.startswith("endpoint-rule-set") or f.startswith("paginators"):
            shutil.copy(os.path.join(system, f), d / f)
    s = botocore.session.get_session()
    s.get_component("data_loader").search_paths.insert(0, str(tmp_path / "models"))
    return s.create_client("sqs", endpoint_url=server.endpoint, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test",
                           config=Config(retries={"total_max_attempts": 1}))


# ---- 1. messages up to 1 MiB ----
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html (MessageBody: 1 MiB),
# CreateQueue (MaximumMessageSize 1,024..1,048,576, default 1,048,576); the messages as LocalStack recorded them
# from AWS (tests/aws/services/sqs/test_sqs.snapshot.json, test_send_message_with_oversized_contents,
# test_send_message_batch_with_oversized_contents, 2025-08).

def test_one_mib_message_default_and_limits(sqs, sqs_json, server):
    url = sqs.create_queue(QueueName="big")["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MaximumMessageSize"])["Attributes"] == {
        "MaximumMessageSize": str(MIB)}
    body = "x" * MIB
    sqs.send_message(QueueUrl=url, MessageBody=body)  # query protocol: ~1 MiB URL-encoded form
    [m] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert m["Body"] == body
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody=body + "x")
    assert code(e) == "InvalidParameterValue"
    assert e.value.response["Error"]["Message"] == \
        "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."
    # Attributes count towards the size: name, type and value.
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x" * (MIB - 7),
                         MessageAttributes={"k": {"DataType": "String", "StringValue": "x"}})
    assert code(e) == "InvalidParameterValue"
    # The JSON protocol carries the same 1 MiB body.
    sqs_json.send_message(QueueUrl=url, MessageBody=body)
    st, _, got = json_call(server, "ReceiveMessage", {"QueueUrl": url, "VisibilityTimeout": 0})
    assert st == 200 and got["Messages"][0]["Body"] == body


def test_maximum_message_size_attribute_range(sqs, restart_check):
    url = sqs.create_queue(QueueName="range", Attributes={"MaximumMessageSize": str(MIB)})["QueueUrl"]
    for bad in ("1023", str(MIB + 1)):
        with pytest.raises(ClientError) as e:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"MaximumMessageSize": bad})
        assert code(e) == "InvalidAttributeValue"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"MaximumMessageSize": "2048"})
    assert restart_check(lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MaximumMessageSize"])
                         ["Attributes"]) == {"MaximumMessageSize": "2048"}
    # A batch entry over the queue's own limit fails alone, worded as AWS words it in a batch
    # (test_send_batch_message_size in LocalStack's snapshot).
    r = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "ok", "MessageBody": "a" * 2048},
                                                      {"Id": "big", "MessageBody": "a" * 2049}])
    assert [e["Id"] for e in r["Successful"]] == ["ok"]
    assert r["Failed"] == [{"Id": "big", "SenderFault": True, "Code": "InvalidParameterValue",
                            "Message": "One or more parameters cannot be validated. Reason: Message must be shorter than 2048 bytes."}]


def test_batch_total_is_one_mib(sqs):
    url = sqs.create_queue(QueueName="batchbig")["QueueUrl"]
    quarter = MIB // 4
    r = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "b" * quarter} for i in range(4)])
    assert len(r["Successful"]) == 4 and r.get("Failed", []) == []
    attrs = {"k": {"DataType": "String", "StringValue": "x"}}
    with pytest.raises(ClientError) as e:
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "1", "MessageBody": "a" * (MIB - len("k") - len("String") - len("x")), "MessageAttributes": attrs},
            {"Id": "2", "MessageBody": "a"}])
    assert code(e) == "AWS.SimpleQueueService.BatchRequestTooLong"
    assert e.value.response["Error"]["Message"] == \
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes."


# ---- 2. JSON-protocol error types ----
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
# (x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender, "__type": "com.amazonaws.sqs#QueueDoesNotExist");
# InvalidParameterValue / MissingParameter as com.amazon.coral.service#...Exception (LocalStack's serializer notes and
# its AWS snapshots: QueryErrorCode InvalidParameterValueException, MissingRequiredParameterException).

def test_json_error_types_are_qualified(server, sqs):
    st, h, err = json_call(server, "GetQueueUrl", {"QueueName": "missing"})
    assert st == 400 and err == {"__type": "com.amazonaws.sqs#QueueDoesNotExist",
                                 "message": "The specified queue does not exist."}
    assert h["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    assert h["x-amzn-ErrorType"] == "com.amazonaws.sqs#QueueDoesNotExist"
    url = sqs.create_queue(QueueName="jerr")["QueueUrl"]
    st, h, err = json_call(server, "SendMessage", {"QueueUrl": url, "MessageBody": "m", "DelaySeconds": 901})
    assert st == 400 and err["__type"] == "com.amazon.coral.service#InvalidParameterValueException"
    assert h["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    fifo = sqs.create_queue(QueueName="jerr.fifo", Attributes={"FifoQueue": "true",
                                                               "ContentBasedDeduplication": "true"})["QueueUrl"]
    st, h, err = json_call(server, "SendMessage", {"QueueUrl": fifo, "MessageBody": "m"})
    assert err["__type"] == "com.amazon.coral.service#MissingRequiredParameterException"
    assert h["x-amzn-query-error"] == "MissingParameter;Sender"
    st, h, err = json_call(server, "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["Bogus"]})
    assert err["__type"] == "com.amazonaws.sqs#InvalidAttributeName" and h["x-amzn-query-error"] == "InvalidAttributeName;Sender"
    st, h, err = json_call(server, "SendMessageBatch", {"QueueUrl": url, "Entries": []})
    assert err["__type"] == "com.amazonaws.sqs#EmptyBatchRequest"
    assert h["x-amzn-query-error"] == "AWS.SimpleQueueService.EmptyBatchRequest;Sender"


def test_json_protocol_client_maps_errors_to_the_query_codes(sqs_json):
    """botocore on the JSON protocol takes the code from x-amzn-query-error: the modeled exception class
    and the query code, as with the query protocol."""
    with pytest.raises(sqs_json.exceptions.QueueDoesNotExist) as e:
        sqs_json.get_queue_url(QueueName="nope")
    assert code(e) == "AWS.SimpleQueueService.NonExistentQueue"
    url = sqs_json.create_queue(QueueName="jc")["QueueUrl"]
    with pytest.raises(ClientError) as e:
        sqs_json.send_message(QueueUrl=url, MessageBody="m", DelaySeconds=901)
    assert code(e) == "InvalidParameterValue"
    with pytest.raises(sqs_json.exceptions.QueueNameExists) as e:
        sqs_json.create_queue(QueueName="jc", Attributes={"VisibilityTimeout": "9"})
    assert code(e) == "QueueAlreadyExists"


def test_query_protocol_client_still_gets_query_codes(sqs):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as e:
        sqs.get_queue_url(QueueName="nope")
    assert code(e) == "AWS.SimpleQueueService.NonExistentQueue"


# ---- 3. TagQueue / UntagQueue with nothing to do ----
# moto tests/test_sqs/test_sqs.py test_tag_queue_errors / test_untag_queue_errors.

def test_empty_tag_and_untag_are_rejected(sqs, sqs_json):
    url = sqs.create_queue(QueueName="tags", tags={"a": "1"})["QueueUrl"]
    with pytest.raises(ClientError) as e:
        sqs.tag_queue(QueueUrl=url, Tags={})
    assert code(e) == "MissingParameter"
    assert e.value.response["Error"]["Message"] == "The request must contain the parameter Tags."
    with pytest.raises(ClientError) as e:
        sqs_json.tag_queue(QueueUrl=url, Tags={})
    assert code(e) == "MissingParameter"
    with pytest.raises(ClientError) as e:
        sqs.untag_queue(QueueUrl=url, TagKeys=[])
    assert code(e) == "InvalidParameterValue"
    assert e.value.response["Error"]["Message"] == "Tag keys must be between 1 and 128 characters in length."
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"a": "1"}


# ---- 4. MessageAttributeNames: "All", ".*", "prefix.*" ----
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html (MessageAttributeNames)

def test_message_attribute_name_patterns(sqs):
    url = sqs.create_queue(QueueName="pat")["QueueUrl"]
    attrs = {n: {"DataType": "String", "StringValue": n} for n in ("bar.a", "bar.b", "barn", "foo")}
    sqs.send_message(QueueUrl=url, MessageBody="m", MessageAttributes=attrs)

    def names(sel):
        m = sqs.receive_message(QueueUrl=url, MessageAttributeNames=sel, VisibilityTimeout=0)["Messages"][0]
        if "MessageAttributes" in m:
            assert m["MD5OfMessageAttributes"] == md5_of_attributes(m["MessageAttributes"])
        return sorted(m.get("MessageAttributes", {}))
    assert names(["bar.*"]) == ["bar.a", "bar.b"]
    assert names(["All"]) == ["bar.a", "bar.b", "barn", "foo"]
    assert names([".*"]) == ["bar.a", "bar.b", "barn", "foo"]
    assert names(["foo", "bar.b"]) == ["bar.b", "foo"]
    assert names(["ba.*"]) == []


# ---- 5. RedrivePolicy as AWS returns it ----
# moto tests/test_sqs/test_sqs.py test_redrive_policy_set_attributes_with_string_value.

def test_redrive_policy_max_receive_count_is_a_number(sqs, restart_check):
    dlq = sqs.create_queue(QueueName="dlq5")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    src = sqs.create_queue(QueueName="src5")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=src, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "5"})})
    got = restart_check(lambda: sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["RedrivePolicy"])
                        ["Attributes"]["RedrivePolicy"])
    assert got == '{"deadLetterTargetArn":"%s","maxReceiveCount":5}' % arn


# ---- 6. batch validation that fails the whole request ----
# LocalStack's AWS snapshots: test_send_batch_missing_message_group_id_for_fifo_queue,
# test_send_batch_missing_deduplication_id_for_fifo_queue (InvalidParameterValue, 400, whole request).

def test_fifo_batch_missing_group_or_dedup_fails_the_request(sqs):
    url = sqs.create_queue(QueueName="b6.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(ClientError) as e:
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "m", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
            {"Id": "b", "MessageBody": "m", "MessageDeduplicationId": "2"}])
    assert code(e) == "InvalidParameterValue"
    assert e.value.response["Error"]["Message"] == "The request must contain the parameter MessageGroupId."
    with pytest.raises(ClientError) as e:
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "m", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
            {"Id": "b", "MessageBody": "m", "MessageGroupId": "g"}])
    assert code(e) == "InvalidParameterValue"
    assert e.value.response["Error"]["Message"] == \
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # nothing of either batch was sent


def test_batch_shape_errors(sqs):
    url = sqs.create_queue(QueueName="b6")["QueueUrl"]
    cases = [([], "AWS.SimpleQueueService.EmptyBatchRequest",
              "There should be at least one SendMessageBatchRequestEntry in the request."),
             ([{"Id": str(i), "MessageBody": "x"} for i in range(11)],
              "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent 11."),
             ([{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}],
              "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated.")]
    for entries, want, message in cases:
        with pytest.raises(ClientError) as e:
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
        assert (code(e), e.value.response["Error"]["Message"]) == (want, message)
