"""SSM Parameter Store through boto3, as AWS documents it; every write survives restart and kill -9."""
import json
import urllib.request

import pytest
from botocore.exceptions import ClientError


from podstack_server import error_code as code, without_metadata as strip


@pytest.fixture
def ssm(server):
    return server.client("ssm")


# ---- PutParameter / GetParameter ----

def test_put_and_get_each_type(ssm, restart_check):
    """String, StringList and SecureString round-trip; versions start at 1; the write survives restarts."""
    assert ssm.put_parameter(Name="/app/s", Value="v", Type="String")["Version"] == 1
    ssm.put_parameter(Name="/app/l", Value="a,b,c", Type="StringList")
    ssm.put_parameter(Name="/app/secure", Value="s3cret", Type="SecureString", KeyId="alias/custom")

    def read():
        out = {}
        for n in ("/app/s", "/app/l", "/app/secure"):
            p = ssm.get_parameter(Name=n, WithDecryption=True)["Parameter"]
            out[n] = (p["Type"], p["Value"], p["Version"], p["ARN"], p["LastModifiedDate"], p["DataType"])
        return out

    got = restart_check(read)
    assert got["/app/l"][:2] == ("StringList", "a,b,c")
    assert got["/app/secure"][:2] == ("SecureString", "s3cret")
    assert got["/app/s"][3] == "arn:aws:ssm:us-east-1:000000000000:parameter/app/s"


def test_securestring_without_decryption_hides_the_value(ssm):
    ssm.put_parameter(Name="/sec", Value="s3cret", Type="SecureString")
    p = ssm.get_parameter(Name="/sec")["Parameter"]
    assert p["Type"] == "SecureString" and p["Value"] != "s3cret"
    assert ssm.get_parameter(Name="/sec", WithDecryption=True)["Parameter"]["Value"] == "s3cret"


def test_overwrite_makes_versions(ssm, restart_check):
    ssm.put_parameter(Name="/v", Value="1", Type="String", Description="first")
    with pytest.raises(ClientError) as e:
        ssm.put_parameter(Name="/v", Value="2", Type="String")
    assert code(e) == "ParameterAlreadyExists"
    assert ssm.put_parameter(Name="/v", Value="2", Overwrite=True)["Version"] == 2
    got = restart_check(lambda: [(h["Version"], h["Value"], h.get("Description")) for h in
                                 ssm.get_parameter_history(Name="/v")["Parameters"]])
    assert got == [(1, "1", "first"), (2, "2", "first")]


def test_type_required_on_create_and_tags_with_overwrite_rejected(ssm):
    with pytest.raises(ClientError) as e:
        ssm.put_parameter(Name="/notype", Value="v")
    assert code(e) == "ValidationException"
    with pytest.raises(ClientError) as e:
        ssm.put_parameter(Name="/t", Value="v", Type="String", Overwrite=True, Tags=[{"Key": "k", "Value": "v"}])
    assert code(e) == "ValidationException"


def test_allowed_pattern(ssm):
    ssm.put_parameter(Name="/port", Value="8080", Type="String", AllowedPattern=r"^\d+$")
    with pytest.raises(ClientError) as e:
        ssm.put_parameter(Name="/port", Value="http", Type="String", Overwrite=True)
    assert code(e) == "ParameterPatternMismatchException"
    assert ssm.get_parameter(Name="/port")["Parameter"]["Value"] == "8080"


@pytest.mark.parametrize("name,err", [
    ("/aws/reserved", "ValidationException"),
    ("ssm-thing", "ValidationException"),
    ("a/b", "ValidationException"),
    ("/" + "/".join(["l"] * 16), "HierarchyLevelLimitExceededException"),
    ("/bad name", "ValidationException"),
])
def test_name_rules(ssm, name, err):
    with pytest.raises(ClientError) as e:
        ssm.put_parameter(Name=name, Value="v", Type="String")
    assert code(e) == err


