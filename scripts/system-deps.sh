#!/usr/bin/env bash
# Installs the Debian packages the service and its tests use, when missing.
#   scripts/system-deps.sh            what the service and its tests need: install what is missing
#                                     (needs root and apt-get), else fail (make test)
#   scripts/system-deps.sh --optional what the service needs; only warn when it can't install (make run)
set -euo pipefail
optional=0
[[ "${1:-}" == "--optional" ]] && optional=1

# LibreOffice makes PDFs, python3-uno lets the warm converter drive it; the fonts keep Arial,
# Times, Calibri and Bookman metrics; graphviz lays out the organisation chart and the Pohon Kinerja;
# LibreOffice runs with jemalloc (libjemalloc2), which costs it less CPU per conversion.
# The tests (make test, no --optional) also need poppler-utils
# to read PDFs, zbar-tools to decode QR codes, chromium with its driver for the /admin page and
# postgresql, whose server the suite starts itself to run the API tests on PostgreSQL too; curl and
# jq, with which the suite runs the README's examples as written.
packages=(libreoffice-writer-nogui python3-uno fonts-liberation2 fonts-crosextra-carlito fonts-texgyre graphviz
          libjemalloc2)
[[ $optional -eq 0 ]] && packages+=(poppler-utils zbar-tools chromium chromium-driver postgresql curl jq)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "[system-deps] installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
message="[system-deps] missing Debian packages: ${missing[*]} (install: sudo apt-get install ${missing[*]})"
if [[ $optional -eq 1 ]]; then
  echo "$message; PDF output will not work until they are installed" >&2
  exit 0
fi
echo "$message" >&2
exit 1
