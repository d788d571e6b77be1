# Ashyq production image: gunicorn serves the app and its static files (WhiteNoise);
# the same image runs the Celery worker and beat (see docker-compose.yml).

# --- build: dependencies, compiled translations, collected static files ----------------
FROM python:3.11-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/venv/bin:$PATH

# gettext: compilemessages turns locale/*.po into the .mo files Django reads.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /venv
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt

WORKDIR /app
COPY . .

# Production settings refuse to load without their secrets, so this one step gets
# throw-away ones, generated here and never written to the image: collectstatic and
# compilemessages read no key, and the real ones come from the environment at run time.
RUN export DJANGO_ENV=production ASHYQ_VAR_DIR=/tmp/build-var ALLOWED_HOSTS=build.invalid \
    && export SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    && export IIN_ENCRYPTION_KEY="$(python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
    && export IIN_INDEX_KEY="$(python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
    && export QR_SIGNING_KEY="$(python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
    && if find . -name '*.po' | grep -q .; then python manage.py compilemessages -v 0; fi \
    && python manage.py collectstatic --no-input -v 0 \
    && rm -rf /tmp/build-var

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
# identifier masking that Django's logging applies (R-ID-5).
CMD ["sh", "-c", "exec gunicorn ashyq.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3}"]
