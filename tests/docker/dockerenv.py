"""What the docker tests share: whether Docker can run here, `docker …` with a clear failure, building a
podstack image from the binary this suite built, and polling with a deadline."""
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
from podstack_server import BIN, REPO  # noqa: E402,F401


def docker_unavailable():
    if not shutil.which("docker"):
        return "no docker command (./tools/docker_setup.sh installs and starts Docker)"
    r = subprocess.run(["docker", "info"], capture_output=True, text=True)
    if r.returncode != 0:
        return "the Docker daemon does not answer (./tools/docker_setup.sh starts it): " + r.stderr.strip()[-200:]
    return None


def docker(*args, check=True, timeout=300):
    r = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r


def build_image(tag, hooks=False):
    """podstack's runtime image from the binary this suite just built (tools/docker_image.sh --prebuilt): seconds.
    With hooks, also its hooks variant, tagged tag + "-hooks" (the aws CLI and awslocal: about a minute more)."""
    r = subprocess.run([os.path.join(REPO, "tools", "docker_image.sh"), "--prebuilt", BIN, "--tag", tag,
                        *([] if hooks else ["--no-hooks"])], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    print(r.stdout.strip())
    return tag


def poll(cond, timeout, what, interval=0.25):
    """Polls cond() until it returns something truthy (returned), failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
