# zsh completion for tether: picocli's generated completion script (tether.bash, beside this file), which
# runs under zsh through bashcompinit. Load it from ~/.zshrc, after compinit:
#   source ~/.local/share/tether/tether.zsh      (the link install.sh makes)
autoload -U +X bashcompinit && bashcompinit
source "${${(%):-%x}:A:h}/tether.bash"
