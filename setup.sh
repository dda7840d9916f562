#!/usr/bin/env bash
# coir set-up: installs what the project needs, then builds, tests or runs it.
#
#   ./setup.sh [install]              set up only (idempotent; quick when cached)
#   ./setup.sh test                   set up, cargo test --workspace, pytest tests/
#   ./setup.sh run [FLAGS] FILE.py …  set up quietly, then .venv/bin/python -m coir …
#   ./setup.sh bench [ARGS…]          set up, then tests/bench/run.py …
#   ./setup.sh fuzz [ARGS…]           set up, then tests/fuzz_code.py … (hostile code objects)
#   ./setup.sh cpython-tests [ARGS…]  set up, then tests/cpython_tests.py … (CPython's suite)
#   ./setup.sh env                    set up quietly, print the COIR_* exports
#
# What it sets up:
#   * Debian packages libgccjit-12-dev, binutils, libc6-dev and patchelf (apt-get);
#   * CPython 3.14: $PYTHON if given (must be a 3.14, GIL build), otherwise a private root
#     assembled from Debian unstable binary packages in
#     ${COIR_CACHE:-$HOME/.cache/coir}/cpython-3.14/root (see shared DESIGN.md §2);
#   * in that root, GCC $GCCJIT_MAJOR's libgccjit (soname libgccjit.so.0, as GCC 12's) with its
#     support files: the interpreter's RPATH makes coir load it instead of the host's GCC 12
#     (which crashes at -O3 on coir's code). With a user's $PYTHON coir uses the host's GCC 12;
#   * .venv (that interpreter, pip, pytest, maturin) and the project itself, installed into it
#     with `pip install --no-build-isolation .` whenever pyproject.toml exists;
#   * .venv/coir-env: shell exports COIR_PYTHON, COIR_PY_ROOT, COIR_PY_INCLUDE, PYO3_PYTHON.
#
# All set-up output goes to stderr, so `run` leaves the program's stdout alone.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYVER=3.14
CACHE="${COIR_CACHE:-$HOME/.cache/coir}"
PYCACHE="$CACHE/cpython-$PYVER"
ROOT="$PYCACHE/root"
VENV="$REPO/.venv"
ENVFILE="$VENV/coir-env"
ARCH_TRIPLET=x86_64-linux-gnu
QUIET=0

# Debian unstable packages that make up the private CPython root (DESIGN.md §2).
SID_PACKAGES=(
  python3.14-minimal libpython3.14-minimal libpython3.14-stdlib libpython3.14 python3.14
  python3.14-dev libpython3.14-dev libpython3.14-testsuite
  libc6 libgcc-s1 libssl3t64 libffi8 libexpat1 zlib1g libbz2-1.0 liblzma5 libzstd1
  libsqlite3-0 libncursesw6 libtinfo6 libreadline8t64 libuuid1 libmpdec4 libdb5.3t64
  libstdc++6
)
# GCC's libgccjit for the root (Debian unstable): libgccjit0 is GCC 14's (the soname GCC 12
# has, so `_native`, linked against the host's GCC 12, loads it unchanged), libgcc-14-dev has
# the support files its driver is pointed at (crtbeginS.o, libgcc; coir passes
# -B<root>/usr/lib/gcc/<triplet>/14/, found from where libgccjit was loaded), libgccjit-14-dev
# the header; then the libraries it needs, newer than the host's. No version is pinned (trixie
# keeps 14.2 should unstable drop GCC 14); if they cannot be had, the root is built without
# them and coir uses the host's GCC 12.
GCCJIT_MAJOR=14
GCCJIT_PACKAGES=(
  libgccjit0 "libgccjit-$GCCJIT_MAJOR-dev" "libgcc-$GCCJIT_MAJOR-dev"
  libgmp10 libmpfr6 libmpc3 libisl23
)
# Bump when the recipe for the root changes, so cached roots are rebuilt.
ROOT_RECIPE=2

log() { echo "setup: $*" >&2; }
say() { [ "$QUIET" = 1 ] || log "$@"; }
die() { echo "setup: error: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $*"; fi
}

# ---------------------------------------------------------------- Debian packages (host)

deb_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

APT_UPDATED=0
ensure_debs() {
  local missing=() p
  for p in "$@"; do deb_installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Update the package lists only if apt does not know a candidate for one of them.
  if [ "$APT_UPDATED" = 0 ]; then
    for p in "${missing[@]}"; do
      if ! apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        as_root apt-get update -qq >&2; APT_UPDATED=1; break
      fi
    done
  fi
  if ! as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
    [ "$APT_UPDATED" = 1 ] && die "apt-get install ${missing[*]} failed"
    as_root apt-get update -qq >&2; APT_UPDATED=1
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
      || die "apt-get install ${missing[*]} failed"
  fi
}

