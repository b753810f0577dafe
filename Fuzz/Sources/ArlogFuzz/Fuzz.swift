// libFuzzer's entry point. Each input is a whole feed: its bytes go through the engine's own
// line reader, then every line through `Intake.process` into an `InMemoryLog`, so that the
// JSON parser, the event decoder, the state rules, the fold and the risk projector all run on
// it, in order, with the state the earlier lines built. See `Harness` for the checks made on
// the result (a failed check aborts, which libFuzzer reports as a crash and saves the input).
//
// Built with `-sanitize=fuzzer -parse-as-library` (tools/fuzz.sh): libFuzzer supplies `main`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    Harness.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
