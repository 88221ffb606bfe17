# syntax=docker/dockerfile:1
# PeerPath's gateway (Starlette + uvicorn, Python 3.11): every channel, the
# hand-off queue, the crisis safety net, search and the web pages. The
# knowledge index and the safety net's classifier are built while the image is
# built. Build from the repository root:
#
#   docker build --platform linux/amd64 -f deploy/docker/gateway.Dockerfile \
#     -t REGISTRY/peerpath/gateway:TAG .

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

# --- The knowledge index and the safety classifier, built once here ---------
FROM venv AS build
ENV PATH=/opt/venv/bin:$PATH \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1
WORKDIR /app
COPY peerpath/ peerpath/
COPY bot/ bot/
COPY knowledge/ knowledge/
# The safety net's classifier is trained on bot/safety/examples.yml and
# Rasa's NLU data; at start-up the gateway hashes both to check the saved
# classifier is current, so data/nlu/ ships in the image too.
COPY data/nlu/ data/nlu/
# The index is opened under a lock file beside it (peerpath/search/service.py).
# The image is read-only at run time, so that lock lives in /tmp.
RUN python -m peerpath index \
 && rm var/index.lock \
 && ln -s /tmp/peerpath-index.lock var/index.lock \
 && python -c "from pathlib import Path; \
from bot.safety import SafetyNet; \
from peerpath.search.embedder import Embedder; \
SafetyNet.open(Path('var/safety'), Embedder(), Path('data/nlu'))"

# --- What runs ---------------------------------------------------------------
FROM python:3.11.14-slim-bookworm
# wamerican: the English word list search's typo repair leaves alone;
# postgresql-client: pg_dump / pg_restore for `python -m bot backup|restore`
RUN apt-get update && apt-get install -y --no-install-recommends wamerican postgresql-client \
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
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8080
USER 10001:10001
EXPOSE 8080
# Liveness, not /health: the gateway keeps answering (crisis replies, hand-offs)
# while Rasa is down, and must not be restarted for it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('GATEWAY_PORT', '8080'), timeout=4)"]
CMD ["python", "-m", "bot"]
