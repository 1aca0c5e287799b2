# Sourced by the run and test scripts: offline NLP data, no downloads at run time.
export PYTHAINLP_OFFLINE=1
export PYTHAINLP_DATA="${PYTHAINLP_DATA:-$PWD/.pythainlp-data}"
