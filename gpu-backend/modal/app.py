"""edgeclip's GPU backend on Modal.

Modal defines apps in Python; the server itself stays the TypeScript service in gpu-backend/src.
This file only describes where it runs: a CUDA image with Node 22 and the built backend, the model
files in a Volume, one web server per container behind Modal proxy auth, and a function for bulk
jobs that the gateway's ModalBackend calls through the Modal JS SDK.

    modal run gpu-backend/modal/app.py::fill_model_volume   # once: model files into the Volume
    modal deploy gpu-backend/modal/app.py                   # the web server and embed_batch

See docs/backend-modal.md for secrets, gateway settings, cold starts and cost.
"""

import os
import pathlib
import subprocess
import threading
import time
import urllib.error
import urllib.request

import modal

APP_NAME = "edgeclip-backend"
BATCH_FUNCTION = "embed_batch"
PORT = 8788
BATCH_PATH = "/internal/v1/batch"  # core's BACKEND_BATCH_PATH
MODEL_VOLUME = "edgeclip-models"
MODEL_MOUNT = "/models"
MODEL_DIR = f"{MODEL_MOUNT}/jina-clip-v1"
SECRET_NAME = "edgeclip-backend"  # holds BACKEND_SECRET

# Deploy-time knobs: L4 (24 GB, cheap) fits both towers in fp16 with room for large batches; an
# H100 pays off only when sustained load keeps it busy.
GPU = os.environ.get("EDGECLIP_MODAL_GPU", "L4")
MIN_CONTAINERS = int(os.environ.get("EDGECLIP_MODAL_MIN_CONTAINERS", "0"))
SCALEDOWN_WINDOW_SECONDS = int(os.environ.get("EDGECLIP_MODAL_SCALEDOWN_SECONDS", "300"))
# One container takes many requests at once so its Node batcher can merge them into one session.run.
MAX_CONCURRENT_INPUTS = int(os.environ.get("EDGECLIP_MODAL_MAX_INPUTS", "64"))
STARTUP_TIMEOUT_SECONDS = 600  # model read from the Volume, CUDA session creation and warm-up

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
APP_DIR = "/app"

image = (
    # CUDA 12 + cuDNN 9: what onnxruntime-node's CUDA provider links against.
    modal.Image.from_registry("nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04", add_python="3.12")
    .apt_install("curl", "ca-certificates", "gnupg")
    .run_commands(
        "curl -fsSL https://deb.nodesource.com/setup_22.x | bash -",
        "apt-get install -y nodejs",
        "npm install -g pnpm@12",
    )
    .add_local_dir(
        REPO_ROOT,
        APP_DIR,
        copy=True,
        ignore=["**/node_modules", ".git", "**/.edgeclip", "**/.wrangler", "**/dist", "bench/results"],
    )
    .run_commands(
        f"cd {APP_DIR} && ONNXRUNTIME_NODE_INSTALL=skip pnpm install --frozen-lockfile"
        " --filter '@edgeclip/gpu-backend...' --filter '@edgeclip/cli...'",
        # The CUDA build of onnxruntime-node is a separate download (its install script is off in CI).
        f"cd {APP_DIR} && pnpm --filter @edgeclip/gpu-backend setup:cuda",
    )
    .env(
        {
            "HOST": "0.0.0.0",
            "PORT": str(PORT),
            "EDGECLIP_MODEL_DIR": MODEL_DIR,
            "EDGECLIP_BACKEND_PROVIDER": "cuda",
            "NODE_ENV": "production",
        }
    )
)

model_volume = modal.Volume.from_name(MODEL_VOLUME, create_if_missing=True)
backend_secret = modal.Secret.from_name(SECRET_NAME)
app = modal.App(APP_NAME, image=image)

_server_lock = threading.Lock()
_server: subprocess.Popen | None = None


def _start_backend() -> subprocess.Popen:
    """Starts the Node backend once per container; later callers reuse it."""
    global _server
    with _server_lock:
        if _server is None or _server.poll() is not None:
            _server = subprocess.Popen(
                ["pnpm", "--filter", "@edgeclip/gpu-backend", "start"], cwd=APP_DIR, env=os.environ.copy()
            )
        return _server


def _wait_ready(timeout_seconds: float) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"the backend was not ready within {timeout_seconds} s")


@app.function(volumes={MODEL_MOUNT: model_volume}, timeout=3600)
def fill_model_volume() -> None:
    """Fetches jina-clip-v1 at its pinned revision into the Volume (resumable, checksummed)."""
    subprocess.run(["pnpm", "edgeclip", "model", "fetch", "--dir", MODEL_DIR], cwd=APP_DIR, check=True)
    model_volume.commit()


@app.function(
    gpu=GPU,
    volumes={MODEL_MOUNT: model_volume},
    secrets=[backend_secret],
    min_containers=MIN_CONTAINERS,
    scaledown_window=SCALEDOWN_WINDOW_SECONDS,
    timeout=600,
)
@modal.concurrent(max_inputs=MAX_CONCURRENT_INPUTS)
@modal.web_server(port=PORT, startup_timeout=STARTUP_TIMEOUT_SECONDS, requires_proxy_auth=True)
def serve() -> None:
    """The HTTP backend (HttpBackend with MODAL_URL): Modal checks Modal-Key/Modal-Secret, Node the bearer."""
    _start_backend()
    # Node listens before its model is loaded; holding here keeps Modal from routing to a cold tower.
    _wait_ready(STARTUP_TIMEOUT_SECONDS)


@app.function(
    gpu=GPU,
    volumes={MODEL_MOUNT: model_volume},
    secrets=[backend_secret],
    min_containers=0,
    scaledown_window=SCALEDOWN_WINDOW_SECONDS,
    timeout=600,
)
@modal.concurrent(max_inputs=MAX_CONCURRENT_INPUTS)
def embed_batch(frame: bytes) -> bytes:
    """Bulk jobs through the Modal JS SDK (ModalBackend): an ECB1 request frame in, the response frame out."""
    _start_backend()
    _wait_ready(STARTUP_TIMEOUT_SECONDS)
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{BATCH_PATH}",
        data=frame,
        method="POST",
        headers={
            "content-type": "application/vnd.edgeclip.batch",
            "authorization": f"Bearer {os.environ['BACKEND_SECRET']}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        # Whole-request failures (overload, bad frame) surface to the caller as an exception.
        raise RuntimeError(f"backend answered HTTP {error.code}: {error.read()[:500]!r}") from error
