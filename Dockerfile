# hotline-router service image. Asterisk, Redis and Mosquitto run beside it (deploy/compose.yaml).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE constraints.txt ./
COPY router ./router
COPY skills ./skills
COPY metrics ./metrics
# the same pinned versions as `make` and CI install
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin hotline
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels \
    && install -d -o hotline -g hotline -m 0750 /var/lib/hotline-router
# the ticket store (and the recordings to come): mount a volume here
VOLUME /var/lib/hotline-router
ARG HOTLINE_ROUTER_COMMIT=unknown
USER hotline
# the system allocator + malloc_trim after peaks: memory goes back after a busy hour
ENV PYTHONMALLOC=malloc \
    ROUTER_LOG__FORMAT=json \
    ROUTER_SERVICE__HEALTH_FILE=/tmp/hotline-router.health \
    ROUTER_TICKETS__DB_PATH=/var/lib/hotline-router/tickets.sqlite3 \
    HOTLINE_ROUTER_COMMIT=${HOTLINE_ROUTER_COMMIT} \
    ROUTER_SECRETS_DIR=/run/secrets
# the service refreshes its health file every few seconds; stale or AMI down = unhealthy
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "router", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["python", "-m", "router"]
CMD ["run", "--config", "/etc/hotline-router/router.yaml"]
