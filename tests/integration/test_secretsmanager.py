"""Secrets Manager through boto3 (Debian's 1.26 / botocore 1.29), as AWS documents it.

Every mutating operation is checked to survive a graceful restart and a kill -9
(restart_check). Nothing here depends on the account id being 000000000000:
it is read from STS, so the assertions hold against real AWS too. Lists whose
order AWS does not define (versions, tags) are sorted before comparing.
"""
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from botocore.httpsession import URLLib3Session

from podstack_server import error_code as code, without_metadata as strip

TOKEN_A = "a" * 32  # ClientRequestToken: 32-64 characters (botocore checks the minimum)
TOKEN_B = "b" * 32


@pytest.fixture
def sm(server):
    return server.client("secretsmanager")


@pytest.fixture
def account(server):
    return server.client("sts").get_caller_identity()["Account"]


def now():
    return datetime.now(timezone.utc)


def stages(sm, sid, deprecated=False):
    """{VersionId: sorted labels} from ListSecretVersionIds."""
    versions = sm.list_secret_version_ids(SecretId=sid, IncludeDeprecated=deprecated)["Versions"]
    return {v["VersionId"]: sorted(v.get("VersionStages", [])) for v in versions}


def describe(sm, sid):
    """DescribeSecret without ResponseMetadata; tags and labels in a fixed order."""
    d = strip(sm.describe_secret(SecretId=sid))
    if "Tags" in d:
        d["Tags"] = sorted(d["Tags"], key=lambda t: t["Key"])
    if "VersionIdsToStages" in d:
        d["VersionIdsToStages"] = {k: sorted(v) for k, v in d["VersionIdsToStages"].items()}
    return d


def versions(sm, sid):
    """ListSecretVersionIds (deprecated versions included) without ResponseMetadata, sorted by VersionId."""
    r = strip(sm.list_secret_version_ids(SecretId=sid, IncludeDeprecated=True))
    r["Versions"] = sorted(({**v, "VersionStages": sorted(v.get("VersionStages", []))} for v in r["Versions"]),
                           key=lambda v: v["VersionId"])
    return r


def value(sm, sid, **kw):
    return strip(sm.get_secret_value(SecretId=sid, **kw))


def names(sm, **kw):
    return sorted(s["Name"] for s in sm.list_secrets(**kw)["SecretList"])


def error_of(call):
    with pytest.raises(ClientError) as e:
        call()
    return code(e)


def list_secrets_including_deleted(sm, **kw):
    """ListSecrets with IncludePlannedDeletion=True.

    botocore 1.29's model predates IncludePlannedDeletion, so the member is added
    to the serialized JSON body before the request is signed (valid against AWS too).
    """
    def add_flag(params, **_):
        body = json.loads(params["body"] or b"{}")
        body["IncludePlannedDeletion"] = True
        params["body"] = json.dumps(body).encode()

    event = "before-call.secrets-manager.ListSecrets"
    sm.meta.events.register(event, add_flag)
    try:
        return sm.list_secrets(**kw)
    finally:
        sm.meta.events.unregister(event, add_flag)


# ---- CreateSecret ----

def test_create_string_secret(sm, account, restart_check):
    """The ARN is arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX and the value reads back whole."""
    r = sm.create_secret(Name="app/db", SecretString='{"user":"u","password":"p"}')
    assert re.fullmatch(rf"arn:aws:secretsmanager:us-east-1:{account}:secret:app/db-[A-Za-z0-9]{{6}}", r["ARN"])
    assert r["Name"] == "app/db" and r["VersionId"]
    got = restart_check(lambda: value(sm, "app/db"))
    assert got["SecretString"] == '{"user":"u","password":"p"}' and "SecretBinary" not in got
    assert (got["ARN"], got["Name"], got["VersionId"]) == (r["ARN"], "app/db", r["VersionId"])
    assert got["VersionStages"] == ["AWSCURRENT"]


def test_arn_suffixes_differ_between_secrets(sm):
    """The 6-character suffix is random, so two secrets do not share it."""
    a = sm.create_secret(Name="sfx-a", SecretString="x")["ARN"]
    b = sm.create_secret(Name="sfx-b", SecretString="x")["ARN"]
    assert a[-6:] != b[-6:]


def test_create_binary_secret(sm, restart_check):
    """SecretBinary round-trips byte for byte, and no SecretString comes back with it."""
    blob = bytes(range(256))
    sm.create_secret(Name="bin", SecretBinary=blob)
    got = restart_check(lambda: value(sm, "bin"))
    assert got["SecretBinary"] == blob and "SecretString" not in got


def test_client_request_token_is_the_version_id(sm, restart_check):
    """CreateSecret's ClientRequestToken becomes the first version's VersionId."""
    assert sm.create_secret(Name="tok", SecretString="x", ClientRequestToken=TOKEN_A)["VersionId"] == TOKEN_A
    assert restart_check(lambda: value(sm, "tok"))["VersionId"] == TOKEN_A


def test_create_with_description_tags_and_kms_key(sm, restart_check):
    """Description, Tags and KmsKeyId are kept and shown by DescribeSecret."""
    # Against real AWS the alias must exist; AWS echoes the key as it was given.
    sm.create_secret(Name="meta", SecretString="x", Description="db creds", KmsKeyId="alias/podstack-test",
                     Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "core"}])
    d = restart_check(lambda: describe(sm, "meta"))
    assert d["Description"] == "db creds" and d["KmsKeyId"] == "alias/podstack-test"
    assert d["Tags"] == [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "core"}]


