//! Cases: agenda templates (created once, read back per org, listed by id and by owner) and the
//! action-item index (exactly the items of the stored sessions, a move in either put order, a
//! drop, drafts not listed, the assignee's list open first and paged).

use crate::fixtures::*;
use coaching_domain::ids::{ActionItemId, AgendaTemplateId, OrgId};
use coaching_domain::org::AgendaTemplate;
use coaching_domain::ports::{ActionItemQuery, Changes, SessionPut, Store, StoreError};
use coaching_domain::session::{ActionItem, Session, SessionStatus};
use std::sync::Arc;

fn template(org: &OrgId, id: &str, owner: &str) -> AgendaTemplate {
    AgendaTemplate {
        id: AgendaTemplateId::parse(id).unwrap(),
        org: org.clone(),
        owner_id: user(owner),
        name: format!("Template {id} – ünïcödé"),
        items: vec!["Wins".into(), "Blockers".into()],
        created_at: at(0),
    }
}

fn item(s: &Session, id: &str, done: bool) -> ActionItem {
    ActionItem {
        id: ActionItemId::parse(id).unwrap(),
        session_id: s.id.clone(),
        title: format!("item {id}"),
        due_date: None,
        assignee_id: s.client_id.clone(),
        done,
        source_evaluation_ids: vec![],
        created_at: at(0),
        generation_id: None,
    }
}

fn with_items(mut s: Session, items: &[(&str, bool)]) -> Session {
    s.action_items = items.iter().map(|(id, d)| item(&s, id, *d)).collect();
    s
}

fn query(assignee: &str, open_only: bool, limit: u32) -> ActionItemQuery {
    ActionItemQuery {
        assignee: user(assignee),
        open_only,
        coach: None,
        limit,
        after: None,
    }
}

async fn listed(store: &dyn Store, org: &OrgId, q: &ActionItemQuery) -> Vec<(String, String)> {
    store
        .action_items(org, q)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|a| (a.id.to_string(), a.session_id.to_string()))
        .collect()
}

fn pair(id: &str, session: &str) -> (String, String) {
    (id.to_owned(), session.to_owned())
}

pub async fn agenda_templates_read_back_per_org_and_list_by_id_and_by_owner(store: Arc<dyn Store>) {
    let (org, other) = (fresh_org(), fresh_org());
    let (a, b, c) = (
        template(&org, "t-1", "c1"),
        template(&org, "t-2", "c2"),
        template(&org, "t-3", "c1"),
    );
    for t in [&a, &b, &c] {
        store.put_agenda_template(t).await.unwrap();
    }
    assert_eq!(
        store.put_agenda_template(&a).await,
        Err(StoreError::Conflict)
    );
    assert_eq!(
        store.agenda_template(&org, &a.id).await.unwrap(),
        Some(a.clone())
    );
    assert_eq!(store.agenda_template(&other, &a.id).await.unwrap(), None);
    let all = store.agenda_templates(&org, None, 10, None).await.unwrap();
    assert_eq!(all, vec![a.clone(), b.clone(), c.clone()]);
    let mine = store
        .agenda_templates(&org, Some(&user("c1")), 10, None)
        .await
        .unwrap();
    assert_eq!(mine, vec![a.clone(), c.clone()]);
    let after = store
        .agenda_templates(&org, Some(&user("c1")), 1, Some(&a.id))
        .await
        .unwrap();
    assert_eq!(after, vec![c.clone()]);
    assert_eq!(
        store
            .agenda_templates(&other, None, 10, None)
            .await
            .unwrap(),
        vec![]
    );
}

pub async fn the_action_item_index_follows_puts_and_lists_open_items_first(store: Arc<dyn Store>) {
    let org = fresh_org();
    let s = with_items(
        session(&org, "s-1", "c1", "k1", at(0)),
        &[("ai-b", true), ("ai-a", false)],
    );
    let d = with_items(draft(&org, "s-d", "c1", "k1"), &[("ai-c", false)]);
    store.commit(insert(&[&s, &d])).await.unwrap();

    assert_eq!(
        store
            .action_item_session(&org, &ActionItemId::parse("ai-c").unwrap())
            .await
            .unwrap(),
        Some(d.id.clone())
    );
    assert_eq!(
        store
            .action_item_session(&fresh_org(), &ActionItemId::parse("ai-a").unwrap())
            .await
            .unwrap(),
        None
    );
    // Drafts' items are not listed; open ones come first.
    assert_eq!(
        listed(&*store, &org, &query("k1", false, 10)).await,
        vec![pair("ai-a", "s-1"), pair("ai-b", "s-1")]
    );
    assert_eq!(
        listed(&*store, &org, &query("k1", true, 10)).await,
        vec![pair("ai-a", "s-1")]
    );
    let first = store
        .action_items(&org, &query("k1", false, 1))
        .await
        .unwrap();
    let rest = ActionItemQuery {
        after: first.next.clone(),
        ..query("k1", false, 10)
    };
    assert_eq!(
        listed(&*store, &org, &rest).await,
        vec![pair("ai-b", "s-1")]
    );
    let by_other_coach = ActionItemQuery {
        coach: Some(user("c9")),
        ..query("k1", false, 10)
    };
    assert_eq!(listed(&*store, &org, &by_other_coach).await, vec![]);

    // A drop named in the set removes the item.
    let mut dropped = bumped(&s);
    dropped.action_items.retain(|a| a.id.as_str() != "ai-b");
    let mut changes = update(&dropped, s.version);
    changes.dropped_action_items = vec![ActionItemId::parse("ai-b").unwrap()];
    store.commit(changes).await.unwrap();
    assert_eq!(
        listed(&*store, &org, &query("k1", false, 10)).await,
        vec![pair("ai-a", "s-1")]
    );
    assert_eq!(
        store
            .action_item_session(&org, &ActionItemId::parse("ai-b").unwrap())
            .await
            .unwrap(),
        None
    );
}

pub async fn a_moved_action_item_ends_on_its_new_session_whatever_the_put_order(
    store: Arc<dyn Store>,
) {
    for next_first in [false, true] {
        let org = fresh_org();
        let s = with_items(
            session(&org, "s-1", "c1", "k1", at(0)),
            &[("ai-open", false), ("ai-done", true)],
        );
        store.commit(insert(&[&s])).await.unwrap();
        let mut finished = with_status(bumped(&s), SessionStatus::Completed);
        finished.action_items.retain(|a| a.done);
        let next = with_items(
            session(&org, "s-2", "c1", "k1", at(7 * 24 * 60)),
            &[("ai-open", false)],
        );
        let mut puts = vec![
            SessionPut {
                session: finished.clone(),
                expected_version: Some(s.version),
            },
            SessionPut {
                session: next.clone(),
                expected_version: None,
            },
        ];
        if next_first {
            puts.reverse();
        }
        let changes = Changes {
            sessions: puts,
            dropped_action_items: vec![ActionItemId::parse("ai-open").unwrap()],
            ..Changes::default()
        };
        store.commit(changes).await.unwrap();

        assert_eq!(
            listed(&*store, &org, &query("k1", false, 10)).await,
            vec![pair("ai-open", "s-2"), pair("ai-done", "s-1")],
            "next first: {next_first}"
        );
        assert_eq!(
            store
                .action_item_session(&org, &ActionItemId::parse("ai-open").unwrap())
                .await
                .unwrap(),
            Some(next.id.clone())
        );
    }
}
