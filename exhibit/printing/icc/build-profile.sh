#!/usr/bin/env bash
# Rebuild exhibit-FOGRA39L.icc, the CMYK output-intent profile of the print PDFs, from Fogra's
# FOGRA39L characterisation data as packaged by Debian (icc-profiles-free, Zlib licence), with
# ArgyllCMS's colprof. The app never runs this; its output is committed next to it.
#   usage (as root or with sudo): bash exhibit/printing/icc/build-profile.sh
set -euo pipefail
cd "$(dirname "$0")"
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get install -y -qq --no-install-recommends icc-profiles-free argyll >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp /usr/share/color/icc/FOGRA39L.ti3 "$work/"
# -qm: medium quality tables (about 250 KB, embedded in every PDF); -kr -l330: black generation
# as a ramp and 330 % total ink, the FOGRA39 print condition (ISO 12647-2, coated paper).
(cd "$work" && colprof -qm -kr -l330 \
  -D "exhibit FOGRA39L (coated offset, ISO 12647-2), built with ArgyllCMS" \
  -C "Built from FOGRA39L.ti3 (Fogra characterisation data, icc-profiles-free, Zlib licence); altered from the original data" \
  FOGRA39L)
cp "$work/FOGRA39L.icc" exhibit-FOGRA39L.icc
echo "wrote $(pwd)/exhibit-FOGRA39L.icc"
