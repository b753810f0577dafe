// The one C module of arlog: Debian's liblmdb-dev. Only ArlogStorage imports it.
#ifndef ARLOG_CLMDB_SHIM_H
#define ARLOG_CLMDB_SHIM_H
#include <lmdb.h>
#endif
