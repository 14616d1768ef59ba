#!/bin/sh
# Unpacks Mesa's lavapipe 25 (Vulkan on the CPU; unlike SwiftShader it has shader-f16) from Debian's
# bookworm-backports into .cache/lavapipe, without touching the system's apt configuration, and writes
# .cache/lavapipe/lvp_icd.json pointing at the library by absolute path. The f16 kernel tests use it
# when present (src/gpu/node-gpu.ts: lavapipeIcd) and are skipped, saying so, when it is not.
# Debian 12's own Mesa 22 lavapipe is rejected by Dawn; libllvm15 must be installed (it is on Debian 12
# machines with Mesa; otherwise: apt-get install libllvm15).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.cache/lavapipe"
apt_dir="$dest/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.d" "$dest/root"
cat > "$apt_dir/sources.d/bookworm-backports.sources" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
apt_opts="-o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts=$apt_dir/sources.d -o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir/cache -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $apt_opts -qq update
rm -f "$apt_dir"/mesa-vulkan-drivers_*.deb
# shellcheck disable=SC2086
(cd "$apt_dir" && apt-get $apt_opts -qq download mesa-vulkan-drivers/bookworm-backports)
dpkg-deb -x "$apt_dir"/mesa-vulkan-drivers_*.deb "$dest/root"
lib="$dest/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"
missing=$(ldd "$lib" | grep 'not found' || true)
if [ -n "$missing" ]; then
  echo "lavapipe needs libraries that are not installed:" >&2
  echo "$missing" >&2
  exit 1
fi
cat > "$dest/lvp_icd.json" <<JSON
{"file_format_version": "1.0.0", "ICD": {"library_path": "$lib", "api_version": "1.3.0"}}
JSON
echo "lavapipe ready: $dest/lvp_icd.json"
