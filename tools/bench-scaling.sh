#!/usr/bin/env bash
# Does one customer's cost grow with its history, or with its square? One customer with N
# invoices, every second one followed by a payment of 60% of an invoice (so open invoices pile up:
# the worst case for FIFO allocation, aging and the risk projector), for N = 10,000 and 40,000.
# Times ingest, rebuild, verify, history and an as-of balance as processes, and (with
# --callgrind) counts instructions per event, which a noisy machine does not change. Linear
# growth keeps the per-event figures flat from 10k to 40k; quadratic growth multiplies them by 4.
#
# Usage: tools/bench-scaling.sh [--callgrind] [SMALL LARGE]   (default 10000 40000)
set -euo pipefail
cd "$(dirname "$0")/.."
events=1000 customers=10  # bench-lib's own small feed (unused here)
source tools/bench-lib.sh
bench_install bc

callgrind=0
if [ "${1:-}" = "--callgrind" ]; then callgrind=1; shift; fi
small="${1:-10000}"
large="${2:-40000}"
cg_arlog=""
if [ "$callgrind" = 1 ]; then
    bench_install valgrind
    # valgrind 3.19 cannot read the DWARF 5 debug info Swift 6.3 writes and gives up: run a
    # copy without it (the symbol table stays), as bench-ratios.sh does.
    cg_arlog="$work/arlog-nodebug"
    objcopy --strip-debug "$bin/arlog" "$cg_arlog"
fi

# One customer, `n` invoices; a payment of 60.00 after every second invoice of 100.00.
gen() {
    local n="$1" out="$2"
    awk -v n="$n" '
    # The civil date of a day number (days since 1970-01-01), without the strftime of gawk.
    function civil(z,   era, doe, yoe, y, doy, mp, d, m) {
        z += 719468; era = int(z / 146097); doe = z - era * 146097
        yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
        y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
        mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
        m = mp < 10 ? mp + 3 : mp - 9
        return sprintf("%04d-%02d-%02d", y + (m <= 2), m, d)
    }
    BEGIN {
        print "{\"id\":\"r\",\"type\":\"customer.registered\",\"at\":\"2020-01-01T00:00:00Z\",\"customer\":\"BIG\",\"name\":\"Big\",\"currency\":\"EUR\",\"terms_days\":30,\"credit_limit\":\"100000000.00\"}"
        for (i = 0; i < n; i++) {
            d = civil(18262 + int(i / 40))  
            printf "{\"id\":\"i%d\",\"type\":\"invoice.issued\",\"at\":\"%sT01:00:00Z\",\"customer\":\"BIG\",\"invoice\":\"INV%d\",\"amount\":\"100.00\",\"issued_on\":\"%s\"}\n", i, d, i, d
            if (i % 2 == 1) printf "{\"id\":\"p%d\",\"type\":\"payment.received\",\"at\":\"%sT02:00:00Z\",\"customer\":\"BIG\",\"payment\":\"PAY%d\",\"amount\":\"60.00\",\"received_on\":\"%s\"}\n", i, d, i, d
        }
    }' > "$out"
}

echo "one customer, N invoices, open invoices piling up; machine: $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-10s %8s %10s %10s %10s %10s %10s\n" "N" "events" "ingest" "rebuild" "verify" "history" "as-of"
declare -A per
for n in "$small" "$large"; do
    feed="$work/scaling-$n.ndjson"
    [ -s "$feed" ] || gen "$n" "$feed"
    events=$(wc -l < "$feed")
    store="$work/scaling-store-$n"
    rm -rf "$store"
    t() { local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
    ti=$(t "$bin/arlog" ingest --store "$store" "$feed")
    tr=$(t "$bin/arlog" rebuild --store "$store")
    tv=$(t "$bin/arlog" verify --store "$store")
    th=$(t "$bin/arlog" history BIG --store "$store" --format csv)
    ta=$(t "$bin/arlog" balance BIG --store "$store" --as-of 2020-06-30)
    printf "%-10s %8d %9.2fs %9.2fs %9.2fs %9.2fs %9.2fs\n" "$n" "$events" "$ti" "$tr" "$tv" "$th" "$ta"
    for k in ingest rebuild verify history; do
        case $k in ingest) v=$ti ;; rebuild) v=$tr ;; verify) v=$tv ;; history) v=$th ;; esac
        per[$k,$n]=$(echo "$v * 1000000 / $events" | bc)
    done
    if [ "$callgrind" = 1 ]; then
        for k in rebuild verify; do
            valgrind --tool=callgrind --callgrind-out-file="$work/scaling.$k.$n.out" "$cg_arlog" "$k" --store "$store" > /dev/null 2>&1 || true
            ir=$(callgrind_annotate "$work/scaling.$k.$n.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
            if [ -z "$ir" ]; then echo "bench-scaling: callgrind gave no count for $k (N=$n); see valgrind's output: valgrind --tool=callgrind $cg_arlog $k --store $store" >&2; exit 2; fi
            per[cg-$k,$n]=$((ir / events))
        done
    fi
done
echo
echo "per event (µs), ${large} against ${small}: linear growth keeps the ratio near 1, quadratic makes it $((large / small))"
for k in ingest rebuild verify history; do
    a=${per[$k,$small]}; b=${per[$k,$large]}
    printf "%-8s %8s µs %8s µs  ratio %s\n" "$k" "$a" "$b" "$(echo "scale=2; $b / ($a + 0.0001)" | bc)"
done
if [ "$callgrind" = 1 ]; then
    echo "instructions per event (callgrind), ${large} against ${small}:"
    for k in rebuild verify; do
        a=${per[cg-$k,$small]}; b=${per[cg-$k,$large]}
        printf "%-8s %10d %10d  ratio %s\n" "$k" "$a" "$b" "$(echo "scale=2; $b / $a" | bc)"
    done
fi
