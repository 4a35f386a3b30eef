//! The one expectation table: every operation of the document × the eight callers.

use coaching_tests::Resp;

/// The answer class a caller must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// No credential needed (or the credential is in the path): a 2xx whatever the token.
    Public,
    /// A 2xx. For another org's admin: in their own org, never touching or showing ours.
    Allowed,
    /// 401 `unauthenticated`.
    Unauthorized,
    /// 403 `forbidden`.
    Forbidden,
    /// 404 `not_found`.
    NotFound,
}

impl Expect {
    /// True when the caller may get a 2xx (a call that may change state).
    pub fn lets_in(self) -> bool {
        matches!(self, Expect::Public | Expect::Allowed)
    }

    /// What is wrong with `r` for this class, if anything.
    pub fn mismatch(self, r: &Resp) -> Option<String> {
        let status = r.status();
        let (ok, code) = match self {
            Expect::Public | Expect::Allowed => ((200..300).contains(&status), None),
            Expect::Unauthorized => (status == 401, Some("unauthenticated")),
            Expect::Forbidden => (status == 403, Some("forbidden")),
            Expect::NotFound => (status == 404, Some("not_found")),
        };
        let problem_ok = code.is_none_or(|c| r.is_problem() && r.code() == c);
        (!ok || !problem_ok).then(|| format!("got {status} {}", r.body))
    }
}

/// One operation's expectations, in the column order of `callers::CALLERS`.
#[derive(Debug)]
pub struct Row {
    pub op: &'static str,
    pub expect: [Expect; 8],
}

const P: Expect = Expect::Public;
const A: Expect = Expect::Allowed;
const U: Expect = Expect::Unauthorized;
const F: Expect = Expect::Forbidden;
const N: Expect = Expect::NotFound;

const fn row(op: &'static str, expect: [Expect; 8]) -> Row {
    Row { op, expect }
}