# ---------------------------------------------------------------- CPython 3.14

# The Debian mirror this machine uses, from its deb822 sources (first non-security stanza),
# or else from a one-line sources.list.
debian_mirror() {
  local f=/etc/apt/sources.list.d/debian.sources uri=""
  if [ -r "$f" ]; then
    uri="$(awk '
      function flush() { if (uris != "" && suites !~ /-security/ && first == "") first = uris;
                         uris = ""; suites = "" }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "uris:"   { uris = $2 }
      tolower($1) == "suites:" { $1 = ""; suites = $0 }
      END { flush(); print first }' "$f")"
  fi
  if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
    uri="$(awk '$1 == "deb" && $0 !~ /-security/ {
                  for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; exit } }' \
           /etc/apt/sources.list)"
  fi
  [ -n "$uri" ] || die "cannot find the Debian mirror in /etc/apt/sources.list.d/debian.sources"
  echo "${uri%/}"
}

# apt-get with a private sources list, state, lists and cache under $PYCACHE/apt. The list
# has unstable and trixie: apt takes the newer version of each package, unstable's, and trixie's
# stays there for a package unstable drops (GCC 14's libgccjit once unstable moves past GCC 14).
sid_apt() {
  local a="$PYCACHE/apt"
  apt-get -q \
    -o Dir::Etc::SourceList="$a/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
    -o Dir::State="$a/state" -o Dir::State::Lists="$a/lists" \
    -o Dir::State::status="$a/state/status" \
    -o Dir::Cache="$a/cache" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
    -o APT::Sandbox::User=root -o Debug::NoLocking=1 \
    "$@"
}

sid_update() {
  local a="$PYCACHE/apt" mirror keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  mirror="$(debian_mirror)"
  mkdir -p "$a/lists/partial" "$a/state" "$a/cache/archives/partial"
  : > "$a/state/status"
  if [ -r "$keyring" ]; then
    printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" sid "$keyring" "$mirror" trixie \
      > "$a/sources.list"
    if sid_apt update -qq >"$a/update.log" 2>&1 && ! grep -q '^[WE]:' "$a/update.log"; then
      return 0
    fi
    log "sid index not verifiable with $keyring (this machine's keyring predates its key); using [trusted=yes]"
  fi
  printf 'deb [trusted=yes] %s %s main\n' "$mirror" sid "$mirror" trixie > "$a/sources.list"
  rm -rf "$a/lists"; mkdir -p "$a/lists/partial"
  sid_apt update -qq >"$a/update.log" 2>&1 || { cat "$a/update.log" >&2; die "apt-get update (sid) failed"; }
}

root_python() { echo "$ROOT/usr/bin/python$PYVER"; }

root_ok() {
  [ -f "$ROOT/.coir-root-ok" ] && [ "$(cat "$ROOT/.coir-root-ok")" = "$ROOT_RECIPE $ROOT" ] \
    && "$(root_python)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 14))' 2>/dev/null
}

