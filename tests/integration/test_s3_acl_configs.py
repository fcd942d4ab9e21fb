"""S3 ACLs (stored and answered as AWS does) and the configurations kept per
id (analytics, metrics, inventory, intelligent-tiering), which the Terraform
AWS provider reads on every refresh. Each change survives a graceful restart
and a kill -9 (restart_check)."""
import pytest
from botocore.exceptions import ClientError

from podstack_server import error_code as code

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"


def grants(acl):
    out = set()
    for g in acl["Grants"]:
        ge = g["Grantee"]
        out.add((ge["Type"], ge.get("ID") or ge.get("URI"), g["Permission"]))
    return out


def test_bucket_acl_policy_and_canned(s3, restart_check):
    s3.create_bucket(Bucket="acl-b")
    owner = s3.get_bucket_acl(Bucket="acl-b")["Owner"]
    assert grants(s3.get_bucket_acl(Bucket="acl-b")) == {("CanonicalUser", owner["ID"], "FULL_CONTROL")}
    # An AccessControlPolicy body: the Grantee's xsi:type attribute is read.
    s3.put_bucket_acl(Bucket="acl-b", AccessControlPolicy={"Owner": owner, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "Group", "URI": LOG_DELIVERY}, "Permission": "WRITE"}]})
    want = {("CanonicalUser", owner["ID"], "FULL_CONTROL"), ("Group", LOG_DELIVERY, "WRITE")}
    assert restart_check(lambda: grants(s3.get_bucket_acl(Bucket="acl-b"))) == want
    s3.put_bucket_acl(Bucket="acl-b", ACL="public-read")
    assert grants(s3.get_bucket_acl(Bucket="acl-b")) == {("CanonicalUser", owner["ID"], "FULL_CONTROL"), ("Group", ALL_USERS, "READ")}
    s3.put_bucket_acl(Bucket="acl-b", ACL="private")
    assert grants(s3.get_bucket_acl(Bucket="acl-b")) == {("CanonicalUser", owner["ID"], "FULL_CONTROL")}
    # x-amz-grant-* headers
    s3.put_bucket_acl(Bucket="acl-b", GrantRead=f'uri="{ALL_USERS}"', GrantFullControl=f'id="{owner["ID"]}"')
    assert grants(s3.get_bucket_acl(Bucket="acl-b")) == {("CanonicalUser", owner["ID"], "FULL_CONTROL"), ("Group", ALL_USERS, "READ")}


def test_acl_errors(s3):
    s3.create_bucket(Bucket="acl-e")
    with pytest.raises(ClientError) as e:
        s3.put_bucket_acl(Bucket="acl-e", ACL="public-read", GrantRead=f'uri="{ALL_USERS}"')
    assert code(e) == "InvalidRequest"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_acl(Bucket="acl-e", GrantRead='uri="http://acs.amazonaws.com/groups/global/Nobody"')
    assert code(e) == "InvalidArgument"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_acl(Bucket="acl-e")
    assert code(e) == "MissingSecurityHeader"
    # BucketOwnerEnforced: ACLs are disabled, reading them still works.
    s3.put_bucket_ownership_controls(Bucket="acl-e", OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    with pytest.raises(ClientError) as e:
        s3.put_bucket_acl(Bucket="acl-e", ACL="public-read")
    assert code(e) == "AccessControlListNotSupported"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="acl-e", Key="k", Body=b"x", ACL="public-read")
    assert code(e) == "AccessControlListNotSupported"
    s3.put_object(Bucket="acl-e", Key="k", Body=b"x", ACL="bucket-owner-full-control")
    assert len(s3.get_object_acl(Bucket="acl-e", Key="k")["Grants"]) == 1


def test_object_acl_from_put_copy_and_put_acl(s3, restart_check):
    s3.create_bucket(Bucket="acl-o")
    owner = s3.get_bucket_acl(Bucket="acl-o")["Owner"]
    s3.put_object(Bucket="acl-o", Key="pub", Body=b"x", ACL="public-read")
    s3.put_object(Bucket="acl-o", Key="priv", Body=b"x")
    pub = {("CanonicalUser", owner["ID"], "FULL_CONTROL"), ("Group", ALL_USERS, "READ")}
    assert grants(s3.get_object_acl(Bucket="acl-o", Key="pub")) == pub
    assert grants(s3.get_object_acl(Bucket="acl-o", Key="priv")) == {("CanonicalUser", owner["ID"], "FULL_CONTROL")}
    # A copy gets the ACL its request names, not the source's.
    s3.copy_object(Bucket="acl-o", Key="copy", CopySource={"Bucket": "acl-o", "Key": "pub"})
    assert len(s3.get_object_acl(Bucket="acl-o", Key="copy")["Grants"]) == 1
    s3.put_object_acl(Bucket="acl-o", Key="priv", ACL="public-read-write")
    want = {("CanonicalUser", owner["ID"], "FULL_CONTROL"), ("Group", ALL_USERS, "READ"), ("Group", ALL_USERS, "WRITE")}
    assert restart_check(lambda: grants(s3.get_object_acl(Bucket="acl-o", Key="priv"))) == want
    with pytest.raises(ClientError) as e:
        s3.get_object_acl(Bucket="acl-o", Key="missing")
    assert code(e) == "NoSuchKey"


