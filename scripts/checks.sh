#!/usr/bin/env bash
# Every check of both products (`make test` runs it after scripts/bootstrap.sh test). Each
# check runs even when an earlier one failed; at the end one line per check, then the line CI
# reads, "make test: N passed, N failed". Exit status: 0 only when every check passed.
# Each check's output also goes to .cache/logs/check-<name>.log (CHECK_LOGS moves them).
# A check whose name ends in `&` runs in the background beside the ones after it.
#
#   bash scripts/checks.sh                          # every check
#   bash scripts/checks.sh 'NAME|FOLDER|COMMAND'... # these instead (the tests use it)
set -uo pipefail
cd "$(dirname "$0")/.."

venv=$PWD/.venv/bin
web=packages/stellarr/web
logs=${CHECK_LOGS:-.cache/logs}
mkdir -p "$logs"

checks=(
    "ruff|.|$venv/ruff check ."
    "ruff-format|.|$venv/ruff format --check ."
    "mypy-stellarr|packages/stellarr|$venv/mypy"
    "mypy-stereospot|packages/stereospot|$venv/mypy"
    "web-check|$web|npm run --silent check"
    "web-test|$web|npm test --silent"
    "pytest-stellarr&|packages/stellarr|$venv/pytest"
    "pytest-stereospot|packages/stereospot|$venv/pytest"
)
(($#)) && checks=("$@")

# One check: its output to its log (and to the terminal, unless it runs in the background),
# then "status seconds" to the log's .status file for the summary.
run_check() {
    local name=$1 folder=$2 command=$3 log=$4 quiet=$5 start=$SECONDS status
    if ((quiet)); then
        (cd "$folder" && $command) >"$log" 2>&1
        status=$?
    else
        (cd "$folder" && $command) 2>&1 | tee "$log"
        status=${PIPESTATUS[0]}
    fi
    echo "$status $((SECONDS - start))" >"$log.status"
}

names=()
background=()
for entry in "${checks[@]}"; do
    IFS='|' read -r name folder command <<<"$entry"
    # A name ending in & runs beside the checks after it (two test suites that mostly wait
    # on servers and browsers share two cores well); its output is shown when it ends.
    quiet=0
    if [[ $name == *'&' ]]; then
        name=${name%&}
        quiet=1
    fi
    names+=("$name")
    log=$logs/check-$name.log
    rm -f "$log.status"
    if ((quiet)); then
        echo "==> $name: (cd $folder && $command) in the background; its output follows when it ends"
        run_check "$name" "$folder" "$command" "$log" 1 &
        background+=("$name")
    else
        echo "==> $name: (cd $folder && $command)"
        run_check "$name" "$folder" "$command" "$log" 0
    fi
done
wait
for name in "${background[@]}"; do
    echo "==> $name (ran in the background):"
    cat "$logs/check-$name.log"
done

results=()
passed=0
failed=0
for name in "${names[@]}"; do
    log=$logs/check-$name.log
    read -r status took <"$log.status"
    # pytest's and vitest's own count, when the check printed one.
    detail=$(grep -E '^=+ .*(passed|failed|error|no tests ran).* in [0-9.]+s' "$log" | tail -1 | tr -d '=' | xargs)
    [[ -n $detail ]] || detail=$(grep -E '^ +Tests +[0-9]' "$log" | tail -1 | xargs)
    if ((status == 0)); then
        passed=$((passed + 1))
        results+=("$(printf 'passed  %-18s %4ds  %s' "$name" "$took" "$detail")")
    else
        failed=$((failed + 1))
        results+=("$(printf 'FAILED  %-18s %4ds  exit %s  %s  (log: %s)' "$name" "$took" "$status" "$detail" "$log")")
    fi
done

echo
echo "make test: each check"
printf '  %s\n' "${results[@]}"
echo "make test: $passed passed, $failed failed"
((failed == 0))
