/// What a decoded state costs in memory, so that a writer can bound what one transaction
/// holds by bytes rather than by customers (whose histories differ) or events.
extension CustomerState {
    /// Bytes of a Swift array's heap header (its count, capacity and object header).
    static let arrayHeaderBytes = 32

    /// An estimate of the heap this state holds: the struct, and each array's capacity times
    /// its element's stride plus a header. An estimate (the deque's consumed head, the
    /// allocator's rounding and a promise's invoice id past a String's inline 15 bytes are not
    /// counted), cheap enough to take after every event.
    public var heapBytesEstimate: Int {
        func bytes<T>(_ a: [T]) -> Int { a.capacity * MemoryLayout<T>.stride + CustomerState.arrayHeaderBytes }
        return MemoryLayout<CustomerState>.stride
            + invoices.count * MemoryLayout<OpenInvoice>.stride + CustomerState.arrayHeaderBytes
            + bytes(slots) + bytes(ids) + bytes(dues) + bytes(payments) + bytes(reversalDays) + bytes(openedSlots)
            + bytes(disputes) + bytes(promises)
    }
}