def test_create_duplicate_name_is_rejected(sm, restart_check):
    """A second CreateSecret with the same name fails and leaves the first secret untouched."""
    sm.create_secret(Name="dup", SecretString="first")
    assert error_of(lambda: sm.create_secret(Name="dup", SecretString="second")) == "ResourceExistsException"
    assert restart_check(lambda: value(sm, "dup"))["SecretString"] == "first"
    assert len(stages(sm, "dup", deprecated=True)) == 1


def test_create_with_both_string_and_binary_is_rejected(sm):
    """SecretString and SecretBinary are mutually exclusive; nothing is created."""
    # AWS: "Either SecretString or SecretBinary must have a value, but not both." (moto 5.2 accepts both.)
    assert error_of(lambda: sm.create_secret(Name="both", SecretString="x", SecretBinary=b"y")) == \
        "InvalidParameterException"
    assert error_of(lambda: sm.describe_secret(SecretId="both")) == "ResourceNotFoundException"


def test_create_without_value(sm, restart_check):
    """A secret may be created empty: no version, and GetSecretValue finds no AWSCURRENT value."""
    r = sm.create_secret(Name="empty", Description="later")
    assert "VersionId" not in r
    d = restart_check(lambda: describe(sm, "empty"))
    assert d.get("VersionIdsToStages", {}) == {}
    assert sm.list_secret_version_ids(SecretId="empty", IncludeDeprecated=True)["Versions"] == []
    assert error_of(lambda: sm.get_secret_value(SecretId="empty")) == "ResourceNotFoundException"


def test_first_put_on_empty_secret_is_current_only(sm, restart_check):
    """The first version of an empty secret gets AWSCURRENT and there is no AWSPREVIOUS."""
    sm.create_secret(Name="empty2")
    v1 = sm.put_secret_value(SecretId="empty2", SecretString="1")["VersionId"]
    assert restart_check(lambda: stages(sm, "empty2", deprecated=True)) == {v1: ["AWSCURRENT"]}


# ---- GetSecretValue ----

def test_get_by_name_full_arn_and_partial_arn(sm):
    """SecretId accepts the name, the full ARN and the ARN without its random suffix."""
    arn = sm.create_secret(Name="lookup/x", SecretString="v")["ARN"]
    partial = arn[:-7]  # drop "-XXXXXX"
    assert partial.endswith(":secret:lookup/x")
    for sid in ("lookup/x", arn, partial):
        got = sm.get_secret_value(SecretId=sid)
        assert (got["SecretString"], got["ARN"], got["Name"]) == ("v", arn, "lookup/x")


def test_get_response_fields(sm):
    """GetSecretValue returns ARN, Name, VersionId, VersionStages and the version's CreatedDate."""
    t0 = now()
    r = sm.create_secret(Name="fields", SecretString="v")
    got = sm.get_secret_value(SecretId="fields")
    assert got["VersionId"] == r["VersionId"] and got["VersionStages"] == ["AWSCURRENT"]
    assert abs((got["CreatedDate"] - t0).total_seconds()) < 300


def test_get_by_version_id_and_stage(sm):
    """VersionId and VersionStage select older versions; a matching pair is accepted."""
    v1 = sm.create_secret(Name="sel", SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="sel", SecretString="2")["VersionId"]
    assert sm.get_secret_value(SecretId="sel", VersionId=v1)["SecretString"] == "1"
    assert sm.get_secret_value(SecretId="sel", VersionId=v1)["VersionStages"] == ["AWSPREVIOUS"]
    assert sm.get_secret_value(SecretId="sel", VersionStage="AWSPREVIOUS")["VersionId"] == v1
    assert sm.get_secret_value(SecretId="sel", VersionStage="AWSCURRENT")["SecretString"] == "2"
    assert sm.get_secret_value(SecretId="sel", VersionId=v2, VersionStage="AWSCURRENT")["SecretString"] == "2"


def test_get_version_id_and_stage_must_agree(sm):
    """VersionId and VersionStage naming different versions is InvalidRequestException."""
    # AWS: "You provided a VersionStage that is not associated to the provided VersionId."
    v1 = sm.create_secret(Name="mismatch", SecretString="1")["VersionId"]
    sm.put_secret_value(SecretId="mismatch", SecretString="2")
    assert error_of(lambda: sm.get_secret_value(SecretId="mismatch", VersionId=v1, VersionStage="AWSCURRENT")) == \
        "InvalidRequestException"


def test_get_missing_secret_version_or_stage(sm, account):
    """Unknown secret, unknown VersionId and an unattached label are all ResourceNotFoundException."""
    sm.create_secret(Name="only", SecretString="x")
    missing_arn = f"arn:aws:secretsmanager:us-east-1:{account}:secret:nope-AbCdEf"
    for kw in ({"SecretId": "nope"}, {"SecretId": missing_arn},
               {"SecretId": "only", "VersionId": "c" * 32},
               {"SecretId": "only", "VersionStage": "AWSPREVIOUS"}):
        assert error_of(lambda: sm.get_secret_value(**kw)) == "ResourceNotFoundException", kw


# ---- PutSecretValue ----

