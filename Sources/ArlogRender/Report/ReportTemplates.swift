/// The report pages' built-in Mustache templates and stylesheet (docs/report.md). HTML content
/// type: `{{x}}` is escaped; `{{{x}}}` only for the charts' SVG and a rendered body.
enum ReportTemplates {
    static let all: [String: String] = ["layout": layout, "customer": customer]

    /// The page around a body: head, inline stylesheet, heading, footer.
    static let layout = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="generator" content="arlog" />
        <title>{{title}}</title>
        <style>
        {{{css}}}
        </style>
        </head>
        <body>
        <header class="page-head">
        <h1>{{title}}</h1>
        <p class="subtitle">{{subtitle}}</p>
        </header>
        <main>
        {{{body}}}
        </main>
        <footer class="page-foot">{{footer}}</footer>
        </body>
        </html>

        """

    /// One customer.
    static let customer = """
        <section class="cols">
        <div class="panel">
        <h2>Profile</h2>
        <dl class="profile">
        {{#profile}}<dt>{{label}}</dt><dd>{{value}}</dd>
        {{/profile}}
        </dl>
        </div>
        <div class="panel grade-panel">
        <h2>Credit grade</h2>
        <div class="grade {{grade_class}}" aria-label="grade {{grade}}">{{grade}}</div>
        <p class="score">Score <strong>{{score}}</strong> of 100</p>
        <p class="muted">Policy {{policy}}</p>
        {{#over_limit}}<p class="flag">Over the credit limit</p>{{/over_limit}}
        </div>
        </section>

        <section>
        <h2>Balance</h2>
        <div class="figures">
        {{#figures}}<div class="figure{{#warn}} warn{{/warn}}"><span class="label">{{label}}</span><span class="value">{{value}}</span><span class="unit">{{unit}}</span></div>
        {{/figures}}
        </div>
        </section>

        <section class="keep">
        <h2>Aging</h2>
        {{{aging_chart}}}
        <table class="num-table narrow">
        <thead><tr><th>Bucket</th><th class="num">Amount ({{currency}})</th><th class="num">Share</th></tr></thead>
        <tbody>
        {{#aging}}<tr><td class="nowrap">{{bucket}}</td><td class="num">{{amount}}</td><td class="num">{{share}}</td></tr>
        {{/aging}}
        </tbody>
        </table>
        </section>

        <section class="keep">
        <h2>Credit score</h2>
        {{{score_chart}}}
        <div class="factors-cols">
        <h3>Factors on {{as_of}}</h3>
        <table class="num-table">
        <thead><tr><th>Factor</th><th class="num">Points</th><th class="num">Weight</th></tr></thead>
        <tbody>
        {{#factors}}<tr><td>{{name}}</td><td class="num">{{points}}</td><td class="num">{{weight}}</td></tr>
        {{/factors}}
        </tbody>
        </table>
        </div>
        </section>

        <section>
        <h3>Grade changes</h3>
        {{#has_grade_changes}}
        <table class="num-table">
        <thead><tr><th>Date</th><th>Grade</th><th class="num">Score</th><th>Caused by</th></tr></thead>
        <tbody>
        {{#grade_changes}}<tr><td class="nowrap">{{date}}</td><td class="nowrap {{#better}}better{{/better}}{{#worse}}worse{{/worse}}">{{from}} → {{to}}</td><td class="num">{{score_from}} → {{score}}</td><td class="small">{{cause}}</td></tr>
        {{/grade_changes}}
        </tbody>
        </table>
        <p class="muted">{{grade_changes_cut}}</p>
        {{/has_grade_changes}}
        {{^has_grade_changes}}<p class="muted">No grade changes.</p>{{/has_grade_changes}}
        </section>

        <section class="keep">
        <h2>Payment behaviour</h2>
        {{{days_late_chart}}}
        {{#has_paid}}
        <table class="num-table">
        <thead><tr><th>Invoice</th><th>Issued</th><th>Due</th><th>Paid</th><th class="num">Paid ({{currency}})</th><th class="num">Days late (mean)</th><th class="num">Most</th></tr></thead>
        <tbody>
        {{#paid}}<tr><td class="nowrap">{{invoice}}</td><td class="nowrap">{{issued}}</td><td class="nowrap">{{due}}</td><td class="nowrap">{{paid_on}}</td><td class="num">{{paid}}</td><td class="num{{#late}} late{{/late}}">{{days_late}}</td><td class="num">{{days_late_max}}</td></tr>
        {{/paid}}
        </tbody>
        </table>
        <p class="muted">{{paid_cut}}</p>
        {{/has_paid}}
        {{^has_paid}}<p class="muted">No paid invoices yet.</p>{{/has_paid}}
        </section>

        <section>
        <h2>Dunning and contacts</h2>
        {{#has_collections}}
        <table>
        <thead><tr><th>Date</th><th>What</th><th>Invoice</th><th>By</th><th>Note</th></tr></thead>
        <tbody>
        {{#collections}}<tr><td class="nowrap">{{date}}</td><td>{{what}}</td><td class="nowrap">{{invoice}}</td><td class="nowrap">{{actor}}</td><td class="small">{{note}}</td></tr>
        {{/collections}}
        </tbody>
        </table>
        <p class="muted">{{collections_cut}}</p>
        {{/has_collections}}
        {{^has_collections}}<p class="muted">No dunning actions, contacts, promises or disputes.</p>{{/has_collections}}
        </section>

        <section>
        <h2>Disputes</h2>
        {{#has_disputes}}
        <table class="num-table">
        <thead><tr><th>Invoice</th><th>Opened</th><th class="num">Amount ({{currency}})</th><th class="num">Disputed now</th><th>Reason</th><th>State</th></tr></thead>
        <tbody>
        {{#disputes}}<tr><td class="nowrap">{{invoice}}</td><td class="nowrap">{{opened}}</td><td class="num">{{amount}}</td><td class="num">{{disputed}}</td><td>{{reason}}</td><td class="{{#open}}late{{/open}}">{{state}}</td></tr>
        {{/disputes}}
        </tbody>
        </table>
        {{/has_disputes}}
        {{^has_disputes}}<p class="muted">No disputes.</p>{{/has_disputes}}
        </section>

        <section>
        <h2>Promises to pay</h2>
        {{#has_promises}}
        <table class="num-table">
        <thead><tr><th>Made</th><th class="num">Amount ({{currency}})</th><th>By</th><th>Invoice</th><th>Status</th></tr></thead>
        <tbody>
        {{#promises}}<tr><td class="nowrap">{{made}}</td><td class="num">{{amount}}</td><td class="nowrap">{{by}}</td><td class="nowrap">{{invoice}}</td><td class="{{#broken}}late{{/broken}}{{#kept}}better{{/kept}}">{{status}}</td></tr>
        {{/promises}}
        </tbody>
        </table>
        {{/has_promises}}
        {{^has_promises}}<p class="muted">No promises.</p>{{/has_promises}}
        </section>

        <section class="statement">
        <h2>Statement of account, {{statement_from}} to {{statement_to}}</h2>
        <table class="num-table">
        <thead><tr><th>Date</th><th>Type</th><th>Reference</th><th>Description</th><th class="num">Amount ({{currency}})</th><th class="num">Balance</th></tr></thead>
        <tbody>
        <tr class="sum"><td class="nowrap">{{statement_from}}</td><td colspan="4">Opening balance</td><td class="num">{{opening}}</td></tr>
        {{#lines}}<tr><td class="nowrap">{{date}}</td><td class="nowrap">{{kind}}</td><td class="nowrap">{{reference}}</td><td class="small">{{description}}</td><td class="num">{{amount}}</td><td class="num">{{balance}}</td></tr>
        {{/lines}}
        <tr class="sum"><td class="nowrap">{{statement_to}}</td><td colspan="4">Closing balance</td><td class="num">{{closing}}</td></tr>
        </tbody>
        </table>
        </section>

        """

    /// The pages' stylesheet (the charts' own, `ChartCSS.stylesheet`, follows it). System fonts
    /// only: no web fonts, nothing fetched.
    static let stylesheet = """
        :root{--ink:#1d2430;--muted:#5b6472;--rule:#d9dde3;--soft:#f4f6f8;--accent:#0072B2;--bad:#B84A00;--good:#00795A}
        *{box-sizing:border-box}
        html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;color:var(--ink);font-size:14px;line-height:1.45}
        body{margin:0 auto;max-width:60rem;padding:1.5rem 2rem 3rem}
        h1{font-size:1.7rem;margin:0 0 .2rem}
        h2{font-size:1.1rem;margin:1.6rem 0 .6rem;padding-bottom:.25rem;border-bottom:2px solid var(--accent)}
        h3{font-size:.95rem;margin:.8rem 0 .4rem;color:var(--muted)}
        .page-head{border-bottom:1px solid var(--rule);padding-bottom:.6rem}
        .subtitle{margin:0;color:var(--muted)}
        .page-foot{margin-top:2.5rem;padding-top:.6rem;border-top:1px solid var(--rule);color:var(--muted);font-size:.8rem}
        .factors-cols{max-width:30rem}
        .cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:0 2rem}
        .panel h2{margin-top:1.2rem}
        dl.profile{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
        dl.profile dt{color:var(--muted)}
        dl.profile dd{margin:0;overflow-wrap:anywhere}
        .grade-panel{text-align:left}
        .grade{display:inline-block;width:4.2rem;height:4.2rem;line-height:4.2rem;text-align:center;font-size:2.4rem;font-weight:700;border-radius:.6rem;color:#fff}
        .g-a{background:#009E73}.g-b{background:#56B4E9;color:#000}.g-c{background:#F0E442;color:#000}.g-d{background:#E69F00;color:#000}.g-e{background:#D55E00}
        .score{margin:.5rem 0 0;font-size:1.05rem}
        .flag{display:inline-block;margin:.4rem 0 0;padding:.1rem .5rem;border-radius:.3rem;background:#fde8dc;color:var(--bad);font-weight:600}
        .figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(10.5rem,1fr));gap:.6rem}
        .figure{background:var(--soft);border-radius:.4rem;padding:.5rem .7rem;display:flex;flex-direction:column}
        .figure .label{color:var(--muted);font-size:.8rem}
        .figure .value{font-size:1.15rem;font-weight:600;font-variant-numeric:tabular-nums}
        .figure .unit{color:var(--muted);font-size:.75rem}
        .figure.warn{background:#fde8dc}
        .figure.warn .value{color:var(--bad)}
        table{border-collapse:collapse;width:100%;margin:.3rem 0 .6rem;font-size:.88rem}
        table.narrow{max-width:30rem}
        th,td{text-align:left;padding:.28rem .5rem;border-bottom:1px solid var(--rule);vertical-align:top}
        thead th{background:var(--soft);font-weight:600;border-bottom:1px solid #b9c0c9}
        .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        .nowrap{white-space:nowrap}
        .small{font-size:.8rem;color:var(--muted);overflow-wrap:anywhere}
        .muted{color:var(--muted)}
        .late,.worse{color:var(--bad);font-weight:600}
        .better{color:var(--good);font-weight:600}
        tr.sum td{font-weight:600;background:var(--soft)}
        @page{size:A4;margin:14mm 12mm}
        @media print{
        html{font-size:11px}
        body{max-width:none;padding:0}
        h2{break-after:avoid;page-break-after:avoid}
        .keep{break-inside:avoid;page-break-inside:avoid}
        tr{break-inside:avoid;page-break-inside:avoid}
        .figure,.figure.warn,thead th,tr.sum td{-webkit-print-color-adjust:exact;print-color-adjust:exact}
        }
        """
}
