"""SSM DescribeParameters / GetParametersByPath filter validation: AWS's
InvalidFilterKey / InvalidFilterOption / InvalidFilterValue / ValidationException
and their messages (moto's tests of _validate_parameter_filters record them)."""
import pytest
from botocore.exceptions import ClientError

PATH_RULES = ('The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a '
              'forward slash "/". It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only '
              'letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters '
              'are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". '
              'Valid example: /get/parameters2-/by1./path0_.')


@pytest.fixture
def ssm(server):
    from botocore.config import Config
    import boto3.session
    # parameter_validation off: some cases (a key not matching its pattern) boto3 would let through anyway,
    # others it would refuse before sending.
    return boto3.session.Session().client(
        "ssm", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))


def err(call):
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


@pytest.mark.parametrize("filters,code,message", [
    ([{"Key": "Label", "Values": ["x"]}], "InvalidFilterKey",
     "The following filter key is not valid: Label. Valid filter keys include: [Path, Name, Type, KeyId, Tier]."),
    ([{"Key": "Name"}], "InvalidFilterValue", "The following filter values are missing : null for filter key Name."),
    ([{"Key": "Type"}], "InvalidFilterValue", "The following filter values are missing : null for filter key Type."),
    ([{"Key": "Name", "Values": ["test"]}, {"Key": "Name", "Values": ["test test"]}], "InvalidFilterKey",
     "The following filter is duplicated in the request: Name. A request can contain only one occurrence of a "
     "specific filter."),
    ([{"Key": "Path", "Values": ["/###"]}], "ValidationException", PATH_RULES),
    ([{"Key": "Path", "Values": ["//"]}], "ValidationException", PATH_RULES),
    ([{"Key": "Path", "Values": ["test"]}], "ValidationException", PATH_RULES),
    ([{"Key": "Path", "Values": ["/aws", "/ssm"]}], "ValidationException",
     'Filters for common parameters can\'t be prefixed with "aws" or "ssm" (case-insensitive). When using global '
     'parameters, please specify within a global namespace.'),
    ([{"Key": "Path", "Option": "Equals", "Values": ["test"]}], "InvalidFilterOption",
     "The following filter option is not valid: Equals. Valid options include: [Recursive, OneLevel]."),
    ([{"Key": "Tier", "Values": ["test"]}], "InvalidFilterValue",
     "The following filter value is not valid: test. Valid values include: [Standard, Advanced, Intelligent-Tiering]."),
    ([{"Key": "Type", "Values": ["test"]}], "InvalidFilterValue",
     "The following filter value is not valid: test. Valid values include: [String, StringList, SecureString]."),
    ([{"Key": "Name", "Option": "option", "Values": ["test"]}], "InvalidFilterOption",
     "The following filter option is not valid: option. Valid options include: [BeginsWith, Equals]."),
    ([{"Key": "Type", "Option": "Contains", "Values": ["String"]}], "InvalidFilterOption",
     "The following filter option is not valid: Contains. Valid options include: [BeginsWith, Equals]."),
    ([{"Key": "key", "Values": ["x"]}], "ValidationException",
     '1 validation error detected: Value "key" at "parameterFilters.1.member.key" failed to satisfy constraint: '
     'Member must satisfy regular expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType'),
])
def test_describe_parameters_filter_errors(ssm, filters, code, message):
    assert err(lambda: ssm.describe_parameters(ParameterFilters=filters)) == (code, message)


def test_filters_and_parameter_filters_together(ssm):
    assert err(lambda: ssm.describe_parameters(Filters=[{"Key": "Type", "Values": ["String"]}],
                                               ParameterFilters=[{"Key": "Type", "Values": ["String"]}])) == (
        "ValidationException", "You can use either Filters or ParameterFilters in a single request.")


@pytest.mark.parametrize("key", ["Name", "Path", "Tier"])
def test_get_parameters_by_path_filter_keys(ssm, key):
    assert err(lambda: ssm.get_parameters_by_path(Path="/p", ParameterFilters=[{"Key": key, "Values": ["/x"]}])) == (
        "InvalidFilterKey", f"The following filter key is not valid: {key}. Valid filter keys include: [Type, KeyId].")


def test_valid_filters_still_match(ssm):
    ssm.put_parameter(Name="/a/b", Value="1", Type="String", Tier="Standard")
    ssm.put_parameter(Name="/a/c/d", Value="1", Type="SecureString")
    names = lambda **kw: sorted(p["Name"] for p in ssm.describe_parameters(**kw)["Parameters"])  # noqa: E731
    assert names(ParameterFilters=[{"Key": "Path", "Values": ["/a"]}]) == ["/a/b"]
    assert names(ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": ["/a"]}]) == ["/a/b", "/a/c/d"]
    assert names(ParameterFilters=[{"Key": "Tier", "Values": ["Standard"]}]) == ["/a/b", "/a/c/d"]
    assert names(ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}]) == ["/a/c/d"]
    assert names(ParameterFilters=[{"Key": "Name", "Option": "Contains", "Values": ["c/d"]}]) == ["/a/c/d"]
    assert names(ParameterFilters=[{"Key": "tag:team"}]) == []


@pytest.mark.parametrize("region,partition", [("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")])
def test_parameter_arn_partition_follows_the_region(server, region, partition):
    ssm = server.client("ssm", region=region)
    ssm.put_parameter(Name="/x", Value="1", Type="String")
    assert ssm.get_parameter(Name="/x")["Parameter"]["ARN"] == f"arn:{partition}:ssm:{region}:000000000000:parameter/x"
    assert ssm.get_parameter(Name=f"arn:{partition}:ssm:{region}:000000000000:parameter/x")["Parameter"]["Value"] == "1"
    assert ssm.describe_parameters()["Parameters"][0]["LastModifiedUser"] == f"arn:{partition}:iam::000000000000:root"
