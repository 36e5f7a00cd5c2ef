# Triage: `docker build -t triage .` then `docker compose -f deploy/compose.yaml up`.
# Non-root, state in the /data volume, HEALTHCHECK on /readyz. No network needed at run time:
# the embedding model and its tokenizer are inside the image.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE NOTICE ./
COPY agent ./agent
COPY knowledge ./knowledge
COPY tools ./tools
COPY evals ./evals
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 \
    TRIAGE_HOME=/data TRIAGE_HOST=0.0.0.0 TRIAGE_PORT=8080
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin triage \
    && mkdir -p /data && chown triage:triage /data
COPY --from=build /wheels /wheels
RUN pip install --no-index --find-links /wheels triage && rm -rf /wheels
COPY deploy/entrypoint.sh /usr/local/bin/triage-entrypoint
USER triage
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["triage-entrypoint", "healthcheck"]
ENTRYPOINT ["triage-entrypoint"]
CMD ["serve"]
