#!/usr/bin/env bash
# A production-like stack for the benchmarks (BENCHMARKS.md): gunicorn and one Celery worker in
# production mode against PostgreSQL and Redis on 127.0.0.1, settings bench.settings.
#
#   bash bench/stack.sh start     # returns once /healthz answers; pids in var/bench/
#   bash bench/stack.sh stop
#   bash bench/stack.sh env       # print the environment it runs with (keys excluded)
#
# PostgreSQL and Redis must already run (CI's .ci/run starts them; here they are
# services). Every variable below can be set beforehand; bench/run.py sets them.
# Gunicorn: WEB_WORKERS gthread workers of WEB_THREADS threads (default 4 × 2 on 2
# cores: the database and wrk take the rest of the CPU; 2×cores+1 = 5 sync workers
# measured no better), keeping wrk's connections alive as production keeps its proxy's
# (the sync worker closed every one after its answer); CONN_MAX_AGE keeps each
# thread's database connection.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STATE="$ROOT/var/bench"
mkdir -p "$STATE/static"

export DJANGO_SETTINGS_MODULE=bench.settings
export DJANGO_ENV=production
export BENCH_PORT="${BENCH_PORT:-8089}"
export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://ashyq:ashyq@127.0.0.1:5432/ashyq_bench}"
export CACHE_URL="${BENCH_CACHE_URL:-redis://127.0.0.1:6379/5}"
export CELERY_BROKER_URL="${BENCH_BROKER_URL:-redis://127.0.0.1:6379/4}"
export PUBLIC_URL="https://127.0.0.1:$BENCH_PORT"
export ALLOWED_HOSTS="127.0.0.1,localhost"
export STATIC_ROOT="$STATE/static"
export CONN_MAX_AGE="${CONN_MAX_AGE:-600}"
export WEB_WORKERS="${WEB_WORKERS:-4}"
export WEB_THREADS="${WEB_THREADS:-2}"
export WEB_WORKER_CLASS="${WEB_WORKER_CLASS:-gthread}"  # "sync" to compare
export ASHYQ_VAR_DIR="$STATE"
# Keys of the bench database, made once (the data's blind indexes depend on IIN_INDEX_KEY);
# a key production asks for that the file lacks is added (bench.run.keys_env).
.venv/bin/python -c 'from bench.run import keys_env; keys_env()'
# shellcheck disable=SC1091
. "$STATE/keys.env"

start() {
  stop quiet
  : > "$STATE/gunicorn.log"
  .venv/bin/python manage.py collectstatic --noinput -v0
  .venv/bin/gunicorn ashyq.wsgi:application --bind "127.0.0.1:$BENCH_PORT" --workers "$WEB_WORKERS" \
    --worker-class "$WEB_WORKER_CLASS" --threads "$WEB_THREADS" --keep-alive 75 --error-logfile "$STATE/gunicorn.log" --pid "$STATE/gunicorn.pid" \
    >> "$STATE/gunicorn.log" 2>&1 &
  .venv/bin/celery -A ashyq worker --concurrency 1 --loglevel warning --pidfile "$STATE/celery.pid" \
    > "$STATE/celery.log" 2>&1 &
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$BENCH_PORT/healthz"; then
      echo "stack: gunicorn ($WEB_WORKERS workers × $WEB_THREADS threads) on 127.0.0.1:$BENCH_PORT, celery worker; database ${DATABASE_URL##*/}"
      return 0
    fi
    sleep 0.2
  done
  echo "stack: gunicorn did not answer /healthz; see $STATE/gunicorn.log" >&2
  stop quiet
  return 1
}

stop() {
  for name in gunicorn celery; do
    if [ -f "$STATE/$name.pid" ]; then
      pid=$(cat "$STATE/$name.pid")
      if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" || true
      fi
      rm -f "$STATE/$name.pid"
    fi
  done
  [ "${1:-}" = quiet ] || echo "stack: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) env | grep -E '^(DJANGO_|BENCH_|DATABASE_URL|CACHE_URL|CELERY_|PUBLIC_URL|ALLOWED_HOSTS|STATIC_ROOT|CONN_MAX_AGE|WEB_WORKERS|ASHYQ_VAR_DIR)=' | sort ;;
  *) echo "usage: bash bench/stack.sh start|stop|env" >&2; exit 2 ;;
esac
