"""Secrets Manager through boto3, as AWS documents it; every write survives restart and kill -9."""
import json
import re
import urllib.request

import pytest
from botocore.exceptions import ClientError


from podstack_server import error_code as code, without_metadata as strip


@pytest.fixture
def sm(server):
    return server.client("secretsmanager")


def stages(sm, sid, deprecated=False):
    return {v["VersionId"]: sorted(v["VersionStages"]) for v in
            sm.list_secret_version_ids(SecretId=sid, IncludeDeprecated=deprecated)["Versions"]}


# ---- Create / Get ----

def test_create_and_get_string_secret(sm, restart_check):
    r = sm.create_secret(Name="app/db", SecretString='{"user":"u"}', Description="db creds",
                         Tags=[{"Key": "env", "Value": "dev"}])
    assert re.fullmatch(r"arn:aws:secretsmanager:us-east-1:000000000000:secret:app/db-[A-Za-z0-9]{6}", r["ARN"])
    got = restart_check(lambda: strip(sm.get_secret_value(SecretId="app/db")))
    assert got["SecretString"] == '{"user":"u"}'
    assert got["VersionId"] == r["VersionId"] and got["VersionStages"] == ["AWSCURRENT"]
    assert got["ARN"] == r["ARN"]


def test_binary_secret(sm, restart_check):
    sm.create_secret(Name="bin", SecretBinary=b"\x00\x01\xff")
    assert restart_check(lambda: sm.get_secret_value(SecretId="bin")["SecretBinary"]) == b"\x00\x01\xff"


def test_lookup_by_full_and_partial_arn(sm):
    arn = sm.create_secret(Name="lookup", SecretString="x")["ARN"]
    assert sm.get_secret_value(SecretId=arn)["SecretString"] == "x"
    assert sm.get_secret_value(SecretId=arn[:-7])["SecretString"] == "x"


def test_client_request_token_is_the_version_id(sm):
    r = sm.create_secret(Name="tok", SecretString="x", ClientRequestToken="a" * 32)
    assert r["VersionId"] == "a" * 32


def test_create_errors(sm):
    sm.create_secret(Name="dup", SecretString="x")
    with pytest.raises(ClientError) as e:
        sm.create_secret(Name="dup", SecretString="y")
    assert code(e) == "ResourceExistsException"
    with pytest.raises(ClientError) as e:
        sm.create_secret(Name="both", SecretString="x", SecretBinary=b"y")
    assert code(e) == "InvalidParameterException"


def test_get_errors(sm):
    with pytest.raises(ClientError) as e:
        sm.get_secret_value(SecretId="missing")
    assert code(e) == "ResourceNotFoundException"
    sm.create_secret(Name="novalue")
    with pytest.raises(ClientError) as e:
        sm.get_secret_value(SecretId="novalue")
    assert code(e) == "ResourceNotFoundException"
    sm.create_secret(Name="v", SecretString="x")
    with pytest.raises(ClientError) as e:
        sm.get_secret_value(SecretId="v", VersionStage="AWSPREVIOUS")
    assert code(e) == "ResourceNotFoundException"


# ---- Versions and stages ----

def test_put_secret_value_moves_stages(sm, restart_check):
    """AWSCURRENT moves to the new version, the old current becomes AWSPREVIOUS, the one before loses its label."""
    v1 = sm.create_secret(Name="rot", SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="rot", SecretString="2")["VersionId"]
    v3 = sm.put_secret_value(SecretId="rot", SecretString="3")["VersionId"]
    assert restart_check(lambda: stages(sm, "rot")) == {v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}
    assert stages(sm, "rot", deprecated=True)[v1] == []
    assert sm.get_secret_value(SecretId="rot", VersionStage="AWSPREVIOUS")["SecretString"] == "2"
    assert sm.get_secret_value(SecretId="rot", VersionId=v1)["SecretString"] == "1"


def test_put_secret_value_idempotency(sm):
    sm.create_secret(Name="idem", SecretString="1")
    tok = "t" * 32
    a = sm.put_secret_value(SecretId="idem", SecretString="2", ClientRequestToken=tok)
    b = sm.put_secret_value(SecretId="idem", SecretString="2", ClientRequestToken=tok)
    assert a["VersionId"] == b["VersionId"] == tok
    assert len(stages(sm, "idem", deprecated=True)) == 2
    with pytest.raises(ClientError) as e:
        sm.put_secret_value(SecretId="idem", SecretString="other", ClientRequestToken=tok)
    assert code(e) == "ResourceExistsException"