def test_put_secret_value_rotates_stages(sm, restart_check):
    """New version AWSCURRENT, old current AWSPREVIOUS, the one before loses its label and is deprecated."""
    v1 = sm.create_secret(Name="rot", SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="rot", SecretString="2")["VersionId"]
    r3 = sm.put_secret_value(SecretId="rot", SecretString="3")
    v3 = r3["VersionId"]
    assert r3["VersionStages"] == ["AWSCURRENT"] and r3["Name"] == "rot"
    listed = restart_check(lambda: versions(sm, "rot"))
    assert {v["VersionId"]: v["VersionStages"] for v in listed["Versions"]} == \
        {v1: [], v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}
    # Without IncludeDeprecated a version with no label is not listed (moto 5.2 lists it anyway).
    assert stages(sm, "rot") == {v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}
    assert sm.get_secret_value(SecretId="rot")["SecretString"] == "3"
    assert sm.get_secret_value(SecretId="rot", VersionStage="AWSPREVIOUS")["SecretString"] == "2"
    assert sm.get_secret_value(SecretId="rot", VersionId=v1)["SecretString"] == "1"


def test_put_binary_replaces_string(sm, restart_check):
    """A binary version after a string one: the current value is binary only."""
    sm.create_secret(Name="s2b", SecretString="text")
    sm.put_secret_value(SecretId="s2b", SecretBinary=b"\x00raw")
    got = restart_check(lambda: value(sm, "s2b"))
    assert got["SecretBinary"] == b"\x00raw" and "SecretString" not in got


def test_put_same_token_same_value_is_idempotent(sm, restart_check):
    """A retried PutSecretValue (same token, same value) returns the same version and adds none."""
    sm.create_secret(Name="idem", SecretString="1")
    a = sm.put_secret_value(SecretId="idem", SecretString="2", ClientRequestToken=TOKEN_A)
    b = sm.put_secret_value(SecretId="idem", SecretString="2", ClientRequestToken=TOKEN_A)
    assert a["VersionId"] == b["VersionId"] == TOKEN_A
    listed = restart_check(lambda: versions(sm, "idem"))
    assert len(listed["Versions"]) == 2
    assert stages(sm, "idem")[TOKEN_A] == ["AWSCURRENT"]


def test_put_same_token_different_value_is_rejected(sm, restart_check):
    """A version is immutable: reusing its token with another value is ResourceExistsException."""
    sm.create_secret(Name="immut", SecretString="1")
    sm.put_secret_value(SecretId="immut", SecretString="2", ClientRequestToken=TOKEN_A)
    assert error_of(lambda: sm.put_secret_value(SecretId="immut", SecretString="other",
                                                ClientRequestToken=TOKEN_A)) == "ResourceExistsException"
    assert restart_check(lambda: value(sm, "immut", VersionId=TOKEN_A))["SecretString"] == "2"


def test_put_with_custom_stage_leaves_current_alone(sm, restart_check):
    """VersionStages without AWSCURRENT: the new version gets only those labels."""
    v1 = sm.create_secret(Name="cs", SecretString="1")["VersionId"]
    r = sm.put_secret_value(SecretId="cs", SecretString="2", VersionStages=["PENDING"])
    assert r["VersionStages"] == ["PENDING"]
    assert restart_check(lambda: stages(sm, "cs")) == {v1: ["AWSCURRENT"], r["VersionId"]: ["PENDING"]}
    assert sm.get_secret_value(SecretId="cs")["SecretString"] == "1"
    assert sm.get_secret_value(SecretId="cs", VersionStage="PENDING")["SecretString"] == "2"


def test_put_moves_a_custom_label_from_another_version(sm, restart_check):
    """A label is on one version at a time: putting it on a new version takes it off the old one."""
    v1 = sm.create_secret(Name="mv", SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="mv", SecretString="2", VersionStages=["PENDING"])["VersionId"]
    v3 = sm.put_secret_value(SecretId="mv", SecretString="3", VersionStages=["PENDING"])["VersionId"]
    assert restart_check(lambda: stages(sm, "mv", deprecated=True)) == \
        {v1: ["AWSCURRENT"], v2: [], v3: ["PENDING"]}


