"""Testcontainers' LocalStack module for Node starts podstack's image unmodified and S3 and SQS work through
the AWS SDK v3 (tests/docker/testcontainers/localstack.mjs); its wait strategy (the "Ready" log line) returns
only once podstack is ready, ready.d hooks included.

Runs in the `docker` ctest entry beside test_image.py, on the image built from the binary this suite built.
No registry is reachable, so Ryuk (Testcontainers' reaper, pulled from Docker Hub) is disabled and this test
removes what the script started itself: every container carries a label unique to the run, and none may be
left after a passing run. Skipped, with the reason, only when Docker cannot run here; a missing Node module
is installed with `npm ci` from the committed lock file (tools/test.sh does so too) and a failing install fails.
"""
import os
import subprocess
import uuid

import pytest

from dockerenv import build_image, docker, docker_unavailable

reason = docker_unavailable()
if reason:
    print(f"SKIPPED docker tests: {reason}")
    pytest.skip(reason, allow_module_level=True)

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testcontainers")
IMAGE = os.environ.get("PODSTACK_TEST_IMAGE", "podstack:test")


def ensure_node_modules():
    if os.path.isdir(os.path.join(HERE, "node_modules")):
        return
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, "npm ci in tests/docker/testcontainers failed:\n" + r.stderr[-2000:]


def labelled(run):
    return docker("ps", "-aq", "--filter", f"label=podstack.test.run={run}").stdout.split()


def test_localstack_module_starts_the_image_unmodified():
    ensure_node_modules()
    build_image(IMAGE)
    run = uuid.uuid4().hex[:10]
    env = {**os.environ, "PODSTACK_TEST_IMAGE": IMAGE, "PODSTACK_TEST_RUN": run,
           "TESTCONTAINERS_RYUK_DISABLED": "true"}
    try:
        r = subprocess.run(["node", "localstack.mjs"], cwd=HERE, env=env, capture_output=True, text=True,
                           timeout=300)
        print(r.stdout.strip())
        left = labelled(run)
        for cid in left:  # a failed run keeps its (stopped) container for this log
            logs = docker("logs", cid, check=False)
            print(f"--- log of {cid} ---\n{logs.stdout}{logs.stderr}")
        assert r.returncode == 0 and "testcontainers: ok" in r.stdout, r.stdout + r.stderr
        assert not left, f"the script left containers behind: {left}"
    finally:
        for cid in labelled(run):
            docker("rm", "-f", "-v", cid, check=False)
