"""Secrets Manager behaviour newer than Debian's botocore 1.29, checked against AWS's recorded answers.

Operations and members the installed botocore does not know (BatchGetSecretValue,
ListSecrets' owning-service filter) go through a client built from podstack's own pinned
model (server/protocol/models/secretsmanager.json, botocore 1.43), which boto3 accepts
as a data path: the requests are the ones a current SDK sends.

Sources: LocalStack's recorded AWS answers (tests/aws/services/secretsmanager/
test_secretsmanager.snapshot.json), the AWS API reference for each operation, and moto's
secretsmanager/models.py where AWS's own text was not recorded (noted at the test).
"""
import json
import os
import shutil
from datetime import datetime, timedelta, timezone

import boto3.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

from podstack_server import REPO, error_code as code, without_metadata as strip

TOKEN_A = "a" * 32
TOKEN_B = "b" * 32
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:rotator"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("models")
    target = d / "secretsmanager" / "2017-10-17"
    target.mkdir(parents=True)
    shutil.copy(os.path.join(REPO, "server", "protocol", "models", "secretsmanager.json"), target / "service-2.json")
    return str(d)


def client(server, model_dir, region="us-east-1"):
    """A Secrets Manager client on podstack's pinned (current) model."""
    session = boto3.session.Session()
    session._session.get_component("data_loader").search_paths.insert(0, model_dir)
    return session.client("secretsmanager", endpoint_url=server.endpoint, region_name=region,
                          aws_access_key_id="test", aws_secret_access_key="test",
                          config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def sm(server, model_dir):
    return client(server, model_dir)


def err(call):
    with pytest.raises(ClientError) as e:
        call()
    return code(e), e.value.response["Error"]["Message"]


# ---- 1. BatchGetSecretValue ----

def test_batch_get_by_id_list_with_errors(sm, restart_check):
    # https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_BatchGetSecretValue.html:
    # values for the secrets found, an Errors entry (SecretId, ErrorCode, Message) for each one not.
    a = sm.create_secret(Name="b1", SecretString="one")
    b2 = sm.create_secret(Name="b2", SecretBinary=b"\x00two")
    sm.create_secret(Name="b3", SecretString="three")
    sm.delete_secret(SecretId="b3", RecoveryWindowInDays=7)
    r = strip(sm.batch_get_secret_value(SecretIdList=["b1", b2["ARN"], "nope", "b3"]))
    vals = {v["Name"]: v for v in r["SecretValues"]}
    assert set(vals) == {"b1", "b2"}
    assert vals["b1"]["SecretString"] == "one" and vals["b1"]["VersionId"] == a["VersionId"]
    assert vals["b1"]["VersionStages"] == ["AWSCURRENT"] and vals["b1"]["ARN"] == a["ARN"]
    assert isinstance(vals["b1"]["CreatedDate"], datetime)
    assert vals["b2"]["SecretBinary"] == b"\x00two"
    errors = sorted(r["Errors"], key=lambda e: e["SecretId"])
    assert errors == [
        {"SecretId": "b3", "ErrorCode": "InvalidRequestException",
         "Message": "You can't perform this operation on the secret because it was marked for deletion."},
        {"SecretId": "nope", "ErrorCode": "ResourceNotFoundException",
         "Message": "Secrets Manager can't find the specified secret."},
    ]
    assert "NextToken" not in r


def test_batch_get_by_filters_pages(sm):
    for i in range(5):
        sm.create_secret(Name=f"team/app{i}", SecretString=str(i))
    sm.create_secret(Name="other", SecretString="x")
    got, token, pages = [], None, 0
    while True:
        kw = {"NextToken": token} if token else {}
        r = sm.batch_get_secret_value(Filters=[{"Key": "name", "Values": ["team/"]}], MaxResults=2, **kw)
        assert len(r["SecretValues"]) <= 2 and r["Errors"] == []
        got += [v["SecretString"] for v in r["SecretValues"]]
        pages += 1
        token = r.get("NextToken")
        if not token:
            break
    assert sorted(got) == ["0", "1", "2", "3", "4"] and pages == 3


def test_batch_get_argument_errors(sm):
    # Messages as moto records them (AWS's API reference names only InvalidParameterException).
    sm.create_secret(Name="x1", SecretString="v")
    assert err(lambda: sm.batch_get_secret_value(SecretIdList=["x1"], Filters=[{"Key": "name", "Values": ["x"]}])) == (
        "InvalidParameterException", "Either 'SecretIdList' or 'Filters' must be provided, but not both.")
    assert err(lambda: sm.batch_get_secret_value(SecretIdList=["x1"], MaxResults=5)) == (
        "InvalidParameterException",
        "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.")
    with pytest.raises(ClientError) as e:
        sm.batch_get_secret_value(Filters=[{"Key": "name", "Values": ["x"]}], NextToken="garbage")
    assert code(e) == "InvalidNextTokenException"


# ---- 2. RotateSecret / CancelRotateSecret ----

def test_rotate_without_lambda_arn_is_rejected(sm):
    # LocalStack snapshot test_first_rotate_secret_with_missing_lambda_arn.
    sm.create_secret(Name="r0", SecretString="v")
    assert err(lambda: sm.rotate_secret(SecretId="r0")) == (
        "InvalidRequestException", "No Lambda rotation function ARN is associated with this secret.")
    d = sm.describe_secret(SecretId="r0")
    assert "RotationEnabled" not in d and "RotationLambdaARN" not in d


def test_rotate_records_configuration_and_stages_pending(sm, restart_check):
    # Without a Lambda service podstack records the rotation and stages AWSPENDING on an empty version
    # with the ClientRequestToken; the rotation function's steps are the client's to run.
    c = sm.create_secret(Name="r1", SecretString="old")
    t0 = datetime.now(timezone.utc)
    r = strip(sm.rotate_secret(SecretId="r1", ClientRequestToken=TOKEN_A, RotationLambdaARN=LAMBDA,
                               RotationRules={"AutomaticallyAfterDays": 10}))
    assert r == {"ARN": c["ARN"], "Name": "r1", "VersionId": TOKEN_A}
    d = restart_check(lambda: strip(sm.describe_secret(SecretId="r1")))
    assert d["RotationEnabled"] is True and d["RotationLambdaARN"] == LAMBDA
    assert d["RotationRules"] == {"AutomaticallyAfterDays": 10}
    assert abs((d["NextRotationDate"] - (t0 + timedelta(days=10))).total_seconds()) < 2 * 86400
    assert {k: sorted(v) for k, v in d["VersionIdsToStages"].items()} == {
        c["VersionId"]: ["AWSCURRENT"], TOKEN_A: ["AWSPENDING"]}
    assert sm.get_secret_value(SecretId="r1")["SecretString"] == "old"
    # The rotation function's createSecret step: PutSecretValue with the token and AWSPENDING.
    sm.put_secret_value(SecretId="r1", ClientRequestToken=TOKEN_A, SecretString="new", VersionStages=["AWSPENDING"])
    assert sm.get_secret_value(SecretId="r1", VersionStage="AWSPENDING")["SecretString"] == "new"
    # Another rotation while AWSPENDING sits on a version that is not AWSCURRENT: still in progress.
    assert err(lambda: sm.rotate_secret(SecretId="r1", ClientRequestToken=TOKEN_B))[0] == "InvalidRequestException"
    # finishSecret: AWSCURRENT moves to the pending version.
    sm.update_secret_version_stage(SecretId="r1", VersionStage="AWSCURRENT", MoveToVersionId=TOKEN_A,
                                   RemoveFromVersionId=c["VersionId"])
    assert restart_check(lambda: sm.get_secret_value(SecretId="r1")["SecretString"]) == "new"


def test_rotate_schedule_expression_and_duration(sm, restart_check):
    sm.create_secret(Name="r2", SecretString="v")
    sm.rotate_secret(SecretId="r2", RotationLambdaARN=LAMBDA, RotateImmediately=False,
                     RotationRules={"ScheduleExpression": "rate(4 hours)", "Duration": "2h"})
    d = restart_check(lambda: strip(sm.describe_secret(SecretId="r2")))
    assert d["RotationRules"] == {"ScheduleExpression": "rate(4 hours)", "Duration": "2h"}
    assert d["RotationEnabled"] is True
    # RotateImmediately=False runs no rotation now: no AWSPENDING version.
    assert all("AWSPENDING" not in v for v in d["VersionIdsToStages"].values())


@pytest.mark.parametrize("rules", [{"ScheduleExpression": "every day"}, {"ScheduleExpression": "rate(0 days)"},
                                   {"ScheduleExpression": "rate(1 hours)"},
                                   {"AutomaticallyAfterDays": 5, "Duration": "25h"}],
                         ids=["bad-expr", "rate0", "rate-1h", "duration"])
def test_rotate_rules_validation(sm, rules):
    sm.create_secret(Name="r3", SecretString="v")
    assert err(lambda: sm.rotate_secret(SecretId="r3", RotationLambdaARN=LAMBDA, RotationRules=rules))[0] == \
        "InvalidParameterException"
    assert "RotationEnabled" not in sm.describe_secret(SecretId="r3")


def test_rotate_days_out_of_range(server, sm):
    # AutomaticallyAfterDays is 1-1000 in the model: botocore refuses 0 itself; 1001 sent raw fails the
    # service's input validation (ValidationException) before the operation runs.
    from test_secretsmanager import raw
    sm.create_secret(Name="r7", SecretString="v")
    with pytest.raises(ParamValidationError):
        sm.rotate_secret(SecretId="r7", RotationLambdaARN=LAMBDA, RotationRules={"AutomaticallyAfterDays": 0})
    status, _, body = raw(server, "RotateSecret", json.dumps(
        {"SecretId": "r7", "RotationLambdaARN": LAMBDA, "RotationRules": {"AutomaticallyAfterDays": 1001}}).encode())
    assert status == 400 and json.loads(body)["__type"].split("#")[-1] == "ValidationException"
    assert "RotationEnabled" not in sm.describe_secret(SecretId="r7")


def test_rotate_token_length_checked_by_the_server(server, sm):
    # botocore checks the 32-character minimum itself; the server answers a raw request the same way.
    from test_secretsmanager import raw
    sm.create_secret(Name="r4", SecretString="v")
    status, _, body = raw(server, "RotateSecret", json.dumps(
        {"SecretId": "r4", "RotationLambdaARN": LAMBDA, "ClientRequestToken": "short"}).encode())
    assert status == 400 and json.loads(body)["__type"].split("#")[-1] in ("InvalidParameterException",
                                                                           "ValidationException")


def test_cancel_rotate_secret(sm, restart_check):
    # https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CancelRotateSecret.html
    c = sm.create_secret(Name="r5", SecretString="v")
    sm.rotate_secret(SecretId="r5", RotationLambdaARN=LAMBDA, RotationRules={"AutomaticallyAfterDays": 3},
                     ClientRequestToken=TOKEN_A)
    r = strip(sm.cancel_rotate_secret(SecretId="r5"))
    assert r["ARN"] == c["ARN"] and r["Name"] == "r5"
    d = restart_check(lambda: strip(sm.describe_secret(SecretId="r5")))
    assert d["RotationEnabled"] is False and "NextRotationDate" not in d
    assert d["RotationLambdaARN"] == LAMBDA
    assert err(lambda: sm.cancel_rotate_secret(SecretId="nope"))[0] == "ResourceNotFoundException"


def test_rotate_missing_and_deleted(sm):
    assert err(lambda: sm.rotate_secret(SecretId="nope", RotationLambdaARN=LAMBDA))[0] == "ResourceNotFoundException"
    sm.create_secret(Name="r6", SecretString="v")
    sm.delete_secret(SecretId="r6")
    assert err(lambda: sm.rotate_secret(SecretId="r6", RotationLambdaARN=LAMBDA)) == (
        "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")


# ---- 3. ClientRequestToken idempotency ----

def test_create_secret_retry_with_same_token_is_a_no_op(sm, restart_check):
    a = sm.create_secret(Name="i1", SecretString="v", ClientRequestToken=TOKEN_A)
    b = sm.create_secret(Name="i1", SecretString="v", ClientRequestToken=TOKEN_A)
    assert strip(a) == strip(b)
    assert restart_check(lambda: list(sm.describe_secret(SecretId="i1")["VersionIdsToStages"])) == [TOKEN_A]


def test_create_secret_same_token_other_value(sm):
    a = sm.create_secret(Name="i2", SecretString="v", ClientRequestToken=TOKEN_A)
    assert err(lambda: sm.create_secret(Name="i2", SecretString="w", ClientRequestToken=TOKEN_A)) == (
        "ResourceExistsException",
        f"You can't use ClientRequestToken {TOKEN_A} because that value is already in use for a version of secret "
        f"{a['ARN']}.")
    # Another token on an existing name is the plain "already exists".
    assert err(lambda: sm.create_secret(Name="i2", SecretString="v", ClientRequestToken=TOKEN_B)) == (
        "ResourceExistsException", "The operation failed because the secret i2 already exists.")


def test_put_and_update_same_token_other_value_message(sm):
    a = sm.create_secret(Name="i3", SecretString="v")
    sm.put_secret_value(SecretId="i3", SecretString="2", ClientRequestToken=TOKEN_A)
    msg = (f"You can't use ClientRequestToken {TOKEN_A} because that value is already in use for a version of "
           f"secret {a['ARN']}.")
    assert err(lambda: sm.put_secret_value(SecretId="i3", SecretString="3", ClientRequestToken=TOKEN_A)) == (
        "ResourceExistsException", msg)
    assert err(lambda: sm.update_secret(SecretId="i3", SecretString="3", ClientRequestToken=TOKEN_A)) == (
        "ResourceExistsException", msg)
    r = sm.update_secret(SecretId="i3", SecretString="2", ClientRequestToken=TOKEN_A)
    assert r["VersionId"] == TOKEN_A


# ---- 4. ListSecrets filters ----

def names(sm, filters):
    return sorted(s["Name"] for s in sm.list_secrets(Filters=filters)["SecretList"])


def test_list_filter_owning_service_and_all_words(sm):
    sm.create_secret(Name="prod/db-password", Description="Database credentials for production",
                     SecretString="v", Tags=[{"Key": "team", "Value": "payments"}])
    sm.create_secret(Name="dev/api", Description="API key", SecretString="v")
    # No podstack secret is owned by a service: owning-service matches none, and its negation all.
    assert names(sm, [{"Key": "owning-service", "Values": ["rds"]}]) == []
    assert names(sm, [{"Key": "owning-service", "Values": ["!rds"]}]) == ["dev/api", "prod/db-password"]
    # all: the words of the value against the words of name, description, tag keys and values.
    assert names(sm, [{"Key": "all", "Values": ["payments"]}]) == ["prod/db-password"]
    assert names(sm, [{"Key": "all", "Values": ["CREDENTIALS"]}]) == ["prod/db-password"]
    assert names(sm, [{"Key": "all", "Values": ["password"]}]) == ["prod/db-password"]
    assert names(sm, [{"Key": "all", "Values": ["!payments"]}]) == ["dev/api"]


def test_list_filter_bad_key(sm):
    with pytest.raises((ClientError, ParamValidationError)):
        sm.list_secrets(Filters=[{"Key": "bogus", "Values": ["x"]}])


# ---- 5. Replication ----

def test_replicate_and_read_replica(server, model_dir, sm, restart_check):
    west = client(server, model_dir, "eu-west-1")
    c = sm.create_secret(Name="rep", SecretString="v1", AddReplicaRegions=[{"Region": "eu-west-1"}])
    assert c["ReplicationStatus"] == [{"Region": "eu-west-1", "Status": "InSync",
                                       "StatusMessage": "Replication succeeded"}]
    replica_arn = c["ARN"].replace(":us-east-1:", ":eu-west-1:")
    d = restart_check(lambda: strip(sm.describe_secret(SecretId="rep")))
    assert d["PrimaryRegion"] == "us-east-1"
    assert [r["Region"] for r in d["ReplicationStatus"]] == ["eu-west-1"]
    w = restart_check(lambda: strip(west.describe_secret(SecretId="rep")))
    assert w["ARN"] == replica_arn and w["PrimaryRegion"] == "us-east-1" and "ReplicationStatus" not in w
    assert west.get_secret_value(SecretId="rep")["SecretString"] == "v1"
    assert west.get_secret_value(SecretId=replica_arn)["ARN"] == replica_arn
    # The replica follows the primary's new versions.
    sm.put_secret_value(SecretId="rep", SecretString="v2")
    assert west.get_secret_value(SecretId="rep")["SecretString"] == "v2"
    # Writes to a replica are refused (moto's message for AWS's InvalidParameterException).
    msg = "Operation not permitted on a replica secret. Call must be made in primary secret's region."
    for call in (lambda: west.put_secret_value(SecretId="rep", SecretString="x"),
                 lambda: west.update_secret(SecretId="rep", Description="x"),
                 lambda: west.delete_secret(SecretId="rep"),
                 lambda: west.tag_resource(SecretId="rep", Tags=[{"Key": "k", "Value": "v"}])):
        assert err(call) == ("InvalidParameterException", msg)
    # primary-region filter: the primary (in its region) and the replica (in its own).
    assert names(sm, [{"Key": "primary-region", "Values": ["us-east-1"]}]) == ["rep"]
    assert names(west, [{"Key": "primary-region", "Values": ["us-east-1"]}]) == ["rep"]
    assert names(west, [{"Key": "primary-region", "Values": ["eu-west-1"]}]) == []
    # A replicated primary can't be deleted.
    assert err(lambda: sm.delete_secret(SecretId="rep"))[0] == "InvalidRequestException"


def test_replicate_to_regions_and_remove(server, model_dir, sm, restart_check):
    west = client(server, model_dir, "eu-west-1")
    c = sm.create_secret(Name="rep2", SecretString="v")
    r = strip(sm.replicate_secret_to_regions(SecretId="rep2", AddReplicaRegions=[{"Region": "eu-west-1"},
                                                                                    {"Region": "ap-south-1"}]))
    assert r["ARN"] == c["ARN"]
    assert sorted(x["Region"] for x in r["ReplicationStatus"]) == ["ap-south-1", "eu-west-1"]
    assert restart_check(lambda: west.get_secret_value(SecretId="rep2")["SecretString"]) == "v"
    # The primary's own region is not a replica region.
    assert err(lambda: sm.replicate_secret_to_regions(SecretId="rep2", AddReplicaRegions=[{"Region": "us-east-1"}]))[0] \
        == "InvalidParameterException"
    r = strip(sm.remove_regions_from_replication(SecretId="rep2", RemoveReplicaRegions=["eu-west-1"]))
    assert [x["Region"] for x in r["ReplicationStatus"]] == ["ap-south-1"]
    assert restart_check(lambda: err(lambda: west.describe_secret(SecretId="rep2"))[0]) == "ResourceNotFoundException"
    sm.remove_regions_from_replication(SecretId="rep2", RemoveReplicaRegions=["ap-south-1"])
    d = sm.describe_secret(SecretId="rep2")
    assert "ReplicationStatus" not in d
    sm.delete_secret(SecretId="rep2", ForceDeleteWithoutRecovery=True)


def test_stop_replication_promotes_the_replica(server, model_dir, sm, restart_check):
    # https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_StopReplicationToReplica.html
    west = client(server, model_dir, "eu-west-1")
    sm.create_secret(Name="promo", SecretString="v1", AddReplicaRegions=[{"Region": "eu-west-1"}])
    replica_arn = west.describe_secret(SecretId="promo")["ARN"]
    assert err(lambda: sm.stop_replication_to_replica(SecretId="promo"))[0] == "InvalidRequestException"
    assert strip(west.stop_replication_to_replica(SecretId="promo")) == {"ARN": replica_arn}
    w = restart_check(lambda: strip(west.describe_secret(SecretId="promo")))
    assert "PrimaryRegion" not in w and w["ARN"] == replica_arn
    assert "ReplicationStatus" not in sm.describe_secret(SecretId="promo")
    west.put_secret_value(SecretId="promo", SecretString="west")
    sm.put_secret_value(SecretId="promo", SecretString="east")
    assert restart_check(lambda: (west.get_secret_value(SecretId="promo")["SecretString"],
                                  sm.get_secret_value(SecretId="promo")["SecretString"])) == ("west", "east")


def test_replica_name_taken_fails_replication(server, model_dir, sm):
    west = client(server, model_dir, "eu-west-1")
    west.create_secret(Name="taken", SecretString="west")
    r = sm.create_secret(Name="taken", SecretString="east", AddReplicaRegions=[{"Region": "eu-west-1"}])
    assert r["ReplicationStatus"][0]["Status"] == "Failed"
    assert west.get_secret_value(SecretId="taken")["SecretString"] == "west"


# ---- 6. validation order ----

def test_delete_validation_order(sm):
    # https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html (InvalidParameterException)
    sm.create_secret(Name="o1", SecretString="v")
    assert err(lambda: sm.delete_secret(SecretId="o1", RecoveryWindowInDays=7, ForceDeleteWithoutRecovery=True)) == (
        "InvalidParameterException",
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
    sm.delete_secret(SecretId="o1")
    assert err(lambda: sm.delete_secret(SecretId="o1")) == (
        "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
    # LocalStack snapshot test_force_delete_deleted_secret: force-deleting a scheduled secret succeeds.
    assert sm.delete_secret(SecretId="o1", ForceDeleteWithoutRecovery=True)["Name"] == "o1"


def test_writes_to_a_deleted_secret(sm):
    # LocalStack snapshots test_tag_untag_resource_on_deleted_secret and test_get_secret_value_errors.
    sm.create_secret(Name="o2", SecretString="v")
    sm.delete_secret(SecretId="o2")
    msg = ("InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
    assert err(lambda: sm.put_secret_value(SecretId="o2", SecretString="x")) == msg
    assert err(lambda: sm.put_secret_value(SecretId="o2")) == msg
    assert err(lambda: sm.tag_resource(SecretId="o2", Tags=[{"Key": "k", "Value": "v"}])) == msg
    assert err(lambda: sm.untag_resource(SecretId="o2", TagKeys=["k"])) == msg


# ---- 7. DescribeSecret shape ----

def test_describe_omits_rotation_and_tags_until_set(sm):
    # LocalStack snapshot test_rotate_secret_invalid_lambda_arn (describe_secret): no RotationEnabled, no Tags.
    sm.create_secret(Name="s1", SecretString="v")
    d = sm.describe_secret(SecretId="s1")
    assert "RotationEnabled" not in d and "Tags" not in d and "PrimaryRegion" not in d
    listed = [s for s in sm.list_secrets()["SecretList"] if s["Name"] == "s1"][0]
    assert "RotationEnabled" not in listed and "Tags" not in listed
