#!/usr/bin/env bash
# Loads realistic sample data into the source tables of the company directory.
# DEV / TESTS / BENCHMARKS ONLY: never point this at the owning application's database.
#
#   dev/load-sample.sh [--reset] [N] [SEED]
#
#   N       number of companies to generate (default 1000)
#   SEED    random seed in [-1, 1] (default 0.42); the same N and SEED on a reset schema
#           always give identical rows
#   --reset truncate both tables first (RESTART IDENTITY CASCADE); without it the new rows
#           are appended after the current max(id)
#
# Creates the tables if missing (dev/sql/source-schema.sql), (re)creates the function
# generate_companies (dev/sql/generate-companies.sql), calls it, and prints the totals and
# how long it took. Connection from the usual libpq variables:
#   PGHOST (127.0.0.1), PGPORT (PG_PORT, the stack's port, else 5432), PGUSER, PGPASSWORD, PGDATABASE (companies each).
set -euo pipefail
# REPO_ROOT, print_header
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    print_header "${BASH_SOURCE[0]}"
}

sql_dir="$REPO_ROOT/dev/sql"

reset=false
positional=()
for arg in "$@"; do
    case "$arg" in
        --reset) reset=true ;;
        -h|--help) usage; exit 0 ;;
        -[0-9]*|-.[0-9]*) positional+=("$arg") ;;   # a negative SEED
        -*) echo "load-sample: unknown option: $arg" >&2; usage >&2; exit 2 ;;
        *) positional+=("$arg") ;;
    esac
done
if (( ${#positional[@]} > 2 )); then
    echo "load-sample: too many arguments" >&2; usage >&2; exit 2
fi
n="${positional[0]:-1000}"
seed="${positional[1]:-0.42}"
if ! [[ "$n" =~ ^[0-9]+$ ]] || (( 10#$n > 2147483647 )); then
    echo "load-sample: N must be a non-negative integer, got '$n'" >&2; exit 2
fi
n=$((10#$n))
if ! [[ "$seed" =~ ^-?([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] \
    || ! awk -v s="$seed" 'BEGIN { exit !(s >= -1 && s <= 1) }'; then
    echo "load-sample: SEED must be a number in [-1, 1], got '$seed'" >&2; exit 2
fi

export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-${PG_PORT:-5432}}"
export PGUSER="${PGUSER:-companies}"
export PGPASSWORD="${PGPASSWORD:-companies}"
export PGDATABASE="${PGDATABASE:-companies}"

if ! command -v psql >/dev/null 2>&1; then
    echo "load-sample: psql not found (Debian/Ubuntu: apt-get install postgresql-client)" >&2
    exit 1
fi

# -X: ignore ~/.psqlrc; ON_ERROR_STOP: fail on the first error; no "already exists" notices
run_psql() {
    PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$@"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

start=$(now)
run_psql -f "$sql_dir/source-schema.sql"
run_psql -f "$sql_dir/generate-companies.sql"
if $reset; then
    run_psql -c 'TRUNCATE company_companycasestudy, company_company RESTART IDENTITY CASCADE'
fi

gen_start=$(now)
run_psql -At -c "SELECT generate_companies($n, $seed::double precision)" >/dev/null
gen_end=$(now)
# What autovacuum has long done to the owning application's tables: without it, the first read after a load also sets
# every row's hint bits (writing each page again), which made the first benchmark run pay twice the database CPU.
run_psql -c 'VACUUM (ANALYZE) company_company, company_companycasestudy'

IFS='|' read -r companies published case_studies published_case_studies < <(run_psql -At -c "
    SELECT c.total, c.published, cs.total, cs.published
    FROM (SELECT count(*) AS total,
                 count(*) FILTER (WHERE is_published_find_a_supplier
                                     OR is_published_investment_support_directory) AS published
          FROM company_company) c,
         (SELECT count(*) AS total, count(*) FILTER (WHERE is_published_case_study) AS published
          FROM company_companycasestudy) cs")
end=$(now)

echo "database:               $PGUSER@$PGHOST:$PGPORT/$PGDATABASE$($reset && echo ' (reset)')"
echo "generated:              $n companies, seed $seed, in $(elapsed "$gen_start" "$gen_end") s"
echo "companies:              $companies"
echo "published companies:    $published"
echo "case studies:           $case_studies"
echo "published case studies: $published_case_studies"
echo "total time:             $(elapsed "$start" "$end") s"
