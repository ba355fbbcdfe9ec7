/// The log lines event content is drawn from: the kinds of line a service fleet writes (HTTP access, auth,
/// database, cache, queue, scheduler, storage), each with the `status` such a line would carry.
///
/// Lines are checked against the configured term when a synthesizer is built: a line that contains the term
/// or a decoy in any letter case is left out, so only term lines ever carry the term.
enum Vocabulary {
    /// The status field's values.
    static let statuses = ["OK", "WARN", "ERROR"]

    /// Ordinary lines, with an index into `statuses`.
    static let lines: [(text: String, status: Int)] = [
        ("GET /api/v1/orders/8812 200 14ms bytes=2311", 0),
        ("GET /api/v1/catalog?page=3 200 41ms bytes=18220", 0),
        ("POST /api/v1/cart/items 201 23ms bytes=512", 0),
        ("PUT /api/v1/profile 204 17ms", 0),
        ("GET /static/js/app.4f2c1.js 304 2ms", 0),
        ("DELETE /api/v1/sessions/current 204 9ms", 0),
        ("GET /api/v1/search?q=blue+shoes 200 87ms bytes=9120", 0),
        ("GET /healthz 200 1ms", 0),
        ("POST /api/v1/payments 502 3004ms upstream timed out", 2),
        ("GET /api/v1/invoices/77 404 6ms not found", 1),
        ("POST /api/v1/login 429 3ms rate limited", 1),
        ("user signed in with password, mfa=totp", 0),
        ("user signed out after 42 minutes", 0),
        ("login failed: wrong password (attempt 2 of 5)", 1),
        ("password reset link sent to registered address", 0),
        ("oauth token refreshed for client mobile-ios", 0),
        ("session expired, redirecting to sign-in page", 1),
        ("api key rotated by administrator", 0),
        ("db query orders_by_user took 212ms (slow query threshold 200ms)", 1),
        ("db connection pool at 48 of 50 connections", 1),
        ("db transaction committed in 8ms, 3 rows written", 0),
        ("db replica lag 1.4s on replica-2", 1),
        ("db deadlock detected, transaction retried", 2),
        ("migration 2024_11_02_add_index applied", 0),
        ("cache hit ratio 0.94 over the last minute", 0),
        ("cache miss for key product:4471, loading from db", 0),
        ("cache eviction: 1200 keys expired", 0),
        ("cache node cache-3 unreachable, failing over", 2),
        ("queue orders-v2 depth 1840, consumers 6", 0),
        ("message 9f1c delivered to billing after 2 attempts", 0),
        ("queue consumer rebalanced, 12 partitions assigned", 0),
        ("dead-letter queue received message 4be0 after 5 retries", 2),
        ("scheduled job nightly-report finished in 93s", 0),
        ("scheduled job cleanup skipped, previous run still active", 1),
        ("uploaded avatar.png to object storage, 184 KB", 0),
        ("disk usage at 91 percent on /var/lib/data", 1),
        ("tls certificate for api.example.com expires in 12 days", 1),
        ("feature flag new-checkout enabled for 10 percent of users", 0),
        ("email receipt queued for order 8812", 0),
        ("websocket connection opened from mobile client", 0),
        ("websocket connection closed by peer, code 1001", 0),
        ("config reloaded, 3 values changed", 0),
        ("gc pause 38ms, heap 612 MB of 1024 MB", 0),
        ("thread pool saturated, 64 tasks waiting", 1),
        ("request id 5d1e retried after connection reset", 1),
    ]

    /// Lines that carry the term, where `%` stands for one of its spellings (`TermVariant`) or, for decoy
    /// events, one of its decoys. They are all errors.
    static let termTemplates: [String] = [
        "app % in renderer",
        "worker process % with signal 11",
        "% report uploaded for build 7.4.2",
        "payment service % while handling request 5d1e",
        "mobile client % on startup, device model SM-G991B",
        "% loop detected in pod checkout-6f9c, restart count 4",
        "kernel reported a % in the video driver",
        "browser tab % after running out of memory",
    ]

    /// The status index of term lines.
    static let termStatus = 2
    /// The status index of oversize records (a log line that long is a warning in itself).
    static let oversizeStatus = 1
}
