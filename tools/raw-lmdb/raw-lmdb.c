/*
 * raw-lmdb: the raw LMDB reference that arlog's speed is measured against (issue 9).
 *
 * What it does, with nothing of arlog in between:
 *   append  N records of VALUE bytes (default 200) under 8-byte big-endian keys 1..N, with
 *           mdb_put(MDB_APPEND), RECORDS_PER_TXN (default 10,000) records per write
 *           transaction, each commit synced (default env flags: no MDB_NOSYNC), into a fresh
 *           environment in DIR (its data.mdb and lock.mdb are removed first);
 *   scan    every record with a cursor in one read transaction, touching each value (summing
 *           its last byte, printed so that the loop cannot be optimised away).
 * and prints records per second for each as machine-readable "name value" lines:
 *
 *   raw_records 1000000
 *   raw_append_seconds 0.545
 *   raw_append_per_s 1834000
 *   raw_scan_seconds 0.066
 *   raw_scan_per_s 15200000
 *
 * Usage: raw-lmdb [--records N] [--value-bytes B] [--per-txn K] [--no-sync] [--append-only |
 *                 --scan-only] DIR
 *   --no-sync     open the environment with MDB_NOSYNC (a reference only: arlog syncs every
 *                 batch); the lines are then named raw_append_nosync_*.
 *   --scan-only   scan an environment made earlier by this program (N is what it holds).
 *
 * Built by tools/bench-ratios.sh: gcc -O2 raw-lmdb.c -llmdb (Debian's liblmdb-dev).
 * Every failure is a message naming the call and the directory on stderr, and exit status 2.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bounds of the arguments: ten billion records is far past any benchmark arlog runs (the 10M
 * case needs ~2.5 GB here); values up to 4,000 bytes stay on ordinary (non-overflow) pages,
 * as arlog's ~200-byte event records do; a transaction of a million records is already
 * far past the 10,000. */
static const unsigned long long recordsMax = 10000000000ULL;
static const unsigned long valueBytesMax = 4000;
static const unsigned long perTxnRecordsMax = 1000000;

/* Map size per record: key and value plus LMDB's node header, page header and half-empty
 * pages at worst, so the map never fills; the file only grows to what is written. */
static const unsigned long long mapOverheadBytesPerRecord = 64;
/* Fixed headroom for the meta pages and the branch pages of a small store. */
static const unsigned long long mapHeadroomBytes = 64ULL << 20;

static const char *dir;

static void fail(const char *call, int rc) {
    fprintf(stderr, "raw-lmdb: %s in %s failed: %s\n", call, dir, mdb_strerror(rc));
    exit(2);
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static unsigned long long number(const char *text, const char *name, unsigned long long min, unsigned long long max) {
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || n < min || n > max) {
        fprintf(stderr, "raw-lmdb: %s must be a whole number in %llu...%llu, not \"%s\"\n", name, min, max, text);
        exit(2);
    }
    return n;
}

static void put_be64(unsigned char *p, uint64_t v) {
    for (int i = 7; i >= 0; i--) { p[i] = (unsigned char)(v & 0xff); v >>= 8; }
}

static MDB_env *open_env(unsigned long long records, unsigned long valueBytes, unsigned int flags) {
    MDB_env *env;
    int rc;
    if ((rc = mdb_env_create(&env))) fail("mdb_env_create", rc);
    if (records > 0) {
        /* A scan of an existing store (records 0) takes the map size the store records. */
        unsigned long long map = records * (valueBytes + 8 + mapOverheadBytesPerRecord) + mapHeadroomBytes;
        if ((rc = mdb_env_set_mapsize(env, (size_t)map))) fail("mdb_env_set_mapsize", rc);
    }
    if ((rc = mdb_env_set_maxdbs(env, 1))) fail("mdb_env_set_maxdbs", rc);
    if ((rc = mdb_env_open(env, dir, flags, 0644))) fail("mdb_env_open", rc);
    return env;
}

