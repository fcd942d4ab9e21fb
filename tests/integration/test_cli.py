"""The aws CLI (v2, Debian's awscli) against podstack: the README's own commands, across restarts."""
import json
import os
import shutil
import subprocess

import pytest

AWS = shutil.which("aws")
pytestmark = pytest.mark.skipif(AWS is None, reason="aws CLI missing: tools/bootstrap.sh installs awscli")


def aws(server, *args):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_PAGER": "", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    r = subprocess.run([AWS, "--endpoint-url", server.endpoint, "--output", "json", *args],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout) if r.stdout.strip() else None


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
