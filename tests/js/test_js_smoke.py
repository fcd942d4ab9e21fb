"""The AWS SDK for JavaScript v3 works against podstack unmodified (tests/js/smoke.mjs)."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from podstack_server import PodstackServer  # noqa: E402


@pytest.fixture
def server(tmp_path):
    s = PodstackServer(tmp_path / "data").start()
    yield s
    s.stop()


def ensure_node_modules():
    """Install the locked SDK if needed; skip only when it is missing and `npm ci` cannot install it."""
    if os.path.isdir(os.path.join(HERE, "node_modules")):
        return
    try:
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                           capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"node_modules missing and npm ci could not run: {e}")
    if r.returncode != 0:
        pytest.skip(f"node_modules missing and npm ci failed:\n{r.stderr[-2000:]}")


def run_script(server, script, marker):
    """Runs a tests/js script against the server; it must print `marker`; the state then survives a kill -9."""
    ensure_node_modules()
    r = subprocess.run(["node", script], cwd=HERE, env={**os.environ, "PODSTACK_ENDPOINT": server.endpoint},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert marker in r.stdout
    before = server.state_hash()
    server.crash_restart()
    assert server.state_hash() == before


def test_js_sdk_v3_smoke(server):
    """STS, SSM, Secrets Manager and S3 through the JS SDK v3; what it wrote survives a kill -9."""
    run_script(server, "smoke.mjs", "js smoke: ok")


def test_js_sdk_v3_sqs(server):
    """SQS through the JS SDK v3 (JSON protocol, MD5 checks in the SDK); the state survives a kill -9."""
    run_script(server, "sqs.mjs", "js sqs: ok")


def test_js_sdk_v3_sns_and_ses(server):
    """SNS (fan-out into SQS, envelope and raw) and SES v1/v2 through the JS SDK v3; the state survives a kill -9."""
    run_script(server, "notify.mjs", "js notify: ok")
