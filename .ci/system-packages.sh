#!/usr/bin/env bash
# Debian tools the tests read exports back with (poppler's pdftotext/pdftoppm, ffprobe) and
# the Unicode font the PDFs use; redis-server, the broker the team-mode tests start on a free port;
# gcc, which compiles the beat extractor's hot modules (Cython). Installs only what is missing,
# and only as root with apt.
set -euo pipefail
missing=()
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} (apt-get)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "Missing system packages: ${missing[*]}. Install them (e.g. sudo apt-get install ${missing[*]});" \
         "the export and team-mode tests need them; without gcc the beat extractor runs uncompiled." >&2
fi