def test_put_with_explicit_awscurrent_and_custom_label(sm, restart_check):
    """VersionStages naming AWSCURRENT moves it as the default does, AWSPREVIOUS included."""
    v1 = sm.create_secret(Name="ex", SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="ex", SecretString="2", VersionStages=["AWSCURRENT", "BLUE"])["VersionId"]
    assert restart_check(lambda: stages(sm, "ex")) == {v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT", "BLUE"]}


def test_put_errors(sm):
    """PutSecretValue on a missing secret, or with both value kinds, fails."""
    # Both kinds at once: InvalidParameterException per AWS (moto 5.2 accepts it).
    assert error_of(lambda: sm.put_secret_value(SecretId="nope", SecretString="x")) == "ResourceNotFoundException"
    sm.create_secret(Name="pe", SecretString="x")
    assert error_of(lambda: sm.put_secret_value(SecretId="pe", SecretString="x", SecretBinary=b"y")) == \
        "InvalidParameterException"


# ---- UpdateSecret ----

def test_update_description_only(sm, restart_check):
    """UpdateSecret without a value changes metadata only: no VersionId, no new version."""
    v1 = sm.create_secret(Name="up", SecretString="1", Description="old")["VersionId"]
    before = sm.describe_secret(SecretId="up")["LastChangedDate"]
    r = sm.update_secret(SecretId="up", Description="new")
    assert "VersionId" not in r and r["Name"] == "up"
    d = restart_check(lambda: describe(sm, "up"))
    assert d["Description"] == "new" and d["VersionIdsToStages"] == {v1: ["AWSCURRENT"]}
    assert d["LastChangedDate"] >= before


def test_update_with_value_creates_version(sm, restart_check):
    """UpdateSecret with a value makes a new AWSCURRENT version; the old one becomes AWSPREVIOUS."""
    v1 = sm.create_secret(Name="upv", SecretString="1")["VersionId"]
    r = sm.update_secret(SecretId="upv", SecretString="2", ClientRequestToken=TOKEN_B)
    assert r["VersionId"] == TOKEN_B
    d, got = restart_check(lambda: (describe(sm, "upv"), value(sm, "upv")))
    assert d["VersionIdsToStages"] == {v1: ["AWSPREVIOUS"], TOKEN_B: ["AWSCURRENT"]}
    assert (got["SecretString"], got["VersionId"]) == ("2", TOKEN_B)


def test_update_missing_secret(sm):
    """UpdateSecret on a secret that does not exist is ResourceNotFoundException."""
    assert error_of(lambda: sm.update_secret(SecretId="nope", Description="x")) == "ResourceNotFoundException"


# ---- DescribeSecret ----

def test_describe_secret_fields(sm):
    """DescribeSecret: ARN, Name, dates and the version-to-label map; no DeletedDate while live."""
    t0 = now()
    r = sm.create_secret(Name="desc", SecretString="x", Description="d", Tags=[{"Key": "a", "Value": "1"}])
    d = sm.describe_secret(SecretId="desc")
    assert (d["ARN"], d["Name"], d["Description"]) == (r["ARN"], "desc", "d")
    assert d["Tags"] == [{"Key": "a", "Value": "1"}]
    assert d["VersionIdsToStages"] == {r["VersionId"]: ["AWSCURRENT"]}
    assert abs((d["CreatedDate"] - t0).total_seconds()) < 300
    assert d["LastChangedDate"] >= d["CreatedDate"] - timedelta(seconds=1)
    assert "DeletedDate" not in d


def test_describe_by_arn_and_partial_arn(sm):
    """DescribeSecret resolves the full and the partial ARN like GetSecretValue."""
    arn = sm.create_secret(Name="dby", SecretString="x")["ARN"]
    assert sm.describe_secret(SecretId=arn)["Name"] == "dby"
    assert sm.describe_secret(SecretId=arn[:-7])["ARN"] == arn


def test_describe_missing(sm):
    """DescribeSecret on an unknown secret is ResourceNotFoundException."""
    assert error_of(lambda: sm.describe_secret(SecretId="nope")) == "ResourceNotFoundException"


def test_last_changed_date_follows_new_versions(sm):
    """A new version moves LastChangedDate forward (or keeps it, within the same instant)."""
    sm.create_secret(Name="lcd", SecretString="1")
    before = sm.describe_secret(SecretId="lcd")["LastChangedDate"]
    sm.put_secret_value(SecretId="lcd", SecretString="2")
    assert sm.describe_secret(SecretId="lcd")["LastChangedDate"] >= before


# ---- ListSecrets ----

@pytest.fixture
def three(sm):
    sm.create_secret(Name="prod/api", SecretString="x", Description="api key for prod",
                     Tags=[{"Key": "team", "Value": "core"}])
    sm.create_secret(Name="prod/db", SecretString="x", Tags=[{"Key": "team", "Value": "data"}])
    sm.create_secret(Name="dev/db", SecretString="x", Tags=[{"Key": "owner", "Value": "me"}])


def test_list_all(sm, three):
    """Without filters every live secret is listed, with its metadata and version map."""
    assert names(sm) == ["dev/db", "prod/api", "prod/db"]
    entry = next(s for s in sm.list_secrets()["SecretList"] if s["Name"] == "prod/api")
    assert entry["Description"] == "api key for prod" and entry["Tags"] == [{"Key": "team", "Value": "core"}]
    assert entry["ARN"] == sm.describe_secret(SecretId="prod/api")["ARN"]
    assert list(entry["SecretVersionsToStages"].values()) == [["AWSCURRENT"]]


def test_list_filter_name_is_a_case_sensitive_prefix(sm, three):
    """name: prefix match, case-sensitive (API reference, Filter)."""
    assert names(sm, Filters=[{"Key": "name", "Values": ["prod/"]}]) == ["prod/api", "prod/db"]
    assert names(sm, Filters=[{"Key": "name", "Values": ["Prod/"]}]) == []


def test_list_filter_description_ignores_case(sm, three):
    """description: not case-sensitive."""
    assert names(sm, Filters=[{"Key": "description", "Values": ["API"]}]) == ["prod/api"]


def test_list_filter_tag_key_and_tag_value(sm, three):
    """tag-key and tag-value: prefix matches on any tag's key or value."""
    assert names(sm, Filters=[{"Key": "tag-key", "Values": ["team"]}]) == ["prod/api", "prod/db"]
    assert names(sm, Filters=[{"Key": "tag-value", "Values": ["data"]}]) == ["prod/db"]
    assert names(sm, Filters=[{"Key": "tag-key", "Values": ["own"]}]) == ["dev/db"]


def test_list_filters_combine(sm, three):
    """Filters are ANDed; the values of one filter are ORed."""
    assert names(sm, Filters=[{"Key": "name", "Values": ["prod/"]},
                              {"Key": "tag-value", "Values": ["core"]}]) == ["prod/api"]
    assert names(sm, Filters=[{"Key": "name", "Values": ["dev/", "prod/db"]}]) == ["dev/db", "prod/db"]


def test_list_filter_negation(sm, three):
    """A value starting with ! excludes its matches."""
    assert names(sm, Filters=[{"Key": "name", "Values": ["!prod"]}]) == ["dev/db"]


def test_list_pagination(sm):
    """MaxResults bounds a page; following NextToken visits every secret exactly once."""
    for i in range(5):
        sm.create_secret(Name=f"page-{i}", SecretString="x")
    seen, kw, pages = [], {}, 0
    while True:
        page = sm.list_secrets(MaxResults=2, **kw)
        pages += 1
        assert len(page["SecretList"]) <= 2
        seen += [s["Name"] for s in page["SecretList"]]
        if not page.get("NextToken"):
            break
        kw = {"NextToken": page["NextToken"]}
        assert pages < 10
    assert sorted(seen) == [f"page-{i}" for i in range(5)]
    assert pages >= 3


def test_list_bad_next_token(sm):
    """A NextToken the service never issued is InvalidNextTokenException (modeled for ListSecrets)."""
    # (moto 5.2 answers 500.)
    sm.create_secret(Name="tokened", SecretString="x")
    assert error_of(lambda: sm.list_secrets(NextToken="not-a-token")) == "InvalidNextTokenException"


def test_list_hides_secrets_scheduled_for_deletion(sm):
    """By default ListSecrets omits secrets scheduled for deletion; IncludePlannedDeletion shows them."""
    sm.create_secret(Name="keep", SecretString="x")
    sm.create_secret(Name="doomed", SecretString="x")
    sm.delete_secret(SecretId="doomed", RecoveryWindowInDays=7)
    assert names(sm) == ["keep"]
    listed = {s["Name"]: s for s in list_secrets_including_deleted(sm)["SecretList"]}
    assert sorted(listed) == ["doomed", "keep"]
    assert "DeletedDate" in listed["doomed"] and "DeletedDate" not in listed["keep"]


# ---- DeleteSecret / RestoreSecret ----

def test_delete_default_recovery_window_is_30_days(sm, restart_check):
    """DeleteSecret without options schedules deletion 30 days out; DescribeSecret shows DeletedDate."""
    arn = sm.create_secret(Name="del30", SecretString="x")["ARN"]
    t0 = now()
    r = sm.delete_secret(SecretId="del30")
    assert (r["ARN"], r["Name"]) == (arn, "del30")
    assert abs((r["DeletionDate"] - (t0 + timedelta(days=30))).total_seconds()) < 300
    d = restart_check(lambda: describe(sm, "del30"))
    assert d["DeletedDate"] <= r["DeletionDate"]


@pytest.mark.parametrize("days", [7, 30])
def test_delete_recovery_window_bounds_accepted(sm, days):
    """7 and 30 days are the inclusive bounds of the recovery window."""
    sm.create_secret(Name="win", SecretString="x")
    t0 = now()
    r = sm.delete_secret(SecretId="win", RecoveryWindowInDays=days)
    assert abs((r["DeletionDate"] - (t0 + timedelta(days=days))).total_seconds()) < 300


@pytest.mark.parametrize("kw", [{"RecoveryWindowInDays": 6}, {"RecoveryWindowInDays": 31},
                                {"RecoveryWindowInDays": 0},
                                {"RecoveryWindowInDays": 7, "ForceDeleteWithoutRecovery": True}],
                         ids=["6", "31", "0", "both"])
def test_delete_bad_options(sm, kw):
    """A window outside 7-30, or a window together with ForceDeleteWithoutRecovery, is rejected."""
    sm.create_secret(Name="rules", SecretString="x")
    assert error_of(lambda: sm.delete_secret(SecretId="rules", **kw)) == "InvalidParameterException"
    assert "DeletedDate" not in sm.describe_secret(SecretId="rules")


def test_delete_missing(sm):
    """DeleteSecret (with a recovery window) on an unknown secret is ResourceNotFoundException."""
    # Not asserted: ForceDeleteWithoutRecovery on an unknown secret, which moto answers with success on
    # purpose (modelled on AWS); the AWS documentation does not say.
    assert error_of(lambda: sm.delete_secret(SecretId="nope")) == "ResourceNotFoundException"


def test_force_delete_removes_immediately(sm, restart_check):
    """ForceDeleteWithoutRecovery: the secret is gone at once, for every operation."""
    sm.create_secret(Name="gone", SecretString="x")
    r = sm.delete_secret(SecretId="gone", ForceDeleteWithoutRecovery=True)
    assert r["Name"] == "gone" and r["DeletionDate"]
    assert restart_check(lambda: error_of(lambda: sm.describe_secret(SecretId="gone"))) == "ResourceNotFoundException"
    assert error_of(lambda: sm.get_secret_value(SecretId="gone")) == "ResourceNotFoundException"
    assert "gone" not in [s["Name"] for s in list_secrets_including_deleted(sm)["SecretList"]]


def test_force_delete_a_secret_already_scheduled(sm, restart_check):
    """A secret in its recovery window can still be force-deleted (the documented way to free the name)."""
    sm.create_secret(Name="twice", SecretString="x")
    sm.delete_secret(SecretId="twice", RecoveryWindowInDays=7)
    sm.delete_secret(SecretId="twice", ForceDeleteWithoutRecovery=True)
    assert restart_check(lambda: error_of(lambda: sm.describe_secret(SecretId="twice"))) == \
        "ResourceNotFoundException"


def test_scheduled_secret_refuses_reads_and_writes(sm, restart_check):
    """During the recovery window GetSecretValue, PutSecretValue and UpdateSecret are InvalidRequestException."""
    # AWS's InvalidRequestException: "Possible causes: The secret is scheduled for deletion."
    # (moto 5.2 lets PutSecretValue through.)
    sm.create_secret(Name="pending", SecretString="x")
    sm.delete_secret(SecretId="pending", RecoveryWindowInDays=7)
    restart_check(lambda: describe(sm, "pending"))  # DescribeSecret still answers, before and after restarts
    for call in (lambda: sm.get_secret_value(SecretId="pending"),
                 lambda: sm.put_secret_value(SecretId="pending", SecretString="y"),
                 lambda: sm.update_secret(SecretId="pending", Description="z"),
                 lambda: sm.update_secret(SecretId="pending", SecretString="z")):
        assert error_of(call) == "InvalidRequestException"
    assert "DeletedDate" in sm.describe_secret(SecretId="pending")


def test_name_of_scheduled_secret_is_not_free(sm):
    """CreateSecret with the name of a secret in its recovery window is InvalidRequestException."""
    # AWS: "You can't create this secret because a secret with this name is already scheduled for
    # deletion." (moto 5.2 says ResourceExistsException.)
    sm.create_secret(Name="taken", SecretString="x")
    sm.delete_secret(SecretId="taken", RecoveryWindowInDays=7)
    assert error_of(lambda: sm.create_secret(Name="taken", SecretString="y")) == "InvalidRequestException"


def test_restore_cancels_deletion(sm, restart_check):
    """RestoreSecret clears DeletedDate; the value, versions and listing come back."""
    r = sm.create_secret(Name="back", SecretString="x")
    sm.delete_secret(SecretId="back")
    restored = sm.restore_secret(SecretId="back")
    assert (restored["ARN"], restored["Name"]) == (r["ARN"], "back")
    d = restart_check(lambda: describe(sm, "back"))
    assert "DeletedDate" not in d and d["VersionIdsToStages"] == {r["VersionId"]: ["AWSCURRENT"]}
    assert sm.get_secret_value(SecretId="back")["SecretString"] == "x"
    assert "back" in names(sm)
    sm.put_secret_value(SecretId="back", SecretString="y")  # writable again


def test_restore_missing(sm):
    """RestoreSecret on an unknown secret is ResourceNotFoundException."""
    assert error_of(lambda: sm.restore_secret(SecretId="nope")) == "ResourceNotFoundException"


# ---- UpdateSecretVersionStage ----

def test_move_awscurrent_gives_old_current_awsprevious(sm, restart_check):
    """Moving AWSCURRENT (RemoveFromVersionId + MoveToVersionId) gives the old current AWSPREVIOUS."""
    v1 = sm.create_secret(Name="uvs", SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="uvs", SecretString="2", VersionStages=["PENDING"])["VersionId"]
    r = sm.update_secret_version_stage(SecretId="uvs", VersionStage="AWSCURRENT",
                                       RemoveFromVersionId=v1, MoveToVersionId=v2)
    assert r["Name"] == "uvs"
    # The stages and the value read by label must agree (moto 5.2 keeps serving the old value).
    assert restart_check(lambda: stages(sm, "uvs")) == {v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT", "PENDING"]}
    assert sm.get_secret_value(SecretId="uvs")["SecretString"] == "2"


def test_move_awscurrent_takes_awsprevious_off_the_older_version(sm, restart_check):
    """AWSPREVIOUS is on one version only: the version that had it loses it."""
    v1 = sm.create_secret(Name="uvs3", SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="uvs3", SecretString="2")["VersionId"]
    v3 = sm.put_secret_value(SecretId="uvs3", SecretString="3", VersionStages=["PENDING"])["VersionId"]
    sm.update_secret_version_stage(SecretId="uvs3", VersionStage="AWSCURRENT",
                                   RemoveFromVersionId=v2, MoveToVersionId=v3)
    assert restart_check(lambda: stages(sm, "uvs3", deprecated=True)) == \
        {v1: [], v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT", "PENDING"]}


def test_rollback_to_previous_version(sm, restart_check):
    """Moving AWSCURRENT back to the AWSPREVIOUS version swaps the two labels."""
    # (moto 5.2 moves the labels but keeps serving the old value.)
    v1 = sm.create_secret(Name="rb", SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="rb", SecretString="2")["VersionId"]
    sm.update_secret_version_stage(SecretId="rb", VersionStage="AWSCURRENT", RemoveFromVersionId=v2, MoveToVersionId=v1)
    assert restart_check(lambda: stages(sm, "rb")) == {v1: ["AWSCURRENT"], v2: ["AWSPREVIOUS"]}
    assert sm.get_secret_value(SecretId="rb")["SecretString"] == "1"


def test_move_attached_label_without_remove_from_is_rejected(sm):
    """A label already on another version needs RemoveFromVersionId naming that version."""
    v1 = sm.create_secret(Name="need", SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="need", SecretString="2", VersionStages=["PENDING"])["VersionId"]
    assert error_of(lambda: sm.update_secret_version_stage(
        SecretId="need", VersionStage="AWSCURRENT", MoveToVersionId=v2)) == "InvalidParameterException"
    assert stages(sm, "need") == {v1: ["AWSCURRENT"], v2: ["PENDING"]}


def test_remove_from_wrong_version_is_rejected(sm):
    """RemoveFromVersionId must be the version the label is on."""
    v1 = sm.create_secret(Name="wrong", SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId="wrong", SecretString="2", VersionStages=["PENDING"])["VersionId"]
    assert error_of(lambda: sm.update_secret_version_stage(
        SecretId="wrong", VersionStage="PENDING", RemoveFromVersionId=v1)) == "InvalidParameterException"
    assert error_of(lambda: sm.update_secret_version_stage(
        SecretId="wrong", VersionStage="AWSCURRENT", RemoveFromVersionId=v2, MoveToVersionId=v2)) == \
        "InvalidParameterException"
    assert stages(sm, "wrong") == {v1: ["AWSCURRENT"], v2: ["PENDING"]}


def test_custom_label_add_and_remove(sm, restart_check):
    """A new label can be attached with MoveToVersionId alone and detached with RemoveFromVersionId alone."""
    v1 = sm.create_secret(Name="lbl", SecretString="1")["VersionId"]
    sm.update_secret_version_stage(SecretId="lbl", VersionStage="BLUE", MoveToVersionId=v1)
    assert restart_check(lambda: stages(sm, "lbl")) == {v1: ["AWSCURRENT", "BLUE"]}
    assert sm.get_secret_value(SecretId="lbl", VersionStage="BLUE")["VersionId"] == v1
    sm.update_secret_version_stage(SecretId="lbl", VersionStage="BLUE", RemoveFromVersionId=v1)
    assert restart_check(lambda: stages(sm, "lbl")) == {v1: ["AWSCURRENT"]}
    assert error_of(lambda: sm.get_secret_value(SecretId="lbl", VersionStage="BLUE")) == "ResourceNotFoundException"


def test_update_version_stage_missing_secret(sm):
    """UpdateSecretVersionStage on an unknown secret is ResourceNotFoundException."""
    assert error_of(lambda: sm.update_secret_version_stage(
        SecretId="nope", VersionStage="X", MoveToVersionId="d" * 32)) == "ResourceNotFoundException"


# ---- ListSecretVersionIds ----

def test_list_secret_version_ids_fields(sm):
    """Each entry has VersionId, VersionStages and CreatedDate; the response names the secret."""
    # moto 5.2 puts the name in ARN; AWS returns the ARN.
    r = sm.create_secret(Name="lv", SecretString="1")
    out = sm.list_secret_version_ids(SecretId="lv")
    assert (out["ARN"], out["Name"]) == (r["ARN"], "lv")
    [v] = out["Versions"]
    assert v["VersionId"] == r["VersionId"] and v["VersionStages"] == ["AWSCURRENT"]
    assert isinstance(v["CreatedDate"], datetime)


def test_list_secret_version_ids_pagination(sm):
    """MaxResults and NextToken page through every version exactly once (moto 5.2 ignores MaxResults)."""
    ids = {sm.create_secret(Name="many", SecretString="0")["VersionId"]}
    for i in range(1, 5):
        ids.add(sm.put_secret_value(SecretId="many", SecretString=str(i))["VersionId"])
    seen, kw = [], {}
    for _ in range(10):
        page = sm.list_secret_version_ids(SecretId="many", IncludeDeprecated=True, MaxResults=2, **kw)
        assert len(page["Versions"]) <= 2
        seen += [v["VersionId"] for v in page["Versions"]]
        if not page.get("NextToken"):
            break
        kw = {"NextToken": page["NextToken"]}
    assert sorted(seen) == sorted(ids)


def test_list_secret_version_ids_missing(sm):
    """ListSecretVersionIds on an unknown secret is ResourceNotFoundException (moto 5.2: a 500)."""
    assert error_of(lambda: sm.list_secret_version_ids(SecretId="nope")) == "ResourceNotFoundException"


# ---- TagResource / UntagResource ----

def test_tag_resource_adds_and_overwrites(sm, restart_check):
    """TagResource adds new keys and replaces the value of existing ones."""
    sm.create_secret(Name="tags", SecretString="x", Tags=[{"Key": "a", "Value": "1"}])
    sm.tag_resource(SecretId="tags", Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    assert restart_check(lambda: describe(sm, "tags"))["Tags"] == \
        [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]


def test_untag_resource(sm, restart_check):
    """UntagResource removes the named keys; unknown keys are ignored."""
    sm.create_secret(Name="untag", SecretString="x",
                     Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    sm.untag_resource(SecretId="untag", TagKeys=["b", "never-set"])
    assert restart_check(lambda: describe(sm, "untag"))["Tags"] == [{"Key": "a", "Value": "1"}]


def test_tagging_by_arn(sm, restart_check):
    """Tag operations accept the ARN as SecretId."""
    arn = sm.create_secret(Name="tarn", SecretString="x")["ARN"]
    sm.tag_resource(SecretId=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert restart_check(lambda: describe(sm, "tarn"))["Tags"] == [{"Key": "k", "Value": "v"}]


def test_tag_missing_secret(sm):
    """Tagging an unknown secret is ResourceNotFoundException."""
    assert error_of(lambda: sm.tag_resource(SecretId="nope", Tags=[{"Key": "k", "Value": "v"}])) == \
        "ResourceNotFoundException"
    assert error_of(lambda: sm.untag_resource(SecretId="nope", TagKeys=["k"])) == "ResourceNotFoundException"


# ---- Partitioning ----

def test_regions_are_separate(server, account, restart_check):
    """A secret in us-east-1 is invisible in eu-west-1, which can hold its own secret of that name."""
    east = server.client("secretsmanager")
    west = server.client("secretsmanager", region="eu-west-1")
    east.create_secret(Name="r", SecretString="east")
    assert error_of(lambda: west.get_secret_value(SecretId="r")) == "ResourceNotFoundException"
    assert error_of(lambda: west.describe_secret(SecretId="r")) == "ResourceNotFoundException"
    assert names(west) == []
    arn = west.create_secret(Name="r", SecretString="west")["ARN"]
    assert arn.startswith(f"arn:aws:secretsmanager:eu-west-1:{account}:secret:r-")
    assert restart_check(lambda: (value(east, "r")["SecretString"], value(west, "r")["SecretString"])) == \
        ("east", "west")


def test_accounts_are_separate(server):
    """Accounts do not share secrets.

    Podstack-specific (the LocalStack convention): the account is a 12-digit access key id.
    moto does not partition this way; against AWS use two real accounts.
    """
    mine = server.client("secretsmanager")
    other = server.client("secretsmanager", aws_access_key_id="111111111111")
    mine.create_secret(Name="acct", SecretString="mine")
    assert error_of(lambda: other.get_secret_value(SecretId="acct")) == "ResourceNotFoundException"
    assert other.create_secret(Name="acct", SecretString="theirs")["ARN"].startswith(
        "arn:aws:secretsmanager:us-east-1:111111111111:secret:acct-")
    assert mine.get_secret_value(SecretId="acct")["SecretString"] == "mine"


# ---- JSON 1.1 on the wire ----
# moto 5.2 differs from AWS here on every point (500 HTML pages, 404 for ResourceNotFoundException,
# text/html on success); these follow AWS: every client error of this service is a 400 JSON document.

def raw(server, target, body):
    """A SigV4-signed JSON 1.1 POST (as AWS requires), returning (status, headers, body bytes)."""
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=body,
                     headers={"X-Amz-Target": f"secretsmanager.{target}",
                              "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials("test", "test"), "secretsmanager", "us-east-1").add_auth(req)
    resp = URLLib3Session().send(req.prepare())
    return resp.status_code, resp.headers, resp.content


# ---- resource policies ----

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})


def test_resource_policy_put_get_delete(sm, restart_check):
    # Terraform calls GetResourcePolicy on every refresh (was 501); shapes from API_GetResourcePolicy / API_PutResourcePolicy.
    arn = sm.create_secret(Name="pol", SecretString="v")["ARN"]
    assert strip(sm.get_resource_policy(SecretId="pol")) == {"ARN": arn, "Name": "pol"}
    assert strip(sm.put_resource_policy(SecretId="pol", ResourcePolicy=POLICY, BlockPublicPolicy=True)) == {
        "ARN": arn, "Name": "pol"}
    got = restart_check(lambda: strip(sm.get_resource_policy(SecretId=arn)))
    assert got["Name"] == "pol" and json.loads(got["ResourcePolicy"]) == json.loads(POLICY)
    assert strip(sm.delete_resource_policy(SecretId="pol")) == {"ARN": arn, "Name": "pol"}
    assert restart_check(lambda: strip(sm.get_resource_policy(SecretId="pol"))) == {"ARN": arn, "Name": "pol"}


def test_resource_policy_errors_and_validate(sm):
    # Missing secrets and malformed documents get AWS's errors; ValidateResourcePolicy passes a well-formed policy.
    for call in (lambda: sm.get_resource_policy(SecretId="nope"),
                 lambda: sm.put_resource_policy(SecretId="nope", ResourcePolicy=POLICY),
                 lambda: sm.delete_resource_policy(SecretId="nope")):
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == "ResourceNotFoundException"
    sm.create_secret(Name="pol2", SecretString="v")
    with pytest.raises(ClientError) as e:
        sm.put_resource_policy(SecretId="pol2", ResourcePolicy="{not json")
    assert code(e) == "MalformedPolicyDocumentException"
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId="pol2")
    r = sm.validate_resource_policy(SecretId="pol2", ResourcePolicy=POLICY)
    assert r["PolicyValidationPassed"] is True and r.get("ValidationErrors", []) == []
    with pytest.raises(ClientError) as e:
        sm.validate_resource_policy(ResourcePolicy="nope")
    assert code(e) == "MalformedPolicyDocumentException"


def error_type(body):
    """__type may carry a namespace ("com.amazon...#Name"); botocore keeps the part after '#'."""
    return json.loads(body)["__type"].split("#")[-1]


def test_wire_malformed_json(server):
    """A body that is not JSON: 400, a JSON error whose __type is SerializationException, a request id."""
    status, headers, body = raw(server, "GetSecretValue", b"{oops")
    assert status == 400
    assert error_type(body) == "SerializationException"
    assert headers.get("x-amzn-RequestId")


def test_wire_missing_required_secret_id(server):
    """A missing required member fails input validation: 400 ValidationException (AWS's common error,
    e.g. "Value null at 'secretId' failed to satisfy constraint"), not a modeled InvalidParameterException."""
    status, headers, body = raw(server, "GetSecretValue", b"{}")
    assert status == 400
    assert error_type(body) == "ValidationException"
    assert headers.get("x-amzn-RequestId")


def test_wire_not_found_error_shape(server):
    """A modeled error: 400, __type ResourceNotFoundException, a message, a request id."""
    status, headers, body = raw(server, "GetSecretValue", b'{"SecretId": "nope"}')
    assert status == 400
    assert error_type(body) == "ResourceNotFoundException"
    doc = json.loads(body)
    assert doc.get("message") or doc.get("Message")
    assert headers.get("x-amzn-RequestId")


def test_wire_success_shape(server, sm):
    """Success: 200, application/x-amz-json-1.1, timestamps as epoch seconds, a request id."""
    sm.create_secret(Name="wire", SecretString="v")
    status, headers, body = raw(server, "GetSecretValue", b'{"SecretId": "wire"}')
    assert status == 200
    assert headers["Content-Type"].startswith("application/x-amz-json-1.1")
    assert headers.get("x-amzn-RequestId")
    doc = json.loads(body)
    assert doc["SecretString"] == "v" and isinstance(doc["CreatedDate"], (int, float))
