"""STS compatibility depth: credentials from AssumeRole switch the account,
partitions follow the region, the federation operations and their validation."""
import base64
import json

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::111111111111:role/r"


def assumed_client(server, service, creds, region="us-east-1"):
    return server.client(service, region=region, aws_access_key_id=creds["AccessKeyId"],
                         aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"])


def test_assumed_role_credentials_switch_the_account(server):
    r = server.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="sess")
    c = r["Credentials"]
    ident = assumed_client(server, "sts", c).get_caller_identity()
    assert ident["Account"] == "111111111111"
    assert ident["Arn"] == "arn:aws:sts::111111111111:assumed-role/r/sess"
    assert ident["UserId"] == r["AssumedRoleUser"]["AssumedRoleId"]
    assert ident["UserId"].startswith("AROA") and ident["UserId"].endswith(":sess")


def test_assumed_role_resources_land_in_the_role_account(server):
    c = server.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="sess")["Credentials"]
    sqs = assumed_client(server, "sqs", c)
    url = sqs.create_queue(QueueName="q-role")["QueueUrl"]
    assert "/111111111111/q-role" in url
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert arn == "arn:aws:sqs:us-east-1:111111111111:q-role"
    assert server.client("sqs").list_queues().get("QueueUrls", []) == []

    ssm = assumed_client(server, "ssm", c)
    ssm.put_parameter(Name="/role/p", Value="v", Type="String")
    p = ssm.get_parameter(Name="/role/p")["Parameter"]
    assert p["ARN"] == "arn:aws:ssm:us-east-1:111111111111:parameter/role/p"
    with pytest.raises(ClientError) as e:
        server.client("ssm").get_parameter(Name="/role/p")
    assert e.value.response["Error"]["Code"] == "ParameterNotFound"


def test_assumed_role_account_survives_a_restart(server):
    """The account is in the credentials themselves: nothing to look up, nothing lost on restart."""
    c = server.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="sess")["Credentials"]
    assumed_client(server, "ssm", c).put_parameter(Name="p", Value="v", Type="String")
    server.restart()
    assert assumed_client(server, "sts", c).get_caller_identity()["Account"] == "111111111111"
    assert assumed_client(server, "ssm", c).get_parameter(Name="p")["Parameter"]["Value"] == "v"


def test_session_token_without_assume_role_keeps_default_account(server):
    """An ASIA key with a token podstack did not issue (real AWS credentials) stays in the default account."""
    ident = server.client("sts", aws_access_key_id="ASIAY34FZKBOKMUTVV7A",
                          aws_session_token="IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ").get_caller_identity()
    assert ident["Account"] == "000000000000"


def test_get_access_key_info_decodes_the_account(server):
    sts = server.client("sts")
    # AWS's own documented example pair: the key id encodes its account.
    assert sts.get_access_key_info(AccessKeyId="ASIAY34FZKBOKMUTVV7A")["Account"] == "609629065308"
    c = sts.assume_role(RoleArn=ROLE, RoleSessionName="sess")["Credentials"]
    assert sts.get_access_key_info(AccessKeyId=c["AccessKeyId"])["Account"] == "111111111111"


# ---- item: the partition follows the region ----

@pytest.mark.parametrize("region,partition", [("us-east-1", "aws"), ("cn-north-1", "aws-cn"),
                                              ("us-gov-west-1", "aws-us-gov")])
def test_partition_follows_the_region(server, region, partition):
    sts = server.client("sts", region=region)
    assert sts.get_caller_identity()["Arn"] == f"arn:{partition}:iam::000000000000:root"
    r = sts.assume_role(RoleArn=f"arn:{partition}:iam::111111111111:role/r", RoleSessionName="sess")
    assert r["AssumedRoleUser"]["Arn"] == f"arn:{partition}:sts::111111111111:assumed-role/r/sess"
    f = sts.get_federation_token(Name="bob")["FederatedUser"]
    assert f["Arn"] == f"arn:{partition}:sts::000000000000:federated-user/bob"


# ---- item: the federation operations ----

