// The worked example of docs/analytics.md: a small feed whose portfolio figures on 2025-03-31
// are computed by hand there. The domain, engine and CLI tests assert those numbers exactly.
public enum PortfolioExample {
    /// Four customers: A and B (EUR) with invoices, payments and a write-off since January,
    /// C (EUR) with only a payment (a credit, negative balance), D (USD) with one month of
    /// history. Report date 2025-03-31; the CEI period is March.
    public static let feed = [
        #"{"id":"r-A","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"A","name":"Alpha","currency":"EUR","terms_days":30,"credit_limit":"10000.00","industry":"retail"}"#,
        #"{"id":"r-B","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"B","name":"Beta","currency":"EUR","terms_days":30,"credit_limit":"0.00","industry":"retail"}"#,
        #"{"id":"i-B1","type":"invoice.issued","at":"2025-01-05T12:00:00Z","customer":"B","invoice":"B1","amount":"2000.00","issued_on":"2025-01-05"}"#,
        #"{"id":"i-A1","type":"invoice.issued","at":"2025-01-10T12:00:00Z","customer":"A","invoice":"A1","amount":"1000.00","issued_on":"2025-01-10"}"#,
        #"{"id":"i-A2","type":"invoice.issued","at":"2025-02-15T12:00:00Z","customer":"A","invoice":"A2","amount":"2000.00","issued_on":"2025-02-15"}"#,
        #"{"id":"p-A1","type":"payment.received","at":"2025-02-20T12:00:00Z","customer":"A","payment":"P1","amount":"1000.00","received_on":"2025-02-20"}"#,
        #"{"id":"r-C","type":"customer.registered","at":"2025-03-01T09:00:00Z","customer":"C","name":"Gamma","currency":"EUR","terms_days":30,"credit_limit":"1000.00"}"#,
        #"{"id":"r-D","type":"customer.registered","at":"2025-03-01T09:00:00Z","customer":"D","name":"Delta","currency":"USD","terms_days":30,"credit_limit":"500.00","industry":"energy"}"#,
        #"{"id":"i-D1","type":"invoice.issued","at":"2025-03-02T12:00:00Z","customer":"D","invoice":"D1","amount":"100.00","issued_on":"2025-03-02"}"#,
        #"{"id":"w-B1","type":"invoice.written_off","at":"2025-03-05T12:00:00Z","customer":"B","invoice":"B1","amount":"500.00"}"#,
        #"{"id":"i-A3","type":"invoice.issued","at":"2025-03-10T12:00:00Z","customer":"A","invoice":"A3","amount":"3000.00","issued_on":"2025-03-10"}"#,
        #"{"id":"i-B2","type":"invoice.issued","at":"2025-03-15T12:00:00Z","customer":"B","invoice":"B2","amount":"1000.00","issued_on":"2025-03-15"}"#,
        #"{"id":"p-A2","type":"payment.received","at":"2025-03-20T12:00:00Z","customer":"A","payment":"P2","amount":"500.00","received_on":"2025-03-20"}"#,
        #"{"id":"p-C1","type":"payment.received","at":"2025-03-25T12:00:00Z","customer":"C","payment":"P3","amount":"300.00","received_on":"2025-03-25"}"#,
    ].joined(separator: "\n") + "\n"
}
