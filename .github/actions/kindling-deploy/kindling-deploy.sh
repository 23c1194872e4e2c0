#!/usr/bin/env bash
# The kindling-deploy action's step (action.yml): validate, deploy, run and wait with the kindling
# CLI; the CLI's exit code is the step's. Reads INPUT_* variables; writes the Markdown summary to
# $GITHUB_STEP_SUMMARY and job-id, run-id, state, exit-code to $GITHUB_OUTPUT (when set, as on
# GitHub; elsewhere, e.g. Azure DevOps, set them to files of your choice).
set -uo pipefail

app="${INPUT_APP:?input app is required}"
target="${INPUT_TARGET:?input target is required}"
config="${INPUT_CONFIG:-kindling.yaml}"
timeout="${INPUT_TIMEOUT:-30m}"
run="${INPUT_RUN:-true}"
summary="${GITHUB_STEP_SUMMARY:-}"
outputs="${GITHUB_OUTPUT:-/dev/null}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -n "${INPUT_CLI_JAR:-}" ]; then
  kindling=(java -jar "$INPUT_CLI_JAR")
elif [ -x ./kindling ]; then
  kindling=(./kindling)
else
  kindling=(kindling)
fi

args=(-t "$target" -c "$config")
[ -n "${INPUT_JOB_NAME:-}" ] && args+=(--job-name "$INPUT_JOB_NAME")

params=()
while IFS= read -r line || [ -n "$line" ]; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [ -z "$line" ] || [ "${line:0:1}" = "#" ] && continue
  params+=(--param "$line")
done <<< "${INPUT_PARAMS:-}"

# A summary for failures the CLI reports before it can write one (exit 2 or 5): the command's
# stderr tail. Secrets never reach stderr (the CLI redacts them).
fallback_summary() { # STEP EXIT STDERR_FILE
  [ -n "$summary" ] || return 0
  local fence='````'
  {
    echo "### ❌ kindling $1 \`$app\` → \`$target\`"
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| exit code | $2 |"
    echo
    echo "<details open><summary>kindling $1 said</summary>"
    echo
    echo "${fence}text"
    tail -n 50 "$3" | sed "s/$fence/'''/g"
    echo "$fence"
    echo
    echo "</details>"
    echo
  } >> "$summary"
}

# stdout to a file, stderr both to the log (live) and to a file
run_cli() { # STDOUT_FILE STDERR_FILE ARGS...
  local out="$1" err="$2"
  shift 2
  "${kindling[@]}" "$@" 2>&1 >"$out" | tee "$err" >&2
  return "${PIPESTATUS[0]}"
}

echo "::group::kindling validate $app -t $target"
run_cli "$work/validate.out" "$work/validate.err" validate "$app" "${args[@]}"
rc=$?
cat "$work/validate.out"
echo "::endgroup::"
if [ "$rc" -ne 0 ]; then
  echo "::error title=kindling validate failed (exit $rc)::$(tail -n 20 "$work/validate.err" | tr '\n' ' ')"
  fallback_summary validate "$rc" "$work/validate.err"
  echo "exit-code=$rc" >> "$outputs"
  exit "$rc"
fi

deploy=(deploy "$app" "${args[@]}" -o json)
if [ "$run" = "true" ]; then
  deploy+=(--run --wait --timeout "$timeout" "${params[@]}")
fi
summary_args=()
[ -n "$summary" ] && summary_args=(--summary "$summary")
size_before=$( [ -n "$summary" ] && [ -f "$summary" ] && wc -c < "$summary" || echo 0)

run_cli "$work/deploy.json" "$work/deploy.err" "${deploy[@]}" "${summary_args[@]}"
rc=$?
cat "$work/deploy.json"

size_after=$( [ -n "$summary" ] && [ -f "$summary" ] && wc -c < "$summary" || echo 0)
if [ "$size_after" = "$size_before" ] && [ "$rc" -ne 0 ]; then
  fallback_summary deploy "$rc" "$work/deploy.err"
fi

# the JSON is the CLI's own pretty-printed object: the first of each key is the one we want
field() { sed -n "s/^ *\"$1\" : \"\(.*\)\",\{0,1\}$/\1/p" "$work/deploy.json" | head -n 1; }
job_id="$(field job_id)"
run_id="$(field run_id)"
state="$(field state)"
{
  echo "job-id=$job_id"
  echo "run-id=$run_id"
  echo "state=$state"
  echo "exit-code=$rc"
} >> "$outputs"

case "$rc" in
  0) echo "kindling: deployed job $job_id${run_id:+, run $run_id $state}" ;;
  1) echo "::error title=kindling run failed::run $run_id of job $job_id ended $state" ;;
  3) echo "::error title=kindling run cancelled::run $run_id of job $job_id was cancelled" ;;
  4) echo "::error title=kindling wait timed out::run $run_id is still running after $timeout" ;;
  *) echo "::error title=kindling deploy failed (exit $rc)::$(tail -n 20 "$work/deploy.err" | tr '\n' ' ')" ;;
esac
exit "$rc"