def test_value_size_limit_per_tier(ssm):
    with pytest.raises(ClientError) as e:
        ssm.put_parameter(Name="/big", Value="x" * 4097, Type="String")
    assert code(e) == "ValidationException"
    assert ssm.put_parameter(Name="/big", Value="x" * 4097, Type="String", Tier="Advanced")["Tier"] == "Advanced"


def test_get_missing_parameter(ssm):
    with pytest.raises(ClientError) as e:
        ssm.get_parameter(Name="/nope")
    assert code(e) == "ParameterNotFound"


def test_version_and_label_selectors(ssm):
    ssm.put_parameter(Name="/sel", Value="one", Type="String")
    ssm.put_parameter(Name="/sel", Value="two", Type="String", Overwrite=True)
    ssm.label_parameter_version(Name="/sel", ParameterVersion=1, Labels=["stable"])
    p = ssm.get_parameter(Name="/sel:1")["Parameter"]
    assert (p["Value"], p["Version"], p["Selector"]) == ("one", 1, ":1")
    assert ssm.get_parameter(Name="/sel:stable")["Parameter"]["Value"] == "one"
    assert ssm.get_parameter(Name="/sel")["Parameter"]["Value"] == "two"
    with pytest.raises(ClientError) as e:
        ssm.get_parameter(Name="/sel:9")
    assert code(e) == "ParameterVersionNotFound"


def test_get_by_arn(ssm):
    ssm.put_parameter(Name="/by/arn", Value="v", Type="String")
    arn = ssm.get_parameter(Name="/by/arn")["Parameter"]["ARN"]
    assert ssm.get_parameter(Name=arn)["Parameter"]["Value"] == "v"


# ---- GetParameters / GetParametersByPath ----

def test_get_parameters_reports_invalid(ssm):
    ssm.put_parameter(Name="/a", Value="1", Type="String")
    r = ssm.get_parameters(Names=["/a", "/missing", "/a:7"])
    assert [p["Name"] for p in r["Parameters"]] == ["/a"]
    assert sorted(r["InvalidParameters"]) == ["/a:7", "/missing"]


def test_get_parameters_by_path_recursion_filters_pagination(ssm):
    for n in ["/p/a", "/p/b", "/p/c/d", "/p/c/e/f", "/q/x"]:
        ssm.put_parameter(Name=n, Value=n, Type="SecureString" if n.endswith("d") else "String")
    one = ssm.get_parameters_by_path(Path="/p")["Parameters"]
    assert sorted(p["Name"] for p in one) == ["/p/a", "/p/b"]
    names, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        page = ssm.get_parameters_by_path(Path="/p/", Recursive=True, MaxResults=2, **kw)
        assert len(page["Parameters"]) <= 2
        names += [p["Name"] for p in page["Parameters"]]
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(names) == ["/p/a", "/p/b", "/p/c/d", "/p/c/e/f"]
    typed = ssm.get_parameters_by_path(Path="/p", Recursive=True,
                                       ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}])
    assert [p["Name"] for p in typed["Parameters"]] == ["/p/c/d"]
    with pytest.raises(ClientError) as e:
        ssm.get_parameters_by_path(Path="/p", ParameterFilters=[{"Key": "Name", "Values": ["x"]}])
    assert code(e) == "InvalidFilterKey"  # AWS's code for a key the operation does not take


def test_get_parameters_by_path_label_filter(ssm):
    ssm.put_parameter(Name="/lab/a", Value="1", Type="String")
    ssm.put_parameter(Name="/lab/b", Value="1", Type="String")
    ssm.label_parameter_version(Name="/lab/b", Labels=["prod"])
    r = ssm.get_parameters_by_path(Path="/lab", ParameterFilters=[{"Key": "Label", "Option": "Equals", "Values": ["prod"]}])
    assert [p["Name"] for p in r["Parameters"]] == ["/lab/b"]


# ---- Delete ----

