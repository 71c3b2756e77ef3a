#!/usr/bin/env bash
# Builds the `ladder` binary with burn's CUDA backend offline, for a GPU machine without Rust.
#
#   scripts/build-cuda.sh [OUT_BINARY]        (default: target-cuda/release/ladder)
#
# burn 0.22.1's `cuda` pulls cubecl-cuda 0.11.3, which always links cubecl-llvm (its LLVM PTX
# path); the build scripts of tracel-llvm-bundler and cubecl-llvm download an LLVM bundle. This
# recipe builds without it:
#   1. DOCS_RS=1 makes those build scripts skip the download, so every crate compiles.
#   2. The `cuda` feature turns on cubecl-cuda's `cpp` feature: kernels are written as CUDA C++
#      and compiled at run time by NVRTC (libnvrtc, loaded by cudarc), never through LLVM.
#   3. The LLVM libraries (and cubecl-llvm's C++ shims, built only with the bundle) are absent,
#      so the symbols pliron-llvm and cubecl-llvm reference have no definition. The binary is
#      linked twice: first with `--unresolved-symbols=ignore-all`, to list the strong undefined
#      symbols it is left with; then with each of those defined as address 0 (`--defsym`), so
#      that the loader has nothing to look up. Nothing on the NVRTC path calls them (a call
#      would crash); the LLVM backend is not in this binary. Both links are of the binary only.
# On the GPU machine the binary needs the NVIDIA driver (libcuda) and libnvrtc (CUDA 12 or 13,
# e.g. from PyTorch's nvidia-cuda-nvrtc wheel: put its lib folder on LD_LIBRARY_PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$PWD/target-cuda}
out=${1:-$target/release/ladder}

export DOCS_RS=1
build() {
    CARGO_TARGET_DIR=$target cargo rustc --release --locked -p ladder-cli --features cuda --bin ladder -- "$@"
}
build -C link-arg=-Wl,--unresolved-symbols=ignore-all
defsyms=$target/release/llvm-absent.defsym
nm -D --undefined-only "$target/release/ladder" | awk '$1 == "U" && $2 !~ /@/ { print "-Wl,--defsym=" $2 "=0" }' > "$defsyms.tmp"
mv "$defsyms.tmp" "$defsyms"
grep -vqE '=(LLVM|cubecl_)' "$defsyms" && { echo "unexpected undefined symbols (not LLVM's):" >&2; grep -vE '=(LLVM|cubecl_)' "$defsyms" >&2; exit 1; }
echo "$(wc -l < "$defsyms") LLVM symbols left undefined; defined as 0"
build -C link-arg=@"$defsyms"

built=$target/release/ladder
if [ "$built" != "$out" ]; then
    mkdir -p "$(dirname "$out")"
    cp "$built" "$out.tmp" && mv "$out.tmp" "$out"
fi
# The binary must load without a GPU: an undefined symbol left for the loader fails here.
"$out" --version >/dev/null
echo "built $out ($(du -h "$out" | cut -f1))"
