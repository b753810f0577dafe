/// A small customer for the report tests (engine, renderer, CLI): a hostile name and texts,
/// two paid invoices (one 16 days late, one on time), one overdue and disputed, one current,
/// a dunning action, a contact, a broken promise, a dispute. Reported as of 2025-06-30.
public enum ReportFixture {
    public static let customer = "HOST"
    /// Markup, quotes and an ampersand: must reach the page escaped, never as markup.
    public static let hostileName = #"Evil <script>alert("x")</script> & Sons' <b>Ltd</b>"#
    public static let asOf = "2025-06-30"

    public static let feed = #"""
        {"id":"h1","type":"customer.registered","at":"2025-01-02T09:00:00Z","customer":"HOST","name":"Evil <script>alert(\"x\")</script> & Sons' <b>Ltd</b>","contact":"<img src=http://evil.example/x.png>","email":"a&b@host.example","industry":"</td></tr></table>","currency":"EUR","terms_days":30,"credit_limit":"10000.00"}
        {"id":"h2","type":"invoice.issued","at":"2025-01-05T09:00:00Z","customer":"HOST","invoice":"I-1","amount":"1000.00","issued_on":"2025-01-05"}
        {"id":"h3","type":"invoice.issued","at":"2025-02-01T09:00:00Z","customer":"HOST","invoice":"I-2","amount":"2000.00","issued_on":"2025-02-01"}
        {"id":"h4","type":"payment.received","at":"2025-02-20T09:00:00Z","customer":"HOST","payment":"P-1","amount":"1000.00","received_on":"2025-02-20","allocations":[{"invoice":"I-1","amount":"1000.00"}]}
        {"id":"h5","type":"payment.received","at":"2025-03-03T09:00:00Z","customer":"HOST","payment":"P-2","amount":"2000.00","received_on":"2025-03-03","allocations":[{"invoice":"I-2","amount":"2000.00"}]}
        {"id":"h6","type":"invoice.issued","at":"2025-03-10T09:00:00Z","customer":"HOST","invoice":"I-3","amount":"5000.00","issued_on":"2025-03-10"}
        {"id":"h7","type":"dunning.action","at":"2025-04-10T09:00:00Z","customer":"HOST","level":1,"channel":"email","invoice":"I-3","actor":"collector-7","note":"<a href=\"http://evil.example\">pay</a>"}
        {"id":"h8","type":"collection.contact","at":"2025-04-15T09:00:00Z","customer":"HOST","outcome":"reached","channel":"phone","actor":"collector-7"}
        {"id":"h9","type":"promise.recorded","at":"2025-04-16T09:00:00Z","customer":"HOST","amount":"2000.00","promised_on":"2025-04-30","invoice":"I-3"}
        {"id":"h10","type":"dispute.opened","at":"2025-04-20T09:00:00Z","customer":"HOST","invoice":"I-3","amount":"1000.00","reason":"wrong <qty> & price"}
        {"id":"h11","type":"invoice.issued","at":"2025-05-20T09:00:00Z","customer":"HOST","invoice":"I-4","amount":"3000.00","issued_on":"2025-05-20"}

        """#
}
