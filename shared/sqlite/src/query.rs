//! The SQL of session lists: keyset pagination over (sort_key, id) for each scope.

use crate::codec::ceil_millis;
use coaching_domain::ids::OrgId;
use coaching_domain::ports::{SessionQuery, SessionScope};
use coaching_domain::session::SessionStatus;
use rusqlite::types::Value;

/// A statement and its positional arguments, built together so they cannot drift apart.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub(crate) text: String,
    pub(crate) args: Vec<Value>,
}

impl Sql {
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }
    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.text.push('?');
        self.args.push(value.into());
        self
    }
    pub(crate) fn bind_str(&mut self, value: &str) -> &mut Self {
        self.bind(value.to_owned())
    }
}

/// One page of `q` in `org`; the statement yields one column, the session document.
///
/// Each scope walks its own index in (sort_key, id) order. The participant scope merges the
/// coach's and the client's walks, each cut at `limit`, so it never sorts more than `2 × limit`.
pub(crate) fn list(org: &OrgId, q: &SessionQuery) -> Sql {
    let mut sql = Sql::default();
    let limit = i64::from(q.limit);
    match &q.scope {
        SessionScope::Org => {
            sql.push("SELECT doc FROM sessions WHERE org = ")
                .bind_str(org.as_str());
            filters(&mut sql, q);
        }
        SessionScope::Coach(user) => {
            sql.push("SELECT doc FROM sessions WHERE org = ")
                .bind_str(org.as_str());
            sql.push(" AND coach_id = ").bind_str(user.as_str());
            filters(&mut sql, q);
        }
        SessionScope::Client(user) => {
            sql.push("SELECT doc FROM sessions WHERE org = ")
                .bind_str(org.as_str());
            sql.push(" AND client_id = ")
                .bind_str(user.as_str())
                .push(" AND status <> 'draft'");
            filters(&mut sql, q);
        }
        SessionScope::Participant(user) => {
            sql.push("SELECT s.doc AS doc, p.sort_key AS sort_key, p.id AS id FROM (");
            sql.push("SELECT sort_key, id FROM (SELECT sort_key, id FROM sessions WHERE org = ")
                .bind_str(org.as_str());
            sql.push(" AND coach_id = ").bind_str(user.as_str());
            filters(&mut sql, q);
            sql.push(" ORDER BY sort_key, id LIMIT ")
                .bind(limit)
                .push(")");
            sql.push(" UNION ");
            sql.push("SELECT sort_key, id FROM (SELECT sort_key, id FROM sessions WHERE org = ")
                .bind_str(org.as_str());
            sql.push(" AND client_id = ")
                .bind_str(user.as_str())
                .push(" AND status <> 'draft'");
            filters(&mut sql, q);
            sql.push(" ORDER BY sort_key, id LIMIT ")
                .bind(limit)
                .push(")");
            sql.push(") AS p JOIN sessions AS s ON s.org = ")
                .bind_str(org.as_str())
                .push(" AND s.id = p.id");
        }
    }
    sql.push(" ORDER BY sort_key, id LIMIT ").bind(limit);
    sql
}

