#!/usr/bin/env bash
# The one-shot device check: everything a GPU machine lent for a few minutes should tell us, in
# one call. It needs no Rust: the `ladder` binary is built elsewhere (with the GPU feature) and
# carried; PyTorch is used where it is importable.
#
#   scripts/gpu-check.sh --device cuda --binary dist/ladder          # on the GPU machine
#   scripts/gpu-check.sh --device flex --torch-device cpu            # here: the same steps on the CPU
#
# Steps (each bounded by a timeout, each recorded in status.tsv whether it passes or not, so that
# one failure never costs the rest):
#   1. numerics: `ladder check-device` — a tiny model trained 3 steps on the device and on flex from
#      the same weights and batches: logits, losses, gradients, weights (f32, and bf16 loosely)
#   2. throughput: `ladder bench-train` of three rungs, f32 and bf16 (tokens/s, achieved FLOP/s)
#   3. the same models in PyTorch, eager and torch.compile (scripts/torch_reference.py)
#   4. a short ladder (3 rungs × 2 multipliers + a target) trained on the device on this
#      repository's own text (1.2 MB of Markdown and Rust, bytes as tokens) and collected
# Output (OUT, default $OUT, else out/gpu-check): machine.txt, status.tsv, numerics-{f32,bf16}.{csv,md},
# bench-ladder-{f32,bf16}.{csv,md}, bench-torch.{csv,log}, ladder/ (experiment, collected tables,
# logs), summary.md.
set -uo pipefail
cd "$(dirname "$0")/.."

device=cuda
binary=""
torch_device=""
rungs="u100k,u400k,u800k"
out="${OUT:-out/gpu-check}"
while [ $# -gt 0 ]; do
  case "$1" in
    --device) device="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    --torch-device) torch_device="$2"; shift 2 ;;
    --rungs) rungs="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$binary" ]; then
  for candidate in dist/ladder "${CARGO_TARGET_DIR:-$HOME/.cache/task-ladder/target}/release/ladder" target/release/ladder; do
    if [ -x "$candidate" ]; then binary="$candidate"; break; fi
  done
fi
if [ -z "$binary" ] || [ ! -x "$binary" ]; then
  echo "gpu-check: no ladder binary (give --binary; build one with scripts/build-cuda.sh, cargo build --release --features vulkan, or cargo build --release)" >&2
  exit 2
fi
# The CUDA build compiles kernels with NVRTC at run time: a machine with PyTorch has libnvrtc in
# its nvidia-*-nvrtc wheel; put that folder on the loader's path (the driver's libcuda is already).
nvrtc=""
if [[ "$device" == cuda* ]]; then
  nvidia_dir="$("${PYTHON:-python3}" -c 'import nvidia; print(list(nvidia.__path__)[0])' 2>/dev/null)"
  [ -n "$nvidia_dir" ] && nvrtc="$(find "$nvidia_dir" -name 'libnvrtc.so*' ! -name '*builtins*' 2>/dev/null | sort | head -1)"
  [ -n "$nvrtc" ] && export LD_LIBRARY_PATH="$(dirname "$nvrtc")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
if [ -z "$torch_device" ]; then
  case "$device" in cuda*) torch_device=cuda ;; *) torch_device=cpu ;; esac
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"
: > "$out/status.tsv"

# step NAME TIMEOUT_S COMMAND...: runs it, its output to OUT/NAME.log, one line in status.tsv.
step() {
  local name="$1" limit="$2"; shift 2
  local start=$SECONDS
  echo "== $name: $*" >&2
  timeout --signal=KILL "$limit" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  local took=$(( SECONDS - start ))
  local verdict=ok
  [ $rc -ne 0 ] && verdict="failed (exit $rc)"
  [ $rc -eq 137 ] && verdict="timed out after ${limit} s"
  printf '%s\t%s\t%s s\n' "$name" "$verdict" "$took" >> "$out/status.tsv"
  echo "   $verdict in $took s" >&2
  return 0
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -srm)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //') ($(nproc) cores)"
  echo "binary: $binary ($("$binary" --version 2>&1))"
  echo "device: $device; torch device: $torch_device"
  [[ "$device" == cuda* ]] && echo "nvrtc: ${nvrtc:-not found in PyTorch's nvidia wheels (the loader's own path is searched)}"
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | sed 's/^/gpu: /'
  else
    echo "gpu: none (no nvidia-smi)"
  fi
  "${PYTHON:-python3}" -c 'import torch; print("torch:", torch.__version__, "cuda:", torch.version.cuda, "available:", torch.cuda.is_available())' 2>&1 | tail -1
} > "$out/machine.txt"

