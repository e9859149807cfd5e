#!/usr/bin/env bash
# Installs what the tests need beyond the npm packages, only when it is missing:
# - Python's LightGBM 4.6.0, scikit-learn, pandas and pyarrow (parity and metric tests);
# - Debian's clickhouse-server 18.16 (the test that an old server is refused);
# - Debian's chromium (the report is opened in a real headless browser);
# - Jupyter's nbconvert and Deno's Jupyter kernel (the notebook display test);
# - tmux and util-linux's script (the command line's tests in a real terminal).
# Needs root (or sudo) for apt-get and network access to PyPI and Debian's mirrors.
set -euo pipefail

if ! python3 -c 'import lightgbm, sklearn, pandas, pyarrow, numpy; assert lightgbm.__version__ == "4.6.0"' 2>/dev/null; then
  echo "setup: installing Python packages (lightgbm 4.6.0, scikit-learn, pandas, pyarrow)"
  python3 -m pip install --quiet --disable-pip-version-check \
    lightgbm==4.6.0 scikit-learn==1.9.1 pandas==3.1.1 pyarrow==26.0.1 numpy==2.4.6
fi

if ! command -v clickhouse-server >/dev/null 2>&1; then
  echo "setup: installing Debian's clickhouse-server"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq clickhouse-server >/dev/null
fi

if ! command -v tmux >/dev/null 2>&1 || ! command -v script >/dev/null 2>&1; then
  echo "setup: installing Debian's tmux and bsdutils (script)"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq tmux bsdutils >/dev/null
fi

if ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing Debian's chromium"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

if ! python3 -c 'import nbconvert, nbclient' 2>/dev/null || ! command -v jupyter >/dev/null 2>&1; then
  echo "setup: installing Jupyter (nbconvert, nbclient)"
  python3 -m pip install --quiet --disable-pip-version-check \
    nbconvert==7.17.2 nbclient==0.11.0 jupyter-core==5.9.1
fi

if ! jupyter kernelspec list 2>/dev/null | grep -q '^ *deno '; then
  echo "setup: installing Deno's Jupyter kernel"
  if command -v deno >/dev/null 2>&1; then deno jupyter --install >/dev/null
  else npx --yes deno@2.9.6 jupyter --install >/dev/null; fi
fi