fn filters(sql: &mut Sql, q: &SessionQuery) {
    if let Some((first, rest)) = q.statuses.split_first() {
        sql.push(" AND status IN (").bind_str(first.as_str());
        for s in rest {
            sql.push(", ").bind_str(s.as_str());
        }
        sql.push(")");
    }
    if q.from.is_some() || q.to.is_some() {
        // A time range never matches a draft, whatever its sort key.
        sql.push(" AND status <> '")
            .push(SessionStatus::Draft.as_str())
            .push("' AND starts_at IS NOT NULL");
    }
    // The sort key of a non-draft is its start in milliseconds: the range walks the index.
    if let Some(from) = q.from {
        sql.push(" AND sort_key >= ").bind(ceil_millis(from));
    }
    if let Some(to) = q.to {
        sql.push(" AND sort_key < ").bind(ceil_millis(to));
    }
    if let Some(after) = &q.after {
        sql.push(" AND (sort_key, id) > (")
            .bind(after.sort_key)
            .push(", ")
            .bind(after.id.clone())
            .push(")");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coaching_domain::ids::UserId;
    use coaching_domain::ports::Cursor;

    fn query(scope: SessionScope) -> SessionQuery {
        SessionQuery {
            scope,
            statuses: vec![],
            from: None,
            to: None,
            limit: 10,
            after: None,
        }
    }

    #[test]
    fn placeholders_and_arguments_always_match_in_number() {
        let org = OrgId::parse("o").unwrap();
        let user = UserId::parse("u").unwrap();
        for scope in [
            SessionScope::Org,
            SessionScope::Coach(user.clone()),
            SessionScope::Client(user.clone()),
            SessionScope::Participant(user),
        ] {
            let mut q = query(scope);
            q.statuses = vec![SessionStatus::Scheduled, SessionStatus::Completed];
            q.from = Some(chrono::Utc::now());
            q.to = Some(chrono::Utc::now());
            q.after = Some(Cursor {
                sort_key: 5,
                id: "x".into(),
            });
            let sql = list(&org, &q);
            assert_eq!(
                sql.text.matches('?').count(),
                sql.args.len(),
                "{}",
                sql.text
            );
        }
    }

    #[test]
    fn an_unfiltered_list_binds_only_the_org_and_the_limit() {
        let sql = list(&OrgId::parse("o").unwrap(), &query(SessionScope::Org));
        assert_eq!(
            sql.text,
            "SELECT doc FROM sessions WHERE org = ? ORDER BY sort_key, id LIMIT ?"
        );
        assert_eq!(sql.args, vec![Value::Text("o".into()), Value::Integer(10)]);
    }
}

/// The statements walk indexes: no full scan, and no sort for the single-index scopes.
#[cfg(test)]
mod plans {
    use super::*;
    use chrono::Utc;
    use coaching_domain::ids::UserId;
    use coaching_domain::ports::Cursor;
    use rusqlite::{Connection, params_from_iter};

    fn plan(sql: &str, args: &[Value]) -> String {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::apply(&mut conn).unwrap();
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = st
            .query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn every_list_shape_reads_through_an_index() {
        let (org, user) = (OrgId::parse("o").unwrap(), UserId::parse("u").unwrap());
        let scopes = [
            SessionScope::Org,
            SessionScope::Coach(user.clone()),
            SessionScope::Client(user.clone()),
            SessionScope::Participant(user),
        ];
        for scope in scopes {
            let single = scope != SessionScope::Participant(UserId::parse("u").unwrap());
            let bare = SessionQuery {
                scope,
                statuses: vec![],
                from: None,
                to: None,
                limit: 50,
                after: None,
            };
            let filtered = SessionQuery {
                statuses: vec![SessionStatus::Scheduled],
                from: Some(Utc::now()),
                to: Some(Utc::now()),
                after: Some(Cursor {
                    sort_key: 1,
                    id: "x".into(),
                }),
                ..bare.clone()
            };
            for q in [bare, filtered] {
                let sql = list(&org, &q);
                let plan = plan(&sql.text, &sql.args);
                assert!(
                    !plan
                        .lines()
                        .any(|l| l.starts_with("SCAN s") && !l.contains("INDEX")),
                    "{q:?}\n{plan}"
                );
                if single {
                    assert!(!plan.contains("TEMP B-TREE"), "{q:?}\n{plan}");
                }
            }
        }
    }

    #[test]
    fn coach_busy_reads_the_coach_start_index() {
        let plan = plan(
            "SELECT doc FROM sessions WHERE org = ?1 AND coach_id = ?2 AND starts_at >= ?3 AND starts_at < ?4 \
             AND status IN ('scheduled', 'completed', 'no_show') ORDER BY starts_at, id",
            &[
                Value::Text("o".into()),
                Value::Text("c".into()),
                Value::Integer(0),
                Value::Integer(10),
            ],
        );
        assert!(plan.contains("sessions_coach_start"), "{plan}");
    }
}
