#!/usr/bin/env bash
# Builds the tc-BPF VLAN shim: build.sh OUTPUT.o [VLAN_ID]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh OUTPUT.o [VLAN_ID]}"
vid="${2:-1577}"
clang="$(command -v clang-14 || command -v clang || true)"
[[ -n "$clang" ]] || { echo "lab-bpf: clang-14 not found (apt-get install clang-14)" >&2; exit 1; }
# asm/types.h lives under the multiarch include directory on Debian.
arch_inc="/usr/include/$(uname -m)-linux-gnu"
"$clang" -target bpf -O2 -g0 -Wall -Werror -I "$arch_inc" -DVLAN_ID="$vid" \
    -c "$here/vlan_shim.c" -o "$out.tmp"
mv "$out.tmp" "$out"