def test_put_with_custom_stage_leaves_current(sm):
    v1 = sm.create_secret(Name="cs", SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="cs", SecretString="2", VersionStages=["PENDING"])["VersionId"]
    assert stages(sm, "cs") == {v1: ["AWSCURRENT"], v2: ["PENDING"]}


def test_update_secret(sm, restart_check):
    sm.create_secret(Name="up", SecretString="1", Description="old")
    assert "VersionId" not in sm.update_secret(SecretId="up", Description="new")
    v2 = sm.update_secret(SecretId="up", SecretString="2")["VersionId"]

    def read():
        d = sm.describe_secret(SecretId="up")
        return d["Description"], d["VersionIdsToStages"], sm.get_secret_value(SecretId="up")["SecretString"]

    desc, vmap, value = restart_check(read)
    assert desc == "new" and value == "2" and vmap[v2] == ["AWSCURRENT"]


def test_update_secret_version_stage(sm, restart_check):
    v1 = sm.create_secret(Name="uvs", SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="uvs", SecretString="2", VersionStages=["PENDING"])["VersionId"]
    with pytest.raises(ClientError) as e:  # AWSCURRENT is on v1: RemoveFromVersionId is required
        sm.update_secret_version_stage(SecretId="uvs", VersionStage="AWSCURRENT", MoveToVersionId=v2)
    assert code(e) == "InvalidParameterException"
    sm.update_secret_version_stage(SecretId="uvs", VersionStage="AWSCURRENT", MoveToVersionId=v2, RemoveFromVersionId=v1)
    assert restart_check(lambda: stages(sm, "uvs")) == {v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT", "PENDING"]}
    sm.update_secret_version_stage(SecretId="uvs", VersionStage="PENDING", RemoveFromVersionId=v2)
    assert stages(sm, "uvs")[v2] == ["AWSCURRENT"]
    with pytest.raises(ClientError) as e:
        sm.update_secret_version_stage(SecretId="uvs", VersionStage="PENDING", RemoveFromVersionId=v1)
    assert code(e) == "InvalidParameterException"


def test_list_secret_version_ids_pagination(sm):
    sm.create_secret(Name="many", SecretString="0")
    for i in range(1, 5):
        sm.put_secret_value(SecretId="many", SecretString=str(i))
    first = sm.list_secret_version_ids(SecretId="many", IncludeDeprecated=True, MaxResults=3)
    rest = sm.list_secret_version_ids(SecretId="many", IncludeDeprecated=True, MaxResults=3, NextToken=first["NextToken"])
    assert len(first["Versions"]) == 3 and len(rest["Versions"]) == 2
    assert len({v["VersionId"] for v in first["Versions"] + rest["Versions"]}) == 5


# ---- Describe / List ----

def test_describe_secret(sm):
    arn = sm.create_secret(Name="desc", SecretString="x", Description="d", KmsKeyId="alias/k",
                           Tags=[{"Key": "a", "Value": "1"}])["ARN"]
    d = sm.describe_secret(SecretId="desc")
    assert d["ARN"] == arn and d["Name"] == "desc" and d["Description"] == "d" and d["KmsKeyId"] == "alias/k"
    assert d["Tags"] == [{"Key": "a", "Value": "1"}]
    assert list(d["VersionIdsToStages"].values()) == [["AWSCURRENT"]]
    assert "DeletedDate" not in d and d["CreatedDate"] and d["LastChangedDate"]


def test_list_secrets_filters_and_pagination(sm):
    sm.create_secret(Name="prod/api", SecretString="x", Description="api key", Tags=[{"Key": "team", "Value": "core"}])
    sm.create_secret(Name="prod/db", SecretString="x", Tags=[{"Key": "team", "Value": "data"}])
    sm.create_secret(Name="dev/db", SecretString="x")

    def names(**kw):
        return sorted(s["Name"] for s in sm.list_secrets(**kw)["SecretList"])

    assert names() == ["dev/db", "prod/api", "prod/db"]
    assert names(Filters=[{"Key": "name", "Values": ["prod/"]}]) == ["prod/api", "prod/db"]
    assert names(Filters=[{"Key": "description", "Values": ["api"]}]) == ["prod/api"]
    assert names(Filters=[{"Key": "tag-key", "Values": ["team"]}, {"Key": "tag-value", "Values": ["data"]}]) == ["prod/db"]
    assert names(Filters=[{"Key": "name", "Values": ["!prod"]}]) == ["dev/db"]
    assert names(Filters=[{"Key": "all", "Values": ["core"]}]) == ["prod/api"]
    seen, token = [], None
    while True:
        page = sm.list_secrets(MaxResults=2, **({"NextToken": token} if token else {}))
        assert len(page["SecretList"]) <= 2
        seen += [s["Name"] for s in page["SecretList"]]
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(seen) == ["dev/db", "prod/api", "prod/db"]


# ---- Delete / Restore ----

def test_scheduled_deletion_and_restore(sm, restart_check):
    sm.create_secret(Name="del", SecretString="x")
    r = sm.delete_secret(SecretId="del", RecoveryWindowInDays=7)
    assert r["DeletionDate"]
    for call in (lambda: sm.get_secret_value(SecretId="del"),
                 lambda: sm.put_secret_value(SecretId="del", SecretString="y"),
                 lambda: sm.update_secret(SecretId="del", Description="z")):
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == "InvalidRequestException"
    assert restart_check(lambda: "DeletedDate" in sm.describe_secret(SecretId="del"))
    assert "del" not in [s["Name"] for s in sm.list_secrets()["SecretList"]]
    with pytest.raises(ClientError) as e:
        sm.create_secret(Name="del", SecretString="again")
    assert code(e) == "InvalidRequestException"
    sm.restore_secret(SecretId="del")
    assert restart_check(lambda: sm.get_secret_value(SecretId="del")["SecretString"]) == "x"


def test_force_delete(sm, restart_check):
    sm.create_secret(Name="gone", SecretString="x")
    sm.delete_secret(SecretId="gone", ForceDeleteWithoutRecovery=True)

    def read():
        with pytest.raises(ClientError) as e:
            sm.describe_secret(SecretId="gone")
        return code(e)

    assert restart_check(read) == "ResourceNotFoundException"
    sm.create_secret(Name="gone", SecretString="new")  # the name is free again


def test_delete_parameter_rules(sm):
    sm.create_secret(Name="rules", SecretString="x")
    for kw in ({"RecoveryWindowInDays": 3}, {"RecoveryWindowInDays": 31},
               {"RecoveryWindowInDays": 7, "ForceDeleteWithoutRecovery": True}):
        with pytest.raises(ClientError) as e:
            sm.delete_secret(SecretId="rules", **kw)
        assert code(e) == "InvalidParameterException"


# ---- Tags ----

def test_tag_and_untag(sm, restart_check):
    sm.create_secret(Name="tags", SecretString="x", Tags=[{"Key": "a", "Value": "1"}])
    sm.tag_resource(SecretId="tags", Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    sm.untag_resource(SecretId="tags", TagKeys=["b"])
    assert restart_check(lambda: sm.describe_secret(SecretId="tags")["Tags"]) == [{"Key": "a", "Value": "3"}]


def test_random_password(sm):
    pw = sm.get_random_password(PasswordLength=20, ExcludePunctuation=True)["RandomPassword"]
    assert len(pw) == 20 and pw.isalnum()


def test_regions_are_separate(server):
    east, west = server.client("secretsmanager"), server.client("secretsmanager", region="eu-west-1")
    east.create_secret(Name="r", SecretString="x")
    with pytest.raises(ClientError) as e:
        west.get_secret_value(SecretId="r")
    assert code(e) == "ResourceNotFoundException"


def test_json_error_shape(server):
    req = urllib.request.Request(server.endpoint + "/", data=b"{oops", method="POST",
                                 headers={"X-Amz-Target": "secretsmanager.GetSecretValue",
                                          "Content-Type": "application/x-amz-json-1.1"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 400
    assert json.loads(e.value.read())["__type"] == "SerializationException"
    assert e.value.headers["x-amzn-RequestId"]
