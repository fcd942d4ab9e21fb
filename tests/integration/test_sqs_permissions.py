"""SQS AddPermission / RemovePermission through Debian's boto3 (query protocol) and raw JSON-protocol
requests: the statements they write into the queue's Policy attribute (as AWS writes them), their
errors, and that the policy survives restart and kill -9."""
import json

import pytest
from botocore.exceptions import ClientError

from podstack_server import error_code as code, sqs_json_call as json_call

ARN = "arn:aws:sqs:us-east-1:000000000000:"




def policy(sqs, url):
    """The queue's Policy attribute, parsed; None when the queue has none."""
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {})
    return json.loads(a["Policy"]) if "Policy" in a else None


def test_add_and_remove_permission(sqs, restart_check):
    """Statements as AWS writes them: one principal or action as a string, several as a list; the
    last RemovePermission leaves no Policy attribute."""
    url = sqs.create_queue(QueueName="shared")["QueueUrl"]
    assert policy(sqs, url) is None
    sqs.add_permission(QueueUrl=url, Label="cross", AWSAccountIds=["111111111111", "222222222222"],
                       Actions=["ReceiveMessage"])
    sqs.add_permission(QueueUrl=url, Label="send-only", AWSAccountIds=["111111111111"],
                       Actions=["SendMessage", "GetQueueAttributes"])
    got = restart_check(lambda: policy(sqs, url))
    assert got == {
        "Version": "2008-10-17",
        "Id": ARN + "shared/SQSDefaultPolicy",
        "Statement": [
            {"Sid": "cross", "Effect": "Allow",
             "Principal": {"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]},
             "Action": "SQS:ReceiveMessage", "Resource": ARN + "shared"},
            {"Sid": "send-only", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
             "Action": ["SQS:SendMessage", "SQS:GetQueueAttributes"], "Resource": ARN + "shared"},
        ],
    }
    sqs.remove_permission(QueueUrl=url, Label="cross")
    assert [s["Sid"] for s in restart_check(lambda: policy(sqs, url))["Statement"]] == ["send-only"]
    sqs.remove_permission(QueueUrl=url, Label="send-only")
    assert restart_check(lambda: policy(sqs, url)) is None
    # The label is free again.
    sqs.add_permission(QueueUrl=url, Label="cross", AWSAccountIds=["111111111111"], Actions=["*"])
    assert policy(sqs, url)["Statement"][0]["Action"] == "SQS:*"


def test_permission_joins_a_policy_set_by_set_queue_attributes(sqs, restart_check):
    """AddPermission appends to the document SetQueueAttributes wrote (its Version and Id kept)."""
    url = sqs.create_queue(QueueName="custom")["QueueUrl"]
    mine = {"Version": "2012-10-17", "Id": "mine",
            "Statement": {"Sid": "sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                          "Action": "sqs:SendMessage", "Resource": ARN + "custom"}}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(mine)})
    sqs.add_permission(QueueUrl=url, Label="more", AWSAccountIds=["111111111111"], Actions=["DeleteMessage"])
    got = restart_check(lambda: policy(sqs, url))
    assert got["Version"] == "2012-10-17" and got["Id"] == "mine"
    assert [s["Sid"] for s in got["Statement"]] == ["sns", "more"]
    with pytest.raises(ClientError) as e:
        sqs.add_permission(QueueUrl=url, Label="sns", AWSAccountIds=["111111111111"], Actions=["SendMessage"])
    assert code(e) == "InvalidParameterValue"
    sqs.remove_permission(QueueUrl=url, Label="sns")
    assert [s["Sid"] for s in policy(sqs, url)["Statement"]] == ["more"]


def test_permission_errors(sqs):
    url = sqs.create_queue(QueueName="errs")["QueueUrl"]
    sqs.add_permission(QueueUrl=url, Label="test", AWSAccountIds=["111111111111"], Actions=["ReceiveMessage"])
    before = policy(sqs, url)

    def add_error(**kw):
        args = dict(QueueUrl=url, Label="test-2", AWSAccountIds=["111111111111"], Actions=["ReceiveMessage"])
        args.update(kw)
        with pytest.raises(ClientError) as e:
            sqs.add_permission(**args)
        r = e.value.response
        return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]

    assert add_error(Label="test") == (
        400, "InvalidParameterValue", "Value test for parameter Label is invalid. Reason: Already exists.")
    assert add_error(Actions=["RemovePermission"]) == (
        400, "InvalidParameterValue",
        "Value SQS:RemovePermission for parameter ActionName is invalid. "
        "Reason: Only the queue owner is allowed to invoke this action.")
    assert add_error(Actions=["Fly"])[2] == (
        "Value SQS:Fly for parameter ActionName is invalid. "
        "Reason: Please refer to the appropriate WSDL for a list of valid actions.")
    assert add_error(Actions=["ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
                              "ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage", "SendMessage"]) == (
        403, "OverLimit", "8 Actions were found, maximum allowed is 7.")
    assert add_error(Actions=[]) == (400, "MissingParameter", "The request must contain the parameter Actions.")
    assert add_error(AWSAccountIds=[]) == (
        400, "InvalidParameterValue", "Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.")
    assert add_error(AWSAccountIds=["not-an-account"]) == (
        400, "InvalidParameterValue", "Value [not-an-account] for parameter PrincipalId is invalid. Reason: Unable to verify.")
    assert add_error(Label="bad label!")[:2] == (400, "InvalidParameterValue")
    assert add_error(Label="x" * 81)[:2] == (400, "InvalidParameterValue")
    with pytest.raises(ClientError) as e:
        sqs.remove_permission(QueueUrl=url, Label="nope")
    assert e.value.response["Error"]["Message"] == "Value nope for parameter Label is invalid. Reason: can't find label."
    assert code(e) == "InvalidParameterValue"
    assert policy(sqs, url) == before  # nothing changed

    missing = url.rsplit("/", 1)[0] + "/missing"
    with pytest.raises(ClientError) as e:
        sqs.add_permission(QueueUrl=missing, Label="l", AWSAccountIds=["111111111111"], Actions=["SendMessage"])
    assert code(e) == "AWS.SimpleQueueService.NonExistentQueue"
    with pytest.raises(ClientError) as e:
        sqs.remove_permission(QueueUrl=missing, Label="l")
    assert code(e) == "AWS.SimpleQueueService.NonExistentQueue"


def test_permissions_json_protocol(server, sqs, restart_check):
    """The JSON protocol: same policy, errors as shape names with the query code in x-amzn-query-error."""
    url = sqs.create_queue(QueueName="viajson")["QueueUrl"]
    st, _, body = json_call(server, "AddPermission", {"QueueUrl": url, "Label": "j", "AWSAccountIds": ["111111111111"],
                                                      "Actions": ["SendMessage"]})
    assert st == 200 and body == {}
    st, _, a = json_call(server, "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["Policy"]})
    assert json.loads(a["Attributes"]["Policy"])["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
    st, h, err = json_call(server, "AddPermission", {"QueueUrl": url, "Label": "j", "AWSAccountIds": ["111111111111"],
                                                     "Actions": ["SendMessage"]})
    assert st == 400 and h["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    assert err["message"] == "Value j for parameter Label is invalid. Reason: Already exists."
    st, h, err = json_call(server, "AddPermission", {"QueueUrl": url, "Label": "k", "AWSAccountIds": ["111111111111"],
                                                     "Actions": ["SendMessage"] * 8})
    assert st == 403 and err["__type"] == "com.amazonaws.sqs#OverLimit" and h["x-amzn-query-error"] == "OverLimit;Sender"
    st, h, err = json_call(server, "AddPermission", {"QueueUrl": url, "Label": "k", "AWSAccountIds": ["111111111111"],
                                                     "Actions": []})
    assert st == 400 and h["x-amzn-query-error"] == "MissingParameter;Sender"
    assert err["message"] == "The request must contain the parameter Actions."
    st, h, err = json_call(server, "AddPermission", {"QueueUrl": url, "Label": "k", "AWSAccountIds": [],
                                                     "Actions": ["SendMessage"]})
    assert st == 400 and h["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    assert err["message"] == "Value [] for parameter PrincipalId is invalid. Reason: Unable to verify."
    st, h, err = json_call(server, "RemovePermission", {"QueueUrl": url + "-missing", "Label": "j"})
    assert st == 400 and err["__type"] == "com.amazonaws.sqs#QueueDoesNotExist"
    st, h, err = json_call(server, "RemovePermission", {"QueueUrl": url, "Label": "zz"})
    assert st == 400 and h["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    st, _, body = json_call(server, "RemovePermission", {"QueueUrl": url, "Label": "j"})
    assert st == 200
    assert restart_check(lambda: policy(sqs, url)) is None