def test_delete_parameter(ssm, restart_check):
    ssm.put_parameter(Name="/d", Value="v", Type="String")
    ssm.put_parameter(Name="/keep", Value="v", Type="String")
    ssm.delete_parameter(Name="/d")
    with pytest.raises(ClientError) as e:
        ssm.delete_parameter(Name="/d")
    assert code(e) == "ParameterNotFound"
    restart_check(lambda: sorted(p["Name"] for p in ssm.describe_parameters()["Parameters"]))
    assert [p["Name"] for p in ssm.describe_parameters()["Parameters"]] == ["/keep"]


def test_delete_parameters(ssm, restart_check):
    for n in ("/x1", "/x2", "/x3"):
        ssm.put_parameter(Name=n, Value="v", Type="String")
    r = ssm.delete_parameters(Names=["/x1", "/x2", "/nope"])
    assert sorted(r["DeletedParameters"]) == ["/x1", "/x2"]
    assert r["InvalidParameters"] == ["/nope"]
    assert restart_check(lambda: [p["Name"] for p in ssm.describe_parameters()["Parameters"]]) == ["/x3"]


# ---- DescribeParameters ----

def test_describe_parameters_filters_and_pagination(ssm):
    ssm.put_parameter(Name="/svc/api/url", Value="u", Type="String", Description="the url")
    ssm.put_parameter(Name="/svc/api/key", Value="k", Type="SecureString")
    ssm.put_parameter(Name="/svc/db/host", Value="h", Type="String", Tags=[{"Key": "team", "Value": "data"}])
    ssm.put_parameter(Name="plain", Value="p", Type="StringList")

    def names(**kw):
        return sorted(p["Name"] for p in ssm.describe_parameters(**kw)["Parameters"])

    assert names(ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": ["/svc/api"]}]) == ["/svc/api/key", "/svc/api/url"]
    assert names(ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}]) == ["/svc/api/key"]
    assert names(ParameterFilters=[{"Key": "Path", "Option": "OneLevel", "Values": ["/svc"]}]) == []
    assert names(ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": ["/svc"]}]) == ["/svc/api/key", "/svc/api/url", "/svc/db/host"]
    assert names(ParameterFilters=[{"Key": "tag:team", "Values": ["data"]}]) == ["/svc/db/host"]
    assert names(Filters=[{"Key": "Type", "Values": ["StringList"]}]) == ["plain"]
    meta = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": ["/svc/api/url"]}])["Parameters"][0]
    assert meta["Description"] == "the url" and meta["Version"] == 1 and meta["Tier"] == "Standard"
    seen, token = [], None
    while True:
        page = ssm.describe_parameters(MaxResults=3, **({"NextToken": token} if token else {}))
        seen += [p["Name"] for p in page["Parameters"]]
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(seen) == ["/svc/api/key", "/svc/api/url", "/svc/db/host", "plain"]
    with pytest.raises(ClientError) as e:
        ssm.describe_parameters(Filters=[{"Key": "Type", "Values": ["String"]}],
                                ParameterFilters=[{"Key": "Type", "Values": ["String"]}])
    assert code(e) == "ValidationException"


# ---- Labels ----

def test_label_parameter_version(ssm, restart_check):
    """Labels move between versions; invalid labels are reported, not applied."""
    ssm.put_parameter(Name="/l", Value="1", Type="String")
    ssm.put_parameter(Name="/l", Value="2", Type="String", Overwrite=True)
    r = ssm.label_parameter_version(Name="/l", ParameterVersion=1, Labels=["prod", "aws-no", "9lives", "ok_1"])
    assert sorted(r["InvalidLabels"]) == ["9lives", "aws-no"]
    assert r["ParameterVersion"] == 1
    ssm.label_parameter_version(Name="/l", ParameterVersion=2, Labels=["prod"])

    def read():
        return {h["Version"]: sorted(h["Labels"]) for h in ssm.get_parameter_history(Name="/l")["Parameters"]}

    assert restart_check(read) == {1: ["ok_1"], 2: ["prod"]}


def test_label_errors(ssm):
    ssm.put_parameter(Name="/le", Value="1", Type="String")
    with pytest.raises(ClientError) as e:
        ssm.label_parameter_version(Name="/le", ParameterVersion=5, Labels=["x"])
    assert code(e) == "ParameterVersionNotFound"
    with pytest.raises(ClientError) as e:
        ssm.label_parameter_version(Name="/none", Labels=["x"])
    assert code(e) == "ParameterNotFound"
    ssm.label_parameter_version(Name="/le", Labels=[f"l{i}" for i in range(10)])
    with pytest.raises(ClientError) as e:
        ssm.label_parameter_version(Name="/le", Labels=["eleventh"])
    assert code(e) == "ParameterVersionLabelLimitExceeded"


def test_unlabel_parameter_version(ssm, restart_check):
    # UnlabelParameterVersion answered 501; AWS reports RemovedLabels and InvalidLabels (API_UnlabelParameterVersion).
    ssm.put_parameter(Name="/ul", Value="1", Type="String")
    ssm.put_parameter(Name="/ul", Value="2", Type="String", Overwrite=True)
    ssm.label_parameter_version(Name="/ul", ParameterVersion=1, Labels=["a", "b", "keep"])
    ssm.label_parameter_version(Name="/ul", ParameterVersion=2, Labels=["c"])
    r = ssm.unlabel_parameter_version(Name="/ul", ParameterVersion=1, Labels=["a", "b", "c", "zz"])
    assert sorted(r["RemovedLabels"]) == ["a", "b"]
    assert sorted(r["InvalidLabels"]) == ["c", "zz"]

    def read():
        return {h["Version"]: sorted(h["Labels"]) for h in ssm.get_parameter_history(Name="/ul")["Parameters"]}

    assert restart_check(read) == {1: ["keep"], 2: ["c"]}
    with pytest.raises(ClientError) as e:
        ssm.get_parameter(Name="/ul:a")
    assert code(e) == "ParameterNotFound"
    with pytest.raises(ClientError) as e:
        ssm.unlabel_parameter_version(Name="/ul", ParameterVersion=9, Labels=["keep"])
    assert code(e) == "ParameterVersionNotFound"
    with pytest.raises(ClientError) as e:
        ssm.unlabel_parameter_version(Name="/ul-none", ParameterVersion=1, Labels=["keep"])
    assert code(e) == "ParameterNotFound"


def test_top_level_name_with_and_without_slash(ssm, restart_check):
    # "x" and "/x" are one top-level parameter (same ARN); LocalStack's test_put_parameters gets "test_put" as "/test_put".
    ssm.put_parameter(Name="toplevel", Value="1", Type="String")
    p = ssm.get_parameter(Name="/toplevel")["Parameter"]
    assert (p["Name"], p["Value"]) == ("toplevel", "1")
    assert [x["Name"] for x in ssm.get_parameters(Names=["/toplevel"])["Parameters"]] == ["toplevel"]
    with pytest.raises(ClientError) as e:
        ssm.put_parameter(Name="/toplevel", Value="2", Type="String")
    assert code(e) == "ParameterAlreadyExists"
    assert ssm.put_parameter(Name="/toplevel", Value="2", Overwrite=True)["Version"] == 2
    ssm.put_parameter(Name="/slashed", Value="s", Type="String")
    assert ssm.get_parameter(Name="slashed")["Parameter"]["Name"] == "/slashed"

    def read():
        p = ssm.get_parameter(Name="toplevel")["Parameter"]
        names = sorted(x["Name"] for x in ssm.describe_parameters()["Parameters"])
        return p["Name"], p["Value"], p["Version"], names

    got = restart_check(read)
    assert got[:3] == ("toplevel", "2", 2)
    assert got[3].count("toplevel") == 1 and "/toplevel" not in got[3]
    ssm.delete_parameter(Name="/toplevel")
    assert restart_check(lambda: ssm.get_parameters(Names=["toplevel", "/toplevel"])["InvalidParameters"]) == [
        "toplevel", "/toplevel"]


def test_history_pagination(ssm):
    ssm.put_parameter(Name="/h", Value="0", Type="String")
    for i in range(1, 7):
        ssm.put_parameter(Name="/h", Value=str(i), Type="String", Overwrite=True)
    first = ssm.get_parameter_history(Name="/h", MaxResults=4)
    rest = ssm.get_parameter_history(Name="/h", MaxResults=4, NextToken=first["NextToken"])
    assert [p["Version"] for p in first["Parameters"] + rest["Parameters"]] == list(range(1, 8))
    assert "NextToken" not in rest


# ---- Tags ----

def test_tags(ssm, restart_check):
    ssm.put_parameter(Name="/tg", Value="v", Type="String", Tags=[{"Key": "a", "Value": "1"}])
    ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId="/tg", Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "9"}])
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId="/tg", TagKeys=["b"])
    read = lambda: ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/tg")["TagList"]  # noqa: E731
    assert restart_check(read) == [{"Key": "a", "Value": "9"}]
    with pytest.raises(ClientError) as e:
        ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/nope")
    assert code(e) == "InvalidResourceId"