def _b64url(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def test_assume_role_with_web_identity_reports_the_token_claims(server):
    token = ".".join([_b64url({"alg": "RS256", "typ": "JWT"}),
                      _b64url({"sub": "user-123", "aud": "my-client", "iss": "https://idp.example.com"}), "sig"])
    r = server.client("sts").assume_role_with_web_identity(
        RoleArn="arn:aws:iam::111111111111:role/web", RoleSessionName="web_token", WebIdentityToken=token)
    assert r["SubjectFromWebIdentityToken"] == "user-123"
    assert r["Audience"] == "my-client"
    assert r["Provider"] == "https://idp.example.com"
    assert r["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111111111111:assumed-role/web/web_token"
    assert r["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA")
    assert r["AssumedRoleUser"]["AssumedRoleId"].endswith(":web_token")
    ident = assumed_client(server, "sts", r["Credentials"]).get_caller_identity()
    assert ident["Arn"] == r["AssumedRoleUser"]["Arn"] and ident["Account"] == "111111111111"


def test_assume_role_with_web_identity_opaque_token_and_provider_id(server):
    r = server.client("sts").assume_role_with_web_identity(
        RoleArn="arn:aws:iam::000000000000:role/rd_role", RoleSessionName="web_token",
        WebIdentityToken="token", ProviderId="www.amazon.com")
    assert r["Provider"] == "www.amazon.com"
    assert "SubjectFromWebIdentityToken" not in r
    assert r["AssumedRoleUser"]["AssumedRoleId"].split(":")[1] == "web_token"


SAML = """<?xml version="1.0"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0"
    IssueInstant="2012-01-01T12:00:00.000Z" Destination="https://signin.aws.amazon.com/saml">
  <Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">http://localhost/</Issuer>
  <Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="_2" Version="2.0">
    <Issuer>http://localhost:3000/</Issuer>
    <Subject>
      <NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">7ca82df9-1bad-4dd3-9b2b-adb68b554282</NameID>
      <SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <SubjectConfirmationData NotOnOrAfter="2012-01-01T13:00:00.000Z" Recipient="https://signin.aws.amazon.com/saml"/>
      </SubjectConfirmation>
    </Subject>
    <Conditions><AudienceRestriction><Audience>urn:amazon:webservices</Audience></AudienceRestriction></Conditions>
    <AttributeStatement>
      <Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><AttributeValue>testuser</AttributeValue></Attribute>
      <Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration"><AttributeValue>900</AttributeValue></Attribute>
    </AttributeStatement>
  </Assertion>
</samlp:Response>"""


def test_assume_role_with_saml_reads_the_assertion(server):
    import datetime
    import hashlib
    r = server.client("sts").assume_role_with_saml(
        RoleArn="arn:aws:iam::111111111111:role/test-role",
        PrincipalArn="arn:aws:iam::111111111111:saml-provider/TestProvFed",
        SAMLAssertion=base64.b64encode(SAML.encode()).decode())
    assert r["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111111111111:assumed-role/test-role/testuser"
    assert r["AssumedRoleUser"]["AssumedRoleId"].endswith(":testuser")
    assert r["Subject"] == "7ca82df9-1bad-4dd3-9b2b-adb68b554282"
    assert r["SubjectType"] == "persistent"
    assert r["Issuer"] == "http://localhost:3000/"
    assert r["Audience"] == "https://signin.aws.amazon.com/saml"
    assert r["NameQualifier"] == base64.b64encode(
        hashlib.sha1(b"http://localhost:3000/111111111111/TestProvFed").digest()).decode()
    remaining = (r["Credentials"]["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 800 < remaining <= 901  # the assertion's SessionDuration


def test_get_federation_token(server):
    sts = server.client("sts", aws_access_key_id="111111111111")
    r = sts.get_federation_token(Name="TestName", DurationSeconds=900)
    assert r["FederatedUser"] == {"FederatedUserId": "111111111111:TestName",
                                  "Arn": "arn:aws:sts::111111111111:federated-user/TestName"}
    ident = assumed_client(server, "sts", r["Credentials"]).get_caller_identity()
    assert ident == {**ident, "Account": "111111111111", "UserId": "111111111111:TestName",
                     "Arn": "arn:aws:sts::111111111111:federated-user/TestName"}


def raw_client(server):
    """A client that leaves validation to the server."""
    from botocore.config import Config
    import boto3.session
    return boto3.session.Session().client(
        "sts", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))


def _error(call):
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"], \
        e.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_validation_errors_use_aws_messages(server):
    sts = raw_client(server)
    assert _error(lambda: sts.assume_role(RoleArn=ROLE, RoleSessionName="Session1:2")) == (
        "ValidationError", "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", 400)
    assert _error(lambda: sts.assume_role(RoleArn=ROLE, RoleSessionName="s" * 65)) == (
        "ValidationError", "1 validation error detected: Value '" + "s" * 65 + "' at 'roleSessionName' failed to "
        "satisfy constraint: Member must have length less than or equal to 64", 400)
    assert _error(lambda: sts.assume_role(RoleArn="nothing-valid-in-here", RoleSessionName="s1")) == (
        "ValidationError", "nothing-valid-in-here is invalid", 400)
    assert _error(lambda: sts.assume_role(RoleArn="arn:a:a::aaaaaaaaaa:", RoleSessionName="s1")) == (
        "ValidationError", "arn:a:a::aaaaaaaaaa: is invalid", 400)
    assert _error(lambda: sts.assume_role(RoleArn=ROLE, RoleSessionName="s1", DurationSeconds=899)) == (
        "ValidationError", "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value greater than or equal to 900", 400)
    assert _error(lambda: sts.get_federation_token(Name="b")) == (
        "ValidationError", "1 validation error detected: Value 'b' at 'name' failed to satisfy constraint: "
        "Member must have length greater than or equal to 2", 400)
    assert _error(lambda: sts.get_federation_token(Name="x" * 33)) == (
        "ValidationError", "1 validation error detected: Value '" + "x" * 33 + "' at 'name' failed to satisfy "
        "constraint: Member must have length less than or equal to 32", 400)
    assert _error(lambda: sts.get_federation_token(Name="bob smith")) == (
        "ValidationError", "1 validation error detected: Value 'bob smith' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]*", 400)
    assert _error(lambda: sts.get_federation_token(Name="bob", DurationSeconds=129601)) == (
        "ValidationError", "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value less than or equal to 129600", 400)
    assert _error(lambda: sts.get_session_token(DurationSeconds=100)) == (
        "ValidationError", "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value greater than or equal to 900", 400)


# ---- the partition of every service's ARNs, not only STS's ----
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html: "aws-cn" for China regions,
# "aws-us-gov" for GovCloud; each service's ARN format (SQS QueueArn, SNS TopicArn and platform
# applications, DynamoDB TableArn, Secrets Manager ARN, SQS/SNS AddPermission principals) names it.

@pytest.mark.parametrize("region,partition", [("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")])
def test_every_service_arn_names_the_partition(server, region, partition):
    prefix = f"arn:{partition}:"
    sqs = server.client("sqs", region=region)
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"] == \
        f"{prefix}sqs:{region}:000000000000:q"
    sqs.add_permission(QueueUrl=url, Label="l", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy["Statement"][0]["Principal"] == {"AWS": f"{prefix}iam::111122223333:root"}

    sns = server.client("sns", region=region)
    topic = sns.create_topic(Name="t")["TopicArn"]
    assert topic == f"{prefix}sns:{region}:000000000000:t"
    sns.add_permission(TopicArn=topic, Label="l", AWSAccountId=["111122223333"], ActionName=["Publish"])
    st = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])["Statement"]
    assert {"AWS": f"{prefix}iam::111122223333:root"} in [s["Principal"] for s in st]
    app = sns.create_platform_application(Name="app", Platform="GCM", Attributes={"PlatformCredential": "k"})
    assert app["PlatformApplicationArn"].startswith(f"{prefix}sns:{region}:")

    ddb = server.client("dynamodb", region=region)
    t = ddb.create_table(TableName="tbl", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    arn = t["TableDescription"]["TableArn"]
    assert arn == f"{prefix}dynamodb:{region}:000000000000:table/tbl"
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]

    sm = server.client("secretsmanager", region=region)
    assert sm.create_secret(Name="s", SecretString="x")["ARN"].startswith(f"{prefix}secretsmanager:{region}:000000000000:secret:s-")