build_root() {
  ensure_debs patchelf
  local debs="$PYCACHE/debs" partial="$PYCACHE/root.partial" p missing=() jit_missing=() jit_pkgs=()
  mkdir -p "$debs"
  for p in "${SID_PACKAGES[@]}"; do
    compgen -G "$debs/${p}_*.deb" >/dev/null || missing+=("$p")
  done
  for p in "${GCCJIT_PACKAGES[@]}"; do
    compgen -G "$debs/${p}_*.deb" >/dev/null || jit_missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ] || [ ${#jit_missing[@]} -gt 0 ]; then
    sid_update
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "downloading CPython $PYVER from Debian unstable (${#missing[@]} packages) into $debs"
    (cd "$debs" && sid_apt download "${missing[@]}" >"$PYCACHE/apt/download.log" 2>&1) \
      || { cat "$PYCACHE/apt/download.log" >&2; die "apt-get download (sid) failed"; }
  fi
  if [ ${#jit_missing[@]} -gt 0 ]; then
    log "downloading GCC $GCCJIT_MAJOR's libgccjit from Debian (${#jit_missing[@]} packages) into $debs"
    if ! (cd "$debs" && sid_apt download "${jit_missing[@]}" >"$PYCACHE/apt/download-gccjit.log" 2>&1); then
      # One download each: the packages that still exist are kept, for the check below.
      for p in "${jit_missing[@]}"; do
        (cd "$debs" && sid_apt download "$p" >>"$PYCACHE/apt/download-gccjit.log" 2>&1) || true
      done
    fi
  fi
  # libgccjit goes in whole or not at all.
  jit_pkgs=("${GCCJIT_PACKAGES[@]}")
  for p in "${GCCJIT_PACKAGES[@]}"; do
    if ! compgen -G "$debs/${p}_*.deb" >/dev/null; then
      log "warning: Debian unstable and trixie have no $p now; coir will use the host's GCC 12 libgccjit" \
          "(see $PYCACHE/apt/download-gccjit.log)"
      jit_pkgs=(); break
    fi
  done
  log "assembling the CPython $PYVER root in $ROOT"
  rm -rf "$partial" "$ROOT"
  mkdir -p "$partial"
  for p in "${SID_PACKAGES[@]}" "${jit_pkgs[@]}"; do
    local f
    # If several versions were cached, take the newest.
    f="$(ls -1 "$debs/${p}_"*.deb | sort -V | tail -n 1)"
    dpkg -x "$f" "$partial"
  done
  mv "$partial" "$ROOT"
  local lib="$ROOT/usr/lib/$ARCH_TRIPLET"
  [ -e "$lib/ld-linux-x86-64.so.2" ] || die "no dynamic loader in $lib"
  patchelf --set-interpreter "$lib/ld-linux-x86-64.so.2" --force-rpath --set-rpath "$lib" \
    "$(root_python)"
  "$(root_python)" -c 'import ssl, sqlite3, ctypes, decimal, sysconfig, readline, lzma, bz2, zlib' \
    || die "the assembled CPython root does not work"
  [ -f "$ROOT/usr/include/python$PYVER/internal/pycore_frame.h" ] \
    || die "internal headers missing in $ROOT/usr/include/python$PYVER/internal"
  if [ ${#jit_pkgs[@]} -gt 0 ]; then
    local v
    v="$("$(root_python)" -c 'import ctypes
j = ctypes.CDLL("libgccjit.so.0")
print(j.gcc_jit_version_major(), j.gcc_jit_version_minor(), j.gcc_jit_version_patchlevel())' 2>&1)" \
      || v="that does not load ($v)"
    if [ "${v%% *}" = "$GCCJIT_MAJOR" ] && [ -f "$ROOT/usr/lib/gcc/$ARCH_TRIPLET/$GCCJIT_MAJOR/crtbeginS.o" ]; then
      log "libgccjit: GCC ${v// /.} in the root"
    else
      log "warning: the root's libgccjit.so.0 is GCC $v, not $GCCJIT_MAJOR with its support files; removed: coir will use the host's GCC 12"
      rm -f "$lib"/libgccjit.so.0*
    fi
  fi
  echo "$ROOT_RECIPE $ROOT" > "$ROOT/.coir-root-ok"
  log "CPython ready: $("$(root_python)" -c 'import sys; print(sys.version.split()[0])') at $(root_python)"
}

# Sets PY (base interpreter), PY_ROOT, PY_INCLUDE.
resolve_python() {
  if [ -n "${PYTHON:-}" ]; then
    PY="$(command -v "$PYTHON" || true)"
    [ -n "$PY" ] && [ -x "$PY" ] || die "PYTHON=$PYTHON is not an executable"
    "$PY" -c 'import sys, sysconfig
sys.exit(0 if sys.version_info[:2] == (3, 14) and not sysconfig.get_config_var("Py_GIL_DISABLED") else 1)' \
      || die "PYTHON=$PYTHON is not CPython 3.14 (default GIL build): $("$PY" -V 2>&1 || true)"
    PY_INCLUDE="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
    # Root such that ROOT/usr/include/python3.14 is the include dir (Debian-style layout);
    # for any other layout, the prefix above include/.
    local inc_parent; inc_parent="$(dirname "$PY_INCLUDE")"
    case "$inc_parent" in
      /usr/include) PY_ROOT=/ ;;
      */usr/include) PY_ROOT="${inc_parent%/usr/include}" ;;
      *) PY_ROOT="$(dirname "$inc_parent")" ;;
    esac
  else
    mkdir -p "$PYCACHE"
    root_ok || build_root
    PY="$(root_python)"
    PY_ROOT="$ROOT"
    PY_INCLUDE="$ROOT/usr/include/python$PYVER"
  fi
  [ -f "$PY_INCLUDE/Python.h" ] || die "no Python.h in $PY_INCLUDE (install the -dev package)"
}

# ---------------------------------------------------------------- .venv

host_pip() {
  local p
  for p in python3.11 python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -m pip --version >/dev/null 2>&1; then
      "$p" -m pip "$@"; return
    fi
  done
  ensure_debs python3-pip
  /usr/bin/python3 -m pip "$@"
}

pip_wheel() {
  local wheels="$CACHE/wheels" w
  w="$(ls -1 "$wheels"/pip-*-py3-none-any.whl 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$w" ]; then
    log "downloading pip's wheel into $wheels"
    mkdir -p "$wheels"
    host_pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
      -d "$wheels" pip >&2
    w="$(ls -1 "$wheels"/pip-*-py3-none-any.whl | sort -V | tail -n 1)"
  fi
  echo "$w"
}

ensure_venv() {
  local stamp="$VENV/.coir-base-python"
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$PY" ] \
     && "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 14))' 2>/dev/null; then
    :
  else
    log "creating $VENV with $PY"
    rm -rf "$VENV"
    "$PY" -m venv --without-pip "$VENV"
    echo "$PY" > "$stamp"
  fi
  if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    local w; w="$(pip_wheel)"
    log "bootstrapping pip from $(basename "$w")"
    "$VENV/bin/python" "$w/pip" install -q --disable-pip-version-check --no-index "$w" >&2
  fi
  if ! { [ -x "$VENV/bin/maturin" ] && "$VENV/bin/python" -c 'import pytest, xdist' 2>/dev/null; }; then
    log "installing pytest, pytest-xdist and maturin into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check pytest pytest-xdist maturin >&2
  fi
}

