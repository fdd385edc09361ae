#!/usr/bin/env bash
# Installs the real peer tools the interop tests run against, from Debian's packages, when any
# is missing. Each line: a command (or file) the tests use, and the package that provides it.
set -euo pipefail
need=()
while read -r probe pkg; do
  case "$probe" in
    /*) [ -e "$probe" ] || need+=("$pkg") ;;
    *) command -v "$probe" >/dev/null 2>&1 || need+=("$pkg") ;;
  esac
done <<'LIST'
dnf dnf
/usr/lib/python3/dist-packages/dnf-plugins/reposync.py dnf-plugins-core
createrepo_c createrepo-c
rpm rpm
rpmbuild rpm
xorriso xorriso
osirrox xorriso
isoinfo genisoimage
implantisomd5 isomd5sum
cloud-init cloud-init
docker-registry docker-registry
skopeo skopeo
/usr/share/zookeeper/bin/zkServer.sh zookeeper
dpkg-scanpackages dpkg-dev
apt-get apt
systemd-analyze systemd
LIST
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
echo "installing test tools: ${need[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
