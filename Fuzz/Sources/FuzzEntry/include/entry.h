#ifndef ARLOG_FUZZ_ENTRY_H
#define ARLOG_FUZZ_ENTRY_H
#include <stddef.h>
#include <stdint.h>

/// The process entry point of the fuzz target (see entry.c).
int arlog_fuzz_main(int argc, char **argv);

#endif
