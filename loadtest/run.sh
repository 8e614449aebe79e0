#!/usr/bin/env bash
# Load test: the app under gunicorn (production settings) on PostgreSQL, and 50 simulated
# analysts from locust on the same machine. They log in over 20 seconds (a password hash
# costs a third of a CPU second each); the statistics are then reset and SECONDS of steady
# work are measured. Results in loadtest/results/.
#   bash loadtest/run.sh [USERS] [SECONDS] [WORKERS]
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-50}
SECONDS_=${2:-60}
WORKERS=${3:-4}
PORT=${PORT:-8100}
DB=${LOADTEST_DATABASE:-loadtest}
PY=.venv/bin/python

make install >/dev/null
$PY -m pip install --quiet -e '.[loadtest]'
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB"

export DEBUG=false HTTPS=false ALLOWED_HOSTS=127.0.0.1 CONN_MAX_AGE=60 LOG_LEVEL=WARNING
export SECRET_KEY="load-test-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export STATIC_ROOT="$(mktemp -d)"
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py prepare_load_test --users "$USERS"

.venv/bin/gunicorn config.wsgi --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
  --log-level warning --access-logfile /dev/null &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" && break; sleep 0.2; done

mkdir -p loadtest/results
RAMP=20
# The load generator shares the cores: its CPU time over the run says how much of them
# it took from the server.
.venv/bin/locust -f loadtest/locustfile.py --headless --users "$USERS" \
  --spawn-rate "$(( (USERS + RAMP - 1) / RAMP ))" \
  --run-time "$((SECONDS_ + RAMP + 5))s" --host "http://127.0.0.1:$PORT" \
  --csv loadtest/results/run --only-summary --loglevel WARNING --reset-stats &
LOCUST=$!
STARTED=$(date +%s)
CPU_TICKS=0
while kill -0 $LOCUST 2>/dev/null; do
  CPU_TICKS=$(awk '{print $14 + $15}' /proc/$LOCUST/stat 2>/dev/null || echo "$CPU_TICKS")
  sleep 1
done
wait $LOCUST
ELAPSED=$(( $(date +%s) - STARTED ))
echo "Load generator: $(( CPU_TICKS / $(getconf CLK_TCK) )) s of CPU in ${ELAPSED} s" \
  "(of $(nproc) cores)."
for pid in $(pgrep -P $GUNICORN); do
  echo "gunicorn worker $pid: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
done
echo "Per request type: loadtest/results/run_stats.csv (failures: run_failures.csv)"
