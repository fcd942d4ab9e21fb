"""The aws CLI (v2, Debian's awscli) against podstack: the README's own commands, across restarts."""

import pytest

from podstack_server import AWS_CLI, aws_json

pytestmark = pytest.mark.skipif(AWS_CLI is None, reason="aws CLI missing: tools/bootstrap.sh installs awscli")
aws = aws_json


def test_readme_commands_survive_restart_and_kill9(server):
    aws(server, "ssm", "put-parameter", "--name", "/app/db", "--value", "s3cret", "--type", "SecureString")
    aws(server, "secretsmanager", "create-secret", "--name", "app/api-key", "--secret-string", "abc")

    def read():
        p = aws(server, "ssm", "get-parameter", "--name", "/app/db", "--with-decryption")["Parameter"]
        s = aws(server, "secretsmanager", "get-secret-value", "--secret-id", "app/api-key")
        ident = aws(server, "sts", "get-caller-identity")
        return p["Value"], p["Version"], s["SecretString"], s["VersionId"], ident["Account"]

    before = read()
    assert before[0] == "s3cret" and before[2] == "abc" and before[4] == "000000000000"
    server.restart()
    assert read() == before
    server.crash_restart()
    assert read() == before


def test_dynamodb_table_and_items_through_the_cli(server, restart_check):
    """aws dynamodb create-table / put-item / update-item / query / scan, as the AWS docs show them; survives restarts."""
    aws(server, "dynamodb", "create-table", "--table-name", "Music", "--billing-mode", "PAY_PER_REQUEST",
        "--attribute-definitions", "AttributeName=Artist,AttributeType=S", "AttributeName=SongTitle,AttributeType=S",
        "--key-schema", "AttributeName=Artist,KeyType=HASH", "AttributeName=SongTitle,KeyType=RANGE")
    aws(server, "dynamodb", "put-item", "--table-name", "Music",
        "--item", '{"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Call Me Today"}, "Plays": {"N": "1"}}')
    out = aws(server, "dynamodb", "update-item", "--table-name", "Music",
              "--key", '{"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Call Me Today"}}',
              "--update-expression", "ADD Plays :one", "--expression-attribute-values", '{":one": {"N": "1"}}',
              "--return-values", "UPDATED_NEW")
    assert out["Attributes"] == {"Plays": {"N": "2"}}

    def read():
        q = aws(server, "dynamodb", "query", "--table-name", "Music", "--key-condition-expression", "Artist = :a",
                "--expression-attribute-values", '{":a": {"S": "No One You Know"}}')
        s = aws(server, "dynamodb", "scan", "--table-name", "Music", "--select", "COUNT")
        return q["Items"], s["Count"]
    items, count = restart_check(read)
    assert count == 1 and items[0]["Plays"] == {"N": "2"}