# ---- Partitioning ----

def test_regions_and_accounts_are_separate(server):
    """State is partitioned by account (12-digit access key) and region."""
    east = server.client("ssm")
    west = server.client("ssm", region="eu-west-1")
    other = server.client("ssm", aws_access_key_id="111111111111")
    east.put_parameter(Name="/part", Value="east", Type="String")
    for c in (west, other):
        with pytest.raises(ClientError) as e:
            c.get_parameter(Name="/part")
        assert code(e) == "ParameterNotFound"
    west.put_parameter(Name="/part", Value="west", Type="String")
    assert east.get_parameter(Name="/part")["Parameter"]["Value"] == "east"
    assert west.get_parameter(Name="/part")["Parameter"]["ARN"].startswith("arn:aws:ssm:eu-west-1:")
    assert other.put_parameter(Name="/part", Value="x", Type="String")["Version"] == 1


# ---- Wire-level errors ----

def raw(server, target, body):
    req = urllib.request.Request(server.endpoint + "/", data=body, method="POST",
                                 headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.headers, json.loads(e.read())


@pytest.mark.parametrize("target,body,status,etype", [
    ("AmazonSSM.GetParameter", b"{not json", 400, "SerializationException"),
    ("AmazonSSM.NoSuchOp", b"{}", 400, "UnknownOperationException"),
    ("AmazonSSM.GetParameter", b"{}", 400, "ValidationException"),
    ("AmazonSSM.GetParameter", b'{"Name": 123}', 400, "SerializationException"),
    ("AmazonSSM.PutParameter", b'{"Name": "/a", "Value": "v", "Type": "Nope"}', 400, "ValidationException"),
    ("AmazonSSM.CreateDocument", b'{"Name": "d", "Content": "{}"}', 501, "NotImplemented"),
])
def test_json_error_shapes(server, target, body, status, etype):
    """AWS JSON 1.1 errors: status, __type, message and a request id; the server stays up."""
    got_status, headers, err = raw(server, target, body)
    assert got_status == status
    assert err["__type"] == etype and err["message"]
    assert headers["x-amzn-RequestId"]
    assert server.get_json("/_localstack/health")["services"]["ssm"] == "running"


# Why: a target no model knows, signed for a service podstack has, is AWS's 400 UnknownOperationException, not 501.
@pytest.mark.parametrize("target", ["AmazonSSMNope.GetParameter", "Nope"])
def test_unknown_target_prefix_with_known_scope(server, target):
    req = urllib.request.Request(server.endpoint + "/", data=b"{}", method="POST", headers={
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/us-east-1/ssm/aws4_request, "
                         "SignedHeaders=host, Signature=00"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 400
    assert json.loads(e.value.read())["__type"] == "UnknownOperationException"