def test_request_payment_defaults_to_bucket_owner(s3):
    s3.create_bucket(Bucket="rpay")
    assert s3.get_bucket_request_payment(Bucket="rpay")["Payer"] == "BucketOwner"
    s3.put_bucket_request_payment(Bucket="rpay", RequestPaymentConfiguration={"Payer": "Requester"})
    assert s3.get_bucket_request_payment(Bucket="rpay")["Payer"] == "Requester"


CONFIGS = {
    "analytics": ("put_bucket_analytics_configuration", "get_bucket_analytics_configuration",
                  "delete_bucket_analytics_configuration", "list_bucket_analytics_configurations",
                  "AnalyticsConfiguration", lambda i: {"Id": i, "Filter": {"Prefix": "logs/"}, "StorageClassAnalysis": {}}),
    "metrics": ("put_bucket_metrics_configuration", "get_bucket_metrics_configuration",
                "delete_bucket_metrics_configuration", "list_bucket_metrics_configurations",
                "MetricsConfiguration", lambda i: {"Id": i, "Filter": {"Prefix": "img/"}}),
    "inventory": ("put_bucket_inventory_configuration", "get_bucket_inventory_configuration",
                  "delete_bucket_inventory_configuration", "list_bucket_inventory_configurations",
                  "InventoryConfiguration", lambda i: {
                      "Id": i, "IsEnabled": True, "IncludedObjectVersions": "All",
                      "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::dest", "Format": "CSV"}},
                      "Schedule": {"Frequency": "Daily"}}),
    "intelligent_tiering": ("put_bucket_intelligent_tiering_configuration", "get_bucket_intelligent_tiering_configuration",
                            "delete_bucket_intelligent_tiering_configuration",
                            "list_bucket_intelligent_tiering_configurations", "IntelligentTieringConfiguration",
                            lambda i: {"Id": i, "Status": "Enabled",
                                       "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}]}),
}


@pytest.mark.parametrize("kind", sorted(CONFIGS))
def test_id_configurations(s3, restart_check, kind):
    put, get, delete, lst, member, make = CONFIGS[kind]
    s3.create_bucket(Bucket="cfg")
    with pytest.raises(ClientError) as e:
        getattr(s3, get)(Bucket="cfg", Id="a")
    assert code(e) == "NoSuchConfiguration" and e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert member + "List" not in getattr(s3, lst)(Bucket="cfg")
    for i in ("b", "a"):
        getattr(s3, put)(Bucket="cfg", Id=i, **{member: make(i)})
    assert getattr(s3, get)(Bucket="cfg", Id="a")[member] == make("a")
    ids = restart_check(lambda: [c["Id"] for c in getattr(s3, lst)(Bucket="cfg")[member + "List"]])
    assert ids == ["a", "b"]
    getattr(s3, delete)(Bucket="cfg", Id="a")
    with pytest.raises(ClientError) as e:
        getattr(s3, delete)(Bucket="cfg", Id="a")
    assert code(e) == "NoSuchConfiguration"
    assert [c["Id"] for c in getattr(s3, lst)(Bucket="cfg")[member + "List"]] == ["b"]
    # The body's Id must be the one the query names.
    with pytest.raises(ClientError) as e:
        getattr(s3, put)(Bucket="cfg", Id="c", **{member: make("d")})
    assert code(e) == "InvalidArgument"


def test_metrics_configurations_page_by_100(s3):
    s3.create_bucket(Bucket="many")
    for i in range(105):
        s3.put_bucket_metrics_configuration(Bucket="many", Id=f"m{i:03}", MetricsConfiguration={"Id": f"m{i:03}"})
    first = s3.list_bucket_metrics_configurations(Bucket="many")
    assert first["IsTruncated"] and len(first["MetricsConfigurationList"]) == 100
    rest = s3.list_bucket_metrics_configurations(Bucket="many", ContinuationToken=first["NextContinuationToken"])
    assert not rest["IsTruncated"] and [c["Id"] for c in rest["MetricsConfigurationList"]] == [f"m{i:03}" for i in range(100, 105)]
