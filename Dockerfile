# syntax=docker/dockerfile:1.7
# Both service images, one target each (they share every stage up to their own). Build from
# the repository root (the uv workspace and lock live there):
#   docker build --target agent --build-arg REVISION="$(git rev-parse HEAD)" -t coagents-travel-agent:local .
#   docker build --target ui --build-arg REVISION="$(git rev-parse HEAD)" -t coagents-travel-ui:local .
# BASE_IMAGE: the official Python image, pinned by digest (Renovate/Dependabot bump it). The
# test suite builds on a local Debian base instead (scripts/test-deps, tests/delivery).
# checkov:skip=CKV_DOCKER_7: FROM names the BASE_IMAGE argument, whose default is pinned by digest
ARG BASE_IMAGE=python:3.11-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b

# ---- manifests: only the files that decide the dependencies (uv.lock, every pyproject.toml),
# so the dependency layer below is rebuilt when one of them changes, not on every edit.
FROM ${BASE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name pyproject.toml ! -name uv.lock -delete \
    && find . -mindepth 1 -type d -empty -delete

# ---- build: uv and the manifests, for the stage of each service below --------------------
FROM ${BASE_IMAGE} AS build
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
# The same uv the workspace locks (root pyproject.toml), in its own venv: works on the
# official image and on Debian's python3 alike (no pip in the system interpreter there).
RUN python3 -m venv /opt/uv && /opt/uv/bin/pip install --no-cache-dir uv==0.13.9
WORKDIR /src
COPY --from=manifests /src ./

# ---- one service's locked dependencies first, then its package, into /opt/venv -----------
# --frozen: exactly uv.lock. The cache mount keeps uv's cache out of every layer.
# --no-editable: the package is copied into the venv, so the image needs only /opt/venv.
FROM build AS build-agent
RUN --mount=type=cache,target=/root/.cache/uv /opt/uv/bin/uv sync --frozen --no-dev --no-install-workspace --package travel-agent --extra tracing
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv /opt/uv/bin/uv sync --frozen --no-dev --no-editable --package travel-agent --extra tracing

FROM build AS build-ui
RUN --mount=type=cache,target=/root/.cache/uv /opt/uv/bin/uv sync --frozen --no-dev --no-install-workspace --package travel-ui --extra tracing
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv /opt/uv/bin/uv sync --frozen --no-dev --no-editable --package travel-ui --extra tracing

# ---- runtime: the interpreter and a non-root user; each service adds its venv -------------
FROM ${BASE_IMAGE} AS runtime
ARG SOURCE_URL=https://github.com/smpnet74/coagents-travel
ARG REVISION=unknown
LABEL org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT"

# A numeric non-root user; Kubernetes' runAsNonRoot can only verify numeric ids.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin app

# The root filesystem can be read-only: what a service writes goes to mounted volumes.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0
WORKDIR /app
# No curl in the image: the interpreter does the probe, on the service's PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/healthz' % os.environ['PORT'], timeout=4)"]

# ---- agent: writes only /data (SQLite when DATABASE_URL is unset) and /tmp -----------------
FROM runtime AS agent
LABEL org.opencontainers.image.title="travel-agent" \
      org.opencontainers.image.description="CoAgents Travel agent service (LangGraph over AG-UI)"
RUN mkdir -p /data && chown 10001:10001 /data
COPY --from=build-agent --chown=0:0 /opt/venv /opt/venv
ENV PORT=8000 \
    DATA_DIR=/data
USER 10001:10001
EXPOSE 8000
CMD ["travel-agent"]

# ---- ui: keeps no state (the thread id lives in a signed cookie), writes at most /tmp ------
FROM runtime AS ui
LABEL org.opencontainers.image.title="travel-ui" \
      org.opencontainers.image.description="CoAgents Travel ui service (server-rendered page, relays the agent stream)"
COPY --from=build-ui --chown=0:0 /opt/venv /opt/venv
ENV PORT=3000
USER 10001:10001
EXPOSE 3000
CMD ["travel-ui"]