int main(int argc, char **argv) {
    unsigned long long records = 1000000;
    unsigned long valueBytes = 200, perTxn = 10000;
    int sync = 1, doAppend = 1, doScan = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--records") && i + 1 < argc) records = number(argv[++i], "--records", 1, recordsMax);
        else if (!strcmp(a, "--value-bytes") && i + 1 < argc) valueBytes = (unsigned long)number(argv[++i], "--value-bytes", 1, valueBytesMax);
        else if (!strcmp(a, "--per-txn") && i + 1 < argc) perTxn = (unsigned long)number(argv[++i], "--per-txn", 1, perTxnRecordsMax);
        else if (!strcmp(a, "--no-sync")) sync = 0;
        else if (!strcmp(a, "--append-only")) doScan = 0;
        else if (!strcmp(a, "--scan-only")) doAppend = 0;
        else if (a[0] != '-' && !dir) dir = a;
        else {
            fprintf(stderr, "usage: raw-lmdb [--records N] [--value-bytes B] [--per-txn K] [--no-sync] [--append-only | --scan-only] DIR\n");
            return 2;
        }
    }
    if (!dir || (!doAppend && !doScan)) {
        fprintf(stderr, "usage: raw-lmdb [--records N] [--value-bytes B] [--per-txn K] [--no-sync] [--append-only | --scan-only] DIR\n");
        return 2;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "raw-lmdb: cannot create %s: %s\n", dir, strerror(errno));
        return 2;
    }
    const char *name = sync ? "raw_append" : "raw_append_nosync";
    int rc;

    if (doAppend) {
        /* A fresh environment every time: appending to an old one would measure something else. */
        char path[4096];
        const char *files[] = {"data.mdb", "lock.mdb"};
        for (int f = 0; f < 2; f++) {
            if (snprintf(path, sizeof path, "%s/%s", dir, files[f]) >= (int)sizeof path) {
                fprintf(stderr, "raw-lmdb: directory name too long: %s\n", dir);
                return 2;
            }
            if (unlink(path) != 0 && errno != ENOENT) {
                fprintf(stderr, "raw-lmdb: cannot remove %s: %s\n", path, strerror(errno));
                return 2;
            }
        }
        MDB_env *env = open_env(records, valueBytes, sync ? 0 : MDB_NOSYNC);
        unsigned char key[8];
        unsigned char *value = malloc(valueBytes);
        if (!value) { fprintf(stderr, "raw-lmdb: out of memory\n"); return 2; }
        for (unsigned long b = 0; b < valueBytes; b++) value[b] = (unsigned char)('a' + b % 26);
        MDB_dbi dbi;
        MDB_txn *txn;
        if ((rc = mdb_txn_begin(env, NULL, 0, &txn))) fail("mdb_txn_begin", rc);
        if ((rc = mdb_dbi_open(txn, "log", MDB_CREATE, &dbi))) fail("mdb_dbi_open(log)", rc);
        if ((rc = mdb_txn_commit(txn))) fail("mdb_txn_commit", rc);

        double started = now_seconds();
        unsigned long long seq = 0;
        while (seq < records) {
            if ((rc = mdb_txn_begin(env, NULL, 0, &txn))) fail("mdb_txn_begin", rc);
            for (unsigned long k = 0; k < perTxn && seq < records; k++) {
                seq++;
                put_be64(key, seq);
                /* Vary the value a little, as real records differ. */
                put_be64(value, seq);
                MDB_val kv = {sizeof key, key}, dv = {valueBytes, value};
                if ((rc = mdb_put(txn, dbi, &kv, &dv, MDB_APPEND))) fail("mdb_put(log, MDB_APPEND)", rc);
            }
            if ((rc = mdb_txn_commit(txn))) fail("mdb_txn_commit", rc);
        }
        double seconds = now_seconds() - started;
        free(value);
        mdb_env_close(env);
        printf("raw_records %llu\n", records);
        printf("%s_seconds %.3f\n", name, seconds);
        printf("%s_per_s %.0f\n", name, (double)records / seconds);
        fflush(stdout);
    }

    if (doScan) {
        MDB_env *env = open_env(doAppend ? records : 0, valueBytes, MDB_RDONLY);
        MDB_txn *txn;
        MDB_dbi dbi;
        MDB_cursor *cursor;
        MDB_val kv, dv;
        if ((rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn))) fail("mdb_txn_begin(read)", rc);
        if ((rc = mdb_dbi_open(txn, "log", 0, &dbi))) fail("mdb_dbi_open(log)", rc);
        if ((rc = mdb_cursor_open(txn, dbi, &cursor))) fail("mdb_cursor_open", rc);
        double started = now_seconds();
        unsigned long long seen = 0, sum = 0;
        for (rc = mdb_cursor_get(cursor, &kv, &dv, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cursor, &kv, &dv, MDB_NEXT)) {
            seen++;
            if (dv.mv_size > 0) sum += ((const unsigned char *)dv.mv_data)[dv.mv_size - 1];
        }
        if (rc != MDB_NOTFOUND) fail("mdb_cursor_get(log)", rc);
        double seconds = now_seconds() - started;
        mdb_cursor_close(cursor);
        mdb_txn_abort(txn);
        mdb_env_close(env);
        if (doAppend && seen != records) {
            fprintf(stderr, "raw-lmdb: scanned %llu records in %s, appended %llu\n", seen, dir, records);
            return 2;
        }
        if (!doAppend) printf("raw_records %llu\n", seen);
        printf("raw_scan_seconds %.3f\n", seconds);
        printf("raw_scan_per_s %.0f\n", seconds > 0 ? (double)seen / seconds : 0.0);
        printf("raw_scan_checksum %llu\n", sum);
    }
    return 0;
}
