# Sourced by every script the README names: `<script> --help` prints its usage line, then the script's header comment
# (from its second line to the first line that is not a comment), and exits 0 without starting anything.
# Call as: answer_help "scripts/demo.sh [options]" "$@"
answer_help() {
  local line=$1; shift
  case "${1:-}" in
    -h|--help)
      echo "usage: $line"
      sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
      exit 0;;
  esac
}
