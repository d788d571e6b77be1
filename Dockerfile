# Ashyq production image: gunicorn serves the app and its static files (WhiteNoise);
# the same image runs the Celery worker and beat (see docker-compose.yml).

# --- build: dependencies, compiled translations, collected static files ----------------
# The steps themselves are deploy/build's, which CI runs too (.ci/run), so that what is
# built here is what CI proved builds.
FROM python:3.11-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/venv/bin:$PATH

# gettext: compilemessages turns locale/*.po into the .mo files Django reads.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The requirements first, in a layer of their own: a change to the code alone reuses it.
COPY requirements.txt constraints.txt ./
COPY deploy/build deploy/build
RUN deploy/build /venv requirements

COPY . .
# Production mode with throw-away secrets made by the script, never written to the image.
RUN deploy/build /venv assets

# --- runtime ---------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/venv/bin:$PATH \
    DJANGO_ENV=production \
    ASHYQ_VAR_DIR=/app/var

RUN groupadd --system --gid 10001 ashyq \
    && useradd --system --uid 10001 --gid ashyq --home-dir /app --no-create-home --shell /usr/sbin/nologin ashyq

COPY --from=build /venv /venv
WORKDIR /app
# Code and static files stay owned by root: the app user can read them, not change them.
COPY --from=build /app /app
# The only writable place: media uploads and runtime state (ASHYQ_VAR_DIR).
RUN mkdir -p /app/var/media && chown -R ashyq:ashyq /app/var

USER ashyq
EXPOSE 8000

# No --access-logfile: gunicorn's access log would print request URLs without the
# identifier masking that Django's logging applies (R-ID-5). gthread workers keep the
# proxy's connections alive between requests (the sync worker closes each one after
# its answer); docs/production.md says what the proxy must do for it.
CMD ["sh", "-c", "exec gunicorn ashyq.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --worker-class gthread --threads ${WEB_THREADS:-4} --keep-alive ${WEB_KEEPALIVE:-75}"]