/// Columns: no token, expired, bad signature, another org's admin, a client who takes part in
/// nothing, the participant client, the coach, an admin. Another org's admin is `A` where the
/// operation acts on the caller's own org (an inbox, a setting, a new record of theirs) and `N`
/// where it names one of our records.
#[rustfmt::skip]
pub const ROWS: &[Row] = &[
    // Public: the token, good or bad, is not looked at.
    row("GET /health",                                        [P, P, P, P, P, P, P, P]),
    row("GET /openapi.json",                                  [P, P, P, P, P, P, P, P]),
    // The feed's secret is the token in its path: a bearer token neither helps nor hurts.
    row("GET /v1/calendar/{token}.ics",                       [P, P, P, P, P, P, P, P]),
    // Signed by the evaluation system: a bearer token is no signature.
    row("POST /v1/orgs/{orgId}/webhooks/evaluations",         [U, U, U, U, U, U, U, U]),
    // The test clock is a test server's switch (only with COACHING_TEST_CLOCK=1): any user reads
    // it, only an admin moves it (it decides fees and windows for everyone on the server).
    row("GET /v1/test-clock",                                 [U, U, U, A, A, A, A, A]),
    row("PUT /v1/test-clock",                                 [U, U, U, A, F, F, F, A]),
    row("GET /v1/notifications",                              [U, U, U, A, A, A, A, A]),
    row("POST /v1/calendar-token",                            [U, U, U, A, A, A, A, A]),
    // Coaches: anyone of the org reads; that coach or an admin writes.
    row("PUT /v1/coaches/{coachId}/settings",                 [U, U, U, A, F, F, A, A]),
    row("GET /v1/coaches/{coachId}/settings",                 [U, U, U, N, A, A, A, A]),
    row("GET /v1/coaches/{coachId}/slots",                    [U, U, U, N, A, A, A, A]),
    row("GET /v1/coaches/{coachId}/analytics",                [U, U, U, A, F, F, A, A]),
    // Sessions: participants and admins; a stranger (or another org) gets 404.
    row("POST /v1/sessions",                                  [U, U, U, N, F, A, A, A]),
    row("GET /v1/sessions",                                   [U, U, U, A, A, A, A, A]),
    row("GET /v1/sessions/{id}",                              [U, U, U, N, N, A, A, A]),
    row("PATCH /v1/sessions/{id}",                            [U, U, U, N, N, F, A, A]),
    row("POST /v1/sessions/{id}/cancel",                      [U, U, U, N, N, A, A, A]),
    row("POST /v1/sessions/{id}/complete",                    [U, U, U, N, N, F, A, A]),
    row("POST /v1/sessions/{id}/no-show",                     [U, U, U, N, N, F, A, A]),
    row("POST /v1/sessions/{id}/join",                        [U, U, U, N, N, A, A, F]),
    row("POST /v1/sessions/{id}/review-request",              [U, U, U, N, N, F, A, A]),
    row("POST /v1/sessions/{id}/review",                      [U, U, U, N, N, A, F, F]),
    row("POST /v1/sessions/{id}/action-items",                [U, U, U, N, N, F, A, A]),
    // Messages: the participants write and read; an admin reads, never writes.
    row("POST /v1/sessions/{id}/messages",                    [U, U, U, N, N, A, A, F]),
    row("GET /v1/sessions/{id}/messages",                     [U, U, U, N, N, A, A, A]),
    // Rescheduling: an admin moves a session as its coach would.
    row("POST /v1/sessions/{id}/reschedule",                  [U, U, U, N, N, A, A, A]),
    row("GET /v1/reschedule-requests",                        [U, U, U, A, A, A, A, A]),
    row("GET /v1/reschedule-requests/{id}",                   [U, U, U, N, N, A, A, A]),
    row("POST /v1/reschedule-requests/{id}/approve",          [U, U, U, N, N, F, A, A]),
    row("POST /v1/reschedule-requests/{id}/reject",           [U, U, U, N, N, F, A, A]),
    row("POST /v1/admin/jobs/{job}/run",                      [U, U, U, A, F, F, F, A]),
    // Evaluations and review sessions.
    row("GET /v1/coachees/{coacheeId}/evaluations",           [U, U, U, A, F, A, A, A]),
    row("GET /v1/coachees/{coacheeId}/criteria-stats",        [U, U, U, A, F, A, A, A]),
    row("PUT /v1/sessions/{id}/criteria/{criterionId}",       [U, U, U, N, N, F, A, A]),
    row("DELETE /v1/sessions/{id}/criteria/{criterionId}",    [U, U, U, N, N, F, A, A]),
    row("POST /v1/sessions/{id}/generate",                    [U, U, U, N, N, F, A, A]),
    // The org: admins write, members read.
    row("GET /v1/org/settings",                               [U, U, U, A, A, A, A, A]),
    row("PUT /v1/org/settings",                               [U, U, U, A, F, F, F, A]),
    row("POST /v1/org/webhook-secret",                        [U, U, U, A, F, F, F, A]),
    row("GET /v1/org/webhook-secret",                         [U, U, U, A, F, F, F, A]),
    row("POST /v1/kb-articles",                               [U, U, U, A, F, F, F, A]),
    row("GET /v1/kb-articles",                                [U, U, U, A, A, A, A, A]),
    row("DELETE /v1/kb-articles/{articleId}",                 [U, U, U, N, F, F, F, A]),
    // Continuity: templates are coaches' (and admins'); a client has none to read.
    row("POST /v1/agenda-templates",                          [U, U, U, A, F, F, A, A]),
    row("GET /v1/agenda-templates",                           [U, U, U, A, F, F, A, A]),
    row("PATCH /v1/action-items/{id}",                        [U, U, U, N, N, A, A, A]),
    row("GET /v1/action-items",                               [U, U, U, A, F, A, A, A]),
    // Outbound webhooks: admins only; another org's admin works in (and sees) their own org.
    row("POST /v1/webhook-endpoints",                         [U, U, U, A, F, F, F, A]),
    row("GET /v1/webhook-endpoints",                          [U, U, U, A, F, F, F, A]),
    row("GET /v1/webhook-endpoints/{id}",                     [U, U, U, N, F, F, F, A]),
    row("PATCH /v1/webhook-endpoints/{id}",                   [U, U, U, N, F, F, F, A]),
    row("DELETE /v1/webhook-endpoints/{id}",                  [U, U, U, N, F, F, F, A]),
    row("POST /v1/webhook-endpoints/{id}/rotate-secret",      [U, U, U, N, F, F, F, A]),
    row("POST /v1/webhook-endpoints/{id}/test",               [U, U, U, N, F, F, F, A]),
    row("GET /v1/webhook-endpoints/{id}/deliveries",          [U, U, U, N, F, F, F, A]),
    row("POST /v1/webhook-deliveries/{id}/retry",             [U, U, U, N, F, F, F, A]),
    row("POST /v1/admin/jobs/deliveries/run",                 [U, U, U, A, F, F, F, A]),
];
