#!/usr/bin/env bash
# Builds the tc-BPF VLAN shim: build.sh OUTPUT.o [VLAN_ID]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh OUTPUT.o [VLAN_ID]}"
vid="${2:-1577}"
clang="$(command -v clang-14 || command -v clang || true)"
if [[ -z "$clang" || ! -f /usr/include/linux/bpf.h ]]; then
    # A fresh machine: the lab needs a BPF-capable clang and the kernel UAPI headers.
    echo "lab-bpf: installing clang-14 and linux-libc-dev" >&2
    apt-get update -q >/dev/null && apt-get install -y -q clang-14 linux-libc-dev >/dev/null
    clang="$(command -v clang-14)"
fi
# asm/types.h lives under the multiarch include directory on Debian.
arch_inc="/usr/include/$(uname -m)-linux-gnu"
"$clang" -target bpf -O2 -g0 -Wall -Werror -I "$arch_inc" -DVLAN_ID="$vid" \
    -c "$here/vlan_shim.c" -o "$out.tmp"
mv "$out.tmp" "$out"
