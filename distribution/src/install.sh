#!/usr/bin/env bash
# Installs this unpacked release for the current user, as symbolic links into it (nothing is copied):
#   ~/.local/bin/tether, ~/.local/bin/tether-remote
#   $XDG_DATA_HOME/man/man1/*.1                         (man tether, man tether-lsp, ...)
#   $XDG_DATA_HOME/bash-completion/completions/tether  (loaded by bash-completion on demand)
#   $XDG_DATA_HOME/tether/tether.zsh                   (zsh: source it from ~/.zshrc, after compinit)
# XDG_DATA_HOME defaults to ~/.local/share. `install.sh --uninstall` removes exactly the links that point
# into this release. A link into another Tether release is replaced (an upgrade); any other file is never
# replaced without asking (or --force).
set -euo pipefail
release="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
bin_dir="$HOME/.local/bin"
data="${XDG_DATA_HOME:-$HOME/.local/share}"

usage() {
  echo "usage: install.sh [--force] | --uninstall" >&2
  exit 2
}

force=false
uninstall=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    --uninstall) uninstall=true ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) echo "install.sh: unknown option '$arg'" >&2; usage ;;
  esac
done

# Every link this release makes: "TARGET-IN-RELEASE LINK".
links() {
  echo "$release/bin/tether $bin_dir/tether"
  echo "$release/bin/tether-remote $bin_dir/tether-remote"
  local page
  for page in "$release"/man/*.1; do
    echo "$page $data/man/man1/$(basename "$page")"
  done
  echo "$release/completions/tether.bash $data/bash-completion/completions/tether"
  echo "$release/completions/tether.zsh $data/tether/tether.zsh"
}

ours() { # $1 link, $2 target: is $1 a link to $2?
  [[ -L "$1" && "$(readlink "$1")" == "$2" ]]
}

another_release() { # $1 link: is it a link into another Tether release (an upgrade replaces it)?
  local target dir
  [[ -L "$1" ]] || return 1
  target="$(readlink "$1")"
  dir="$(dirname "$(dirname "$target")")"
  [[ -f "$dir/install.sh" && -f "$dir/lib/tether.jar" ]]
}

# May $1 be replaced? Yes when absent or ours; otherwise only with --force or a "y" typed at a terminal.
may_replace() {
  local link="$1" target="$2" answer
  if [[ ! -e "$link" && ! -L "$link" ]] || ours "$link" "$target"; then
    return 0
  fi
  if another_release "$link"; then
    echo "install.sh: replacing $link (a link into the release $(dirname "$(dirname "$(readlink "$link")")"))" >&2
    return 0
  fi
  local what="$link"
  [[ -L "$link" ]] && what="$link (a link to $(readlink "$link"))"
  if $force; then
    echo "install.sh: replacing $what (--force)" >&2
    return 0
  fi
  if [[ -t 0 ]]; then
    read -r -p "install.sh: $what exists and is not from this release; replace it? [y/N] " answer
    [[ "$answer" == [yY]* ]] && return 0
  fi
  echo "install.sh: left $what alone; nothing was installed (run with --force to replace it)" >&2
  return 1
}

install_links() {
  local target link
  while read -r target link; do # check everything first: all or nothing
    may_replace "$link" "$target" || exit 1
  done < <(links)
  local pages=0
  while read -r target link; do
    mkdir -p "$(dirname "$link")"
    ln -sfn "$target" "$link"
    case "$link" in
      */man/man1/*) pages=$((pages + 1)) ;;
      *) echo "  $link -> $target" ;;
    esac
  done < <(links)
  echo "  $pages man pages in $data/man/man1 (man tether, man tether-lsp, ...)"
  echo "install.sh: installed tether $(cat "$release/VERSION") from $release"
  local found
  found="$(PATH="$PATH" command -v tether || true)"
  if [[ -z "$found" ]]; then
    echo "install.sh: $bin_dir is not on your PATH; add it, e.g. in ~/.profile: PATH=\"\$HOME/.local/bin:\$PATH\"" >&2
  elif [[ "$(readlink -f "$found")" != "$release/bin/tether" ]]; then
    echo "install.sh: note: 'tether' on your PATH is still $found, which comes before $bin_dir" >&2
  fi
  echo "install.sh: for completion in zsh, add to ~/.zshrc (after compinit): source $data/tether/tether.zsh"
}

uninstall_links() {
  local target link removed=0
  while read -r target link; do
    if ours "$link" "$target"; then
      rm -f "$link"
      removed=$((removed + 1))
    elif [[ -e "$link" || -L "$link" ]]; then
      echo "install.sh: left $link alone: it is not a link into $release" >&2
    fi
  done < <(links)
  echo "install.sh: removed $removed links to $release (the release directory itself is yours to delete)"
}

if $uninstall; then
  $force && usage
  uninstall_links
else
  install_links
fi
