# syntax=docker/dockerfile:1
# PeerPath's action server (rasa-sdk, Python 3.11), with the knowledge index
# built while the image is built. Build from the repository root:
#
#   docker build --platform linux/amd64 -f deploy/docker/actions.Dockerfile \
#     -t REGISTRY/peerpath/actions:TAG .
#
# It runs beside each Rasa replica (same pod); Rasa calls it on localhost.

# --- The app venv: torch's CPU build first, then the pinned requirements -----
FROM python:3.11.14-slim-bookworm AS venv
RUN python -m venv /opt/venv
COPY requirements/app.txt /tmp/requirements/app.txt
# From PyPI, torch would be a CUDA build of several GB. app.txt pins
# torch==2.13.0, which the CPU build (2.13.0+cpu) satisfies, so pip keeps it;
# its dependencies are pinned in app.txt. Test and lint tools stay out.
RUN /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps \
        torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
 && grep -vE '^(playwright|pytest|pytest-asyncio|ruff|kubernetes-validate)==' /tmp/requirements/app.txt \
        > /tmp/requirements/runtime.txt \
 && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check \
        -r /tmp/requirements/runtime.txt \
 && /opt/venv/bin/pip check

# --- The knowledge index, built once here -----------------------------------
FROM venv AS build
ENV PATH=/opt/venv/bin:$PATH \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1
WORKDIR /app
COPY peerpath/ peerpath/
COPY actions/ actions/
COPY knowledge/ knowledge/
# The index is opened under a lock file beside it (peerpath/search/service.py).
# The image is read-only at run time, so that lock lives in /tmp.
RUN python -m peerpath index \
 && rm var/index.lock \
 && ln -s /tmp/peerpath-index.lock var/index.lock

# --- What runs ---------------------------------------------------------------
FROM python:3.11.14-slim-bookworm
# wamerican: the English word list search's typo repair leaves alone
RUN apt-get update && apt-get install -y --no-install-recommends wamerican \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 peerpath \
 && useradd --system --uid 10001 --gid peerpath --no-log-init \
        --create-home --home-dir /home/peerpath --shell /usr/sbin/nologin peerpath
COPY --from=venv /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    HOME=/home/peerpath \
    PYTHONUNBUFFERED=1 \
    OPENBLAS_NUM_THREADS=1 \
    MKL_NUM_THREADS=1 \
    OMP_NUM_THREADS=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    ACTION_SERVER_HOST=0.0.0.0 \
    ACTION_SERVER_PORT=5055
USER 10001:10001
EXPOSE 5055
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('ACTION_SERVER_PORT', '5055'), timeout=4)"]
CMD ["python", "-m", "actions"]