# 1. Numerics against flex.
step numerics-f32 120 "$binary" check-device --device "$device" --against flex --csv "$out/numerics-f32.csv"
step numerics-bf16 120 "$binary" check-device --device "$device" --against flex --precision bf16 --tolerance 0.1 --csv "$out/numerics-bf16.csv"

# 2. Throughput of three rungs.
for precision in f32 bf16; do
  step "bench-ladder-$precision" 240 "$binary" bench-train --device "$device" --precision "$precision" --rungs "$rungs" \
    --csv "$out/bench-ladder-$precision.csv"
done

# 3. The same models in PyTorch ($PYTHON picks the interpreter), on the shapes of the f32 bench;
# if that failed on the device, on the shapes of one step on flex, so PyTorch's figures still come.
python="${PYTHON:-python3}"
shapes="$out/bench-ladder-f32.csv"
if [ ! -f "$shapes" ]; then
  shapes="$out/shapes-flex.csv"
  step shapes-flex 180 "$binary" bench-train --device flex --steps 1 --warmup 0 --rungs "$rungs" --csv "$shapes"
fi
if [ ! -f "$shapes" ]; then
  printf 'bench-torch\tskipped (no shapes: bench-ladder-f32 and shapes-flex failed)\t0 s\n' >> "$out/status.tsv"
elif ! "$python" -c 'import torch' > "$out/bench-torch.log" 2>&1; then
  printf 'bench-torch\tskipped (PyTorch not importable by %s)\t0 s\n' "$python" >> "$out/status.tsv"
else
  step bench-torch 300 "$python" scripts/torch_reference.py --shapes "$shapes" --out "$out/bench-torch.csv" \
    --device "$torch_device"
fi

# 4. A short ladder on this repository's text (no data download: the device machine reaches no
# registry), trained on the device and collected.
mkdir -p "$out/ladder"
files=$(find README.md docs crates src tests -name '*.md' -o -name '*.rs' | sort | sed 's/.*/"&"/' | sed "s|\"|\"$(pwd)/|" | paste -sd, -)
cat > "$out/ladder/experiment.toml" <<EOF
# Written by scripts/gpu-check.sh: a short ladder on the repository's own text.
name = "gpu-check"
data = [$files]
tokenizer = "bytes"
seq_len = 64
evals = 4
work = "$out/ladder/runs"
out = "$out/ladder/collected"

[[rung]]
size = "u10k"
multipliers = [0.5, 1]

[[rung]]
size = "u14k"
multipliers = [0.5, 1]

[[rung]]
size = "u25k"
multipliers = [0.5, 1]

[[target]]
size = "u45k"
multiplier = 1
EOF
step ladder-run 300 "$binary" run "$out/ladder/experiment.toml" --device "$device"
cp "$out"/ladder-run.log "$out/ladder/run.log" 2>/dev/null

# Summary: every table side by side.
{
  echo "# Device check: $device"
  echo
  sed 's/^/    /' "$out/machine.txt"
  echo
  echo "## Steps"
  echo
  echo "| step | result | time |"
  echo "|---|---|---|"
  sed 's/\t/ | /g; s/^/| /; s/$/ |/' "$out/status.tsv"
  for f in numerics-f32 numerics-bf16; do
    echo
    echo "## $f"
    echo
    grep -E '^\||against|largest|differs' "$out/$f.log" 2>/dev/null || echo "(no output)"
  done
  echo
  echo "## Throughput: ours and PyTorch's on the same shapes"
  echo
  echo "| implementation | precision | rung | batch × L | s/step | tokens/s | GFLOP/s |"
  echo "|---|---|---|---|---|---|---|"
  for f in "$out"/bench-ladder-f32.csv "$out"/bench-ladder-bf16.csv "$out"/bench-torch.csv; do
    [ -f "$f" ] && tail -n +2 "$f" | awk -F, '{ printf "| %s | %s | %s | %s × %s | %.4f | %.0f | %.1f |\n", $1, $3, $4, $11, $10, $14, $15, $16 }'
  done
  echo
  echo "## Short ladder"
  echo
  tail -5 "$out/ladder/run.log" 2>/dev/null | sed 's/^/    /'
} > "$out/summary.md"
cat "$out/summary.md"
