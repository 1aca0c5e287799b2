# Damrongdham Chat: one image with Debian's Prosody and the Python stack.
# docker-compose.yml runs it three times with different commands (prosody: `up --no-bot
# --no-web`, bot, web) next to PostgreSQL; `docker run IMAGE` alone runs the whole stack
# (`up`: Prosody, bot and web in one container, SQLite in /data).
# Build: docker compose build   (see docker-compose.yml, .env.example, docs/scaling.md)
FROM debian:bookworm-slim

RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       prosody lua-dbi-sqlite3 lua-dbi-postgresql python3 python3-venv nodejs npm \
       ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/damrongdham
COPY pyproject.toml README.md ./
COPY kernel kernel
COPY casestore casestore
COPY bots bots
COPY bridge bridge
COPY provisioning provisioning
COPY web web
# The web chat's JavaScript libraries, from the npm registry at build time (never at run time).
RUN if [ -f web/package.json ]; then cd web && npm ci --omit=dev --no-audit --no-fund; fi
COPY damrongdham damrongdham
# the bench and chaos harness behind `damrongdham bench` and `damrongdham chaos`
COPY devtools devtools
COPY prosody prosody
# The citizens' guide served at /guide.pdf; an editable install keeps web/node_modules and
# docs/ where the app looks for them (next to the packages).
COPY docs/citizen-guide.pdf docs/citizen-guide.pdf
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -e .

ENV PATH=/opt/venv/bin:$PATH \
    PYTHAINLP_OFFLINE=1 \
    PYTHAINLP_DATA=/data/pythainlp
VOLUME ["/data"]
# c2s, HTTP (BOSH, websocket, uploads), web; 5269 only for federation (docs/scaling.md)
EXPOSE 5222 5280 8080 5269
ENTRYPOINT ["damrongdham"]
CMD ["up", "--data-dir", "/data", "--listen", "0.0.0.0"]
