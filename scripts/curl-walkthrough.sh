#!/usr/bin/env bash
# Walks one report through every state to closed with curl alone, against a running
# `npm start` (local mode). Usage: scripts/curl-walkthrough.sh [base-url]
USAGE='usage: scripts/curl-walkthrough.sh [base-url, default http://127.0.0.1:3978]'
case "${1:-}" in
  -h | --help) echo "$USAGE"; exit 0 ;;
  -*) echo "unknown option '$1'" >&2; echo "$USAGE" >&2; exit 2 ;;
esac
if [ $# -gt 1 ]; then echo "$USAGE" >&2; exit 2; fi
set -euo pipefail
BASE=${1:-http://127.0.0.1:3978}
REPORTER=4202fded-0b11-4705-8c6e-f47b5e5b7819 # Alex Morgan
MR=d0931742-6d72-4926-8bc1-75e1df58241b       # Jordan Lee, Management Representative
OWNER=433fa2e5-018e-4102-a206-f30c9a4fe576    # Sam Taylor, action owner

field() { sed -E "s/.*\"$1\":\"([^\"]*)\".*/\1/"; }
token() {
  curl -sf -X POST "$BASE/dev/token" -H 'content-type: application/json' \
    -d "{\"personId\":\"$1\"}" | field access_token
}
etag() { curl -sf -o /dev/null -D - "$BASE/api/cars/$CAR" -H "authorization: Bearer $MR_TOKEN" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p'; }
step() { # who path body [method]
  local out
  out=$(curl -sf -X "${4:-POST}" "$BASE/api/cars/$CAR$2" -H "authorization: Bearer $1" \
    -H 'content-type: application/json' -H "If-Match: $(etag)" -d "$3")
  printf '%-28s -> %s\n' "$2" "$(printf '%s' "$out" | sed -E 's/.*"state":"([a-z_]+)".*/\1/')"
  LAST=$out
}

REPORTER_TOKEN=$(token $REPORTER)
MR_TOKEN=$(token $MR)
OWNER_TOKEN=$(token $OWNER)

CAR=$(curl -sf "$BASE/api/cars" -H "authorization: Bearer $REPORTER_TOKEN" \
  -H 'content-type: application/json' -H "Idempotency-Key: walkthrough-$(date +%s)" \
  -d '{"type":"near_miss","relatesTo":["equipment"],"title":"Laptop left unlocked","description":"An unlocked laptop was left in meeting room 3 over lunch.","location":"Meeting room 3","immediateAction":"Locked the laptop"}' |
  sed -E 's/^\{"id":"([^"]+)".*/\1/')
echo "reported $CAR"

step "$MR_TOKEN" /record '{"classification":"minor_nc","severity":"medium","reason":"Clear desk policy breach"}'
echo "number: $(printf '%s' "$LAST" | field number)"
step "$MR_TOKEN" /containment '{"description":"Laptop locked; owner reminded of the clear desk policy."}'
step "$MR_TOKEN" /start-investigation '{}'
step "$MR_TOKEN" /investigation '{"fiveWhys":[{"question":"Why was it unlocked?","answer":"Auto-lock was set to 60 minutes."}],"rootCause":"Auto-lock timeout too long on this laptop model.","causeCategory":"technology","similarCheck":{"done":true,"findings":"12 laptops share the image.","relatedCarIds":[]}}' PATCH
step "$MR_TOKEN" /actions "{\"kind\":\"corrective\",\"title\":\"Set auto-lock to 5 minutes in the laptop image\",\"owner\":{\"id\":\"$OWNER\",\"name\":\"Sam Taylor\"}}"
ACTION=$(printf '%s' "$LAST" | sed -E 's/.*"actions":\[\{"id":"([^"]+)".*/\1/')
step "$MR_TOKEN" /plan '{}'
step "$MR_TOKEN" /start-implementation '{}'
step "$OWNER_TOKEN" "/actions/$ACTION/complete" '{"note":"Image v7 rolled out"}'
step "$MR_TOKEN" /start-verification '{}'
step "$MR_TOKEN" /verification '{"effective":true,"evidence":"Spot check of 12 laptops: all lock after 5 minutes."}'
step "$MR_TOKEN" /close '{"summary":"Auto-lock fixed in the image.","ismsChangeNeeded":false,"feedsManagementReview":true}'

echo "history entries: $(curl -sf "$BASE/api/cars/$CAR/history" -H "authorization: Bearer $MR_TOKEN" | grep -o '"sequence"' | wc -l)"