write_env() {
  local tmp="$ENVFILE.tmp"
  {
    echo "# written by setup.sh; source it to build or test coir by hand"
    printf 'export COIR_PYTHON=%q\n' "$PY"
    printf 'export COIR_PY_ROOT=%q\n' "$PY_ROOT"
    printf 'export COIR_PY_INCLUDE=%q\n' "$PY_INCLUDE"
    printf 'export PYO3_PYTHON=%q\n' "$PY"
  } > "$tmp"
  mv "$tmp" "$ENVFILE"
  export COIR_PYTHON="$PY" COIR_PY_ROOT="$PY_ROOT" COIR_PY_INCLUDE="$PY_INCLUDE" PYO3_PYTHON="$PY"
}

# ---------------------------------------------------------------- the project

install_project() {
  if [ ! -f "$REPO/pyproject.toml" ]; then
    say "no pyproject.toml yet: skipping the install of coir into $VENV"
    return 0
  fi
  say "installing coir into $VENV (pip install --no-build-isolation .)"
  local q=(); [ "$QUIET" = 1 ] && q=(-q)
  # maturin's PEP 517 backend appends these to `maturin pep517 build-wheel`; PEP 517 builds
  # are release builds already. --ignore-rust-version: see DESIGN.md §1.
  # The backend runs `maturin` from PATH, as in an activated venv.
  (cd "$REPO" && export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" \
     MATURIN_PEP517_ARGS="${MATURIN_PEP517_ARGS:---ignore-rust-version}" &&
   "$VENV/bin/python" -m pip install "${q[@]}" --disable-pip-version-check \
       --no-build-isolation "$REPO") >&2
}

setup_all() {
  # binutils: libgccjit runs `as` and `ld` from PATH (GCC 12's and the root's GCC 14's alike).
  ensure_debs libgccjit-12-dev binutils libc6-dev patchelf
  resolve_python
  ensure_venv
  write_env
  install_project
}

# Serialise concurrent set-ups (they share the cache and .venv).
lock() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.setup.lock"
  flock 9
}

cmd="${1:-install}"
[ $# -gt 0 ] && shift
case "$cmd" in
  install|setup)
    lock; setup_all >&2
    say "ready: $VENV (interpreter $COIR_PYTHON, headers $COIR_PY_INCLUDE)"
    ;;
  env)
    QUIET=1; lock; setup_all >&2
    cat "$ENVFILE"
    ;;
  test)
    lock; setup_all >&2
    exec 9>&-
    cd "$REPO"
    if [ -f Cargo.toml ]; then
      cargo test --workspace --ignore-rust-version
    else
      log "no Cargo.toml yet: skipping cargo test"
    fi
    if [ -d tests ]; then
      rc=0; "$VENV/bin/python" -m pytest -q -n "${COIR_TEST_JOBS:-2}" tests/ || rc=$?
      # pytest's 5 means "no tests collected": a broken test tree, not a pass.
      if [ "$rc" = 5 ]; then log "error: pytest collected no tests"; fi
      exit "$rc"
    else
      log "no tests/ yet: skipping pytest"
    fi
    ;;
  run)
    [ $# -gt 0 ] || die "usage: ./setup.sh run [FLAGS] FILE.py [ARGS...]"
    QUIET=1; lock; setup_all >&2
    exec 9>&-
    exec "$VENV/bin/python" -m coir "$@"
    ;;
  bench)
    lock; setup_all >&2
    exec 9>&-
    exec "$VENV/bin/python" "$REPO/tests/bench/run.py" "$@"
    ;;
  fuzz)
    lock; setup_all >&2
    exec 9>&-
    exec "$VENV/bin/python" "$REPO/tests/fuzz_code.py" "$@"
    ;;
  cpython-tests)
    lock; setup_all >&2
    exec 9>&-
    exec "$VENV/bin/python" "$REPO/tests/cpython_tests.py" "$@"
    ;;
  -h|--help|help)
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    ;;
  *)
    die "unknown command '$cmd' (install | test | run | bench | fuzz | cpython-tests | env)"
    ;;
esac
