#!/usr/bin/env bash
# Runs libFuzzer on every reader for FUZZ_SECONDS each (make fuzz), starting from the committed corpus
# Tests/Fuzz/corpus/<reader>; new inputs go to Fuzz/.build/corpus/<reader>. Exits non-zero on any finding
# (crash, leak, input slower than 1 s, more than 2 GB), whose input libFuzzer writes to Fuzz/.build/findings/.
# With FUZZ_MERGE=1, inputs that add coverage are merged into the committed corpus afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
readers=${FUZZ_READERS:-pth-zip pth-legacy pickle checkpoint safetensors png jpeg webp idx}
binary=Fuzz/.build/release/TapegradFuzz
build=Fuzz/.build
mkdir -p $build/findings
status=0
printf '%-12s %12s %8s %8s %s\n' reader executions cov ft result
for reader in $readers; do
    work=$build/corpus/$reader
    mkdir -p "$work"
    log=$build/$reader.log
    # The readers of torch files get the dictionary of pickle opcodes and torch's tokens (tensor_records.py).
    dictionary=()
    case $reader in pth-zip | pth-legacy | pickle | checkpoint) dictionary=(-dict=Tests/Fuzz/pickle.dict) ;; esac
    SWIFT_BACKTRACE=enable=no TAPEGRAD_FUZZ_READER=$reader "$binary" "$work" "Tests/Fuzz/corpus/$reader" -max_total_time="$seconds" \
        "${dictionary[@]}" -timeout=1 -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/findings/$reader-" >"$log" 2>&1
    code=$?
    executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    coverage=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
    features=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
    result=ok
    if [ $code -ne 0 ]; then
        result="FOUND (exit $code): see $log"
        status=1
    fi
    printf '%-12s %12s %8s %8s %s\n' "$reader" "${executions:-?}" "${coverage:-?}" "${features:-?}" "$result"
    if [ $code -eq 0 ] && [ "${FUZZ_MERGE:-0}" = 1 ]; then
        TAPEGRAD_FUZZ_READER=$reader "$binary" -merge=1 "Tests/Fuzz/corpus/$reader" "$work" >>"$log" 2>&1
    fi
done
exit $status
