// Starts libFuzzer. libFuzzer brings its own `main`, but SwiftPM links an executable target
// with `main` defined as `<module>_main` (here `arlog_fuzz_main`, for `@testable` executables):
// this function is that symbol and hands control to libFuzzer's driver, which then calls
// `LLVMFuzzerTestOneInput` (Sources/ArlogFuzz/Fuzz.swift) for every input. Were SwiftPM to stop
// renaming `main`, libFuzzer's own `main` would be linked instead and this would go unused.
#include "entry.h"

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int arlog_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
