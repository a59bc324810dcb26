//! Schedules through the generated client: CRUD and validation, and the scheduler starting
//! runs against a target server started here: one run per tick, also with two servers on one
//! database, and after a restart.

use crate::common::*;
use meshery_server::client::{self, Client, types};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Route, get, handler};
use std::collections::BTreeSet;
use std::time::Duration;

/// A target for load tests: answers 200 to `GET /`.
pub(crate) async fn target() -> String {
    #[handler]
    fn ok() -> &'static str {
        "ok"
    }
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(Route::new().at("/", get(ok))));
    format!("http://{addr}/")
}

/// A one-second, low-rate profile against `url` (low so parallel tests stay light).
async fn profile(c: &Client, url: &str) -> uuid::Uuid {
    let input: types::PerformanceProfileInput = serde_json::from_value(serde_json::json!({
        "name": "scheduled", "endpoints": [url], "duration": "1s", "qps": 5
    }))
    .unwrap();
    c.save_user_performance_profile()
        .body(input)
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
}

fn input(name: &str, profile: uuid::Uuid, cron: &str) -> types::ScheduleInput {
    serde_json::from_value(
        serde_json::json!({"name": name, "profileId": profile, "cronExpression": cron}),
    )
    .unwrap()
}

async fn save(c: &Client, body: types::ScheduleInput) -> types::Schedule {
    c.save_schedule()
        .body(body)
        .send()
        .await
        .unwrap()
        .into_inner()
}

/// The status and message of a refused save.
async fn refused(c: &Client, body: types::ScheduleInput) -> (u16, String) {
    match c.save_schedule().body(body).send().await {
        Err(client::Error::ErrorResponse(r)) => (r.status().as_u16(), r.into_inner().error),
        other => panic!("expected an error response, got {other:?}"),
    }
}

/// The names of the profile's results.
async fn result_names(c: &Client, profile: uuid::Uuid) -> Vec<String> {
    c.get_user_performance_profile_results()
        .id(profile)
        .pagesize(100)
        .send()
        .await
        .unwrap()
        .into_inner()
        .results
        .into_iter()
        .map(|r| r.name)
        .collect()
}

/// Waits until the profile has at least `n` results; returns their names.
async fn wait_for_results(c: &Client, profile: uuid::Uuid, n: usize) -> Vec<String> {
    eventually(
        &format!("{n} scheduled results"),
        Duration::from_secs(60),
        || async {
            let names = result_names(c, profile).await;
            (names.len() >= n).then_some(names)
        },
    )
    .await
}

/// Every name is `<schedule> <tick>` with a tick on a whole second, and no tick twice.
fn assert_one_run_per_tick(names: &[String], schedule: &str) {
    let ticks: BTreeSet<chrono::DateTime<chrono::Utc>> = names
        .iter()
        .map(|n| {
            let tick = n
                .strip_prefix(&format!("{schedule} "))
                .unwrap_or_else(|| panic!("run name {n:?}"));
            tick.parse().unwrap_or_else(|_| panic!("tick in {n:?}"))
        })
        .collect();
    assert_eq!(ticks.len(), names.len(), "a tick ran twice: {names:?}");
    assert!(ticks.iter().all(|t| t.timestamp_subsec_nanos() == 0));
}

#[tokio::test]
async fn schedules_are_saved_listed_replaced_and_deleted() {
    let s = server().await;
    let c = s.client();
    let p = profile(&c, "http://127.0.0.1:1/").await;
    let before = chrono::Utc::now();
    let nightly = save(&c, input("nightly", p, "0 0 * * *")).await;
    assert_eq!(
        (nightly.profile_id, nightly.cron_expression.as_str()),
        (p, "0 0 * * *")
    );
    let next = nightly.next_run.expect("a next run");
    assert!(next > before && next - before <= chrono::Duration::days(1));
    assert_eq!(next.format("%H:%M:%S").to_string(), "00:00:00");
    assert_eq!(nightly.last_run, None);
    let hourly = save(&c, input("hourly", p, "0 * * * *")).await;

    let page = c.get_schedules().send().await.unwrap().into_inner();
    assert_eq!(page.total_count, 2);
    assert_eq!(page.schedules[0].id, hourly.id, "newest update first");
    let asc = c
        .get_schedules()
        .order(types::SortOrder::Asc)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(asc.schedules[0].id, nightly.id);
    let found = c
        .get_schedules()
        .search("NIGHT")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        found.schedules.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![nightly.id]
    );

    // Replace by id: same id and creation time, new expression and next run.
    let mut changed = input("nightly at six", p, "0 6 * * *");
    changed.id = Some(nightly.id);
    let replaced = save(&c, changed).await;
    assert_eq!(
        (replaced.id, replaced.created_at),
        (nightly.id, nightly.created_at)
    );
    assert_eq!(
        replaced.next_run.unwrap().format("%H:%M").to_string(),
        "06:00"
    );
    let got = c
        .get_schedule()
        .id(nightly.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            got.name.as_str(),
            got.cron_expression.as_str(),
            got.next_run
        ),
        ("nightly at six", "0 6 * * *", replaced.next_run)
    );

    c.delete_schedule().id(nightly.id).send().await.unwrap();
    for err in [
        c.get_schedule().id(nightly.id).send().await.unwrap_err(),
        c.delete_schedule().id(nightly.id).send().await.unwrap_err(),
    ] {
        assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    }
    assert_eq!(
        c.get_schedules()
            .send()
            .await
            .unwrap()
            .into_inner()
            .total_count,
        1
    );
    s.stop().await;
}

#[tokio::test]
async fn bad_expressions_are_400_naming_the_field_and_unknown_ids_404() {
    let s = server().await;
    let c = s.client();
    let p = profile(&c, "http://127.0.0.1:1/").await;
    for (cron, says) in [
        ("61 * * * *", "minute field `61`"),
        ("0 24 * * *", "hour field"),
        ("0 0 0 * *", "day-of-month field"),
        ("0 0 * 13 *", "month field"),
        ("0 0 * * 8", "day-of-week field"),
        ("* * * * MON", "day-of-week field"),
        ("*/0 * * * *", "step of 0"),
        ("0 0 31 2 *", "never fires"),
        ("* * * *", "5 fields"),
    ] {
        let (status, message) = refused(&c, input("bad", p, cron)).await;
        assert_eq!(status, 400, "{cron}");
        assert!(message.contains(says), "{cron}: {message}");
    }
    let (status, message) = refused(&c, input("x", uuid::Uuid::new_v4(), "* * * * *")).await;
    assert_eq!(status, 404);
    assert!(message.contains("performance profile"), "{message}");
    let mut unknown = input("x", p, "* * * * *");
    unknown.id = Some(uuid::Uuid::new_v4());
    assert_eq!(refused(&c, unknown).await.0, 404);
    assert_eq!(
        c.get_schedules()
            .send()
            .await
            .unwrap()
            .into_inner()
            .total_count,
        0,
        "nothing stored"
    );
    s.stop().await;
}

#[tokio::test]
async fn an_every_second_schedule_starts_one_run_per_tick() {
    let url = target().await;
    let s = server().await;
    let c = s.client();
    let p = profile(&c, &url).await;
    let sched = save(&c, input("every second", p, "*/1 * * * * *")).await;
    let names = wait_for_results(&c, p, 3).await;
    let seen = c
        .get_schedule()
        .id(sched.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(seen.last_run.is_some());
    c.delete_schedule().id(sched.id).send().await.unwrap();
    assert_one_run_per_tick(&names, "every second");
    s.stop().await;
}

/// Two servers share one database; each tick must still start exactly one run.
async fn two_servers_race(database_url: String) {
    let url = target().await;
    let config = |c: &mut meshery_server::config::Config| {
        c.database_url = Some(database_url.clone());
        c.schedule_poll_secs = 1;
    };
    let a = server_with(config).await;
    let b = server_with(config).await;
    let c = a.client();
    let p = profile(&c, &url).await;
    let sched = save(&c, input("raced", p, "*/1 * * * * *")).await;
    // Four ticks, of which at least three after `b` has polled the schedule in.
    let names = wait_for_results(&b.client(), p, 4).await;
    c.delete_schedule().id(sched.id).send().await.unwrap();
    assert_one_run_per_tick(&names, "raced");
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn two_servers_on_one_sqlite_file_start_each_tick_once() {
    let dir = temp_dir();
    let db = format!("sqlite://{}?mode=rwc", dir.join("shared.sql").display());
    two_servers_race(db).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn two_servers_on_one_postgres_database_start_each_tick_once() {
    let Some(db) = postgres_url().await else {
        return;
    };
    two_servers_race(db).await;
}

/// The claim itself: two stores on one database claim the same ticks at the same time; each
/// tick goes to exactly one of them.
async fn claims_race(database_url: String) {
    use meshery_server::store::{ScheduleRow, Store};
    let dir = temp_dir();
    let one = Store::open(Some(&database_url), &dir).await.unwrap();
    let two = Store::open(Some(&database_url), &dir).await.unwrap();
    let tick = |i: i64| {
        meshery_server::store::format_time(
            chrono::DateTime::from_timestamp(1_700_000_000 + i, 0).unwrap(),
        )
    };
    let row = ScheduleRow {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: "u".into(),
        provider: "Local".into(),
        name: "n".into(),
        profile_id: uuid::Uuid::new_v4().to_string(),
        cron_expression: "* * * * * *".into(),
        next_run: Some(tick(0)),
        last_run: None,
        owner: "{}".into(),
        created_at: tick(0),
        updated_at: tick(0),
    };
    one.put_schedule(&row).await.unwrap();
    let (mut won_one, mut won_two) = (0, 0);
    for i in 0..20 {
        let (t, next) = (tick(i), tick(i + 1));
        let (x, y) = tokio::join!(
            one.claim_tick(&row.id, &t, Some(&next)),
            two.claim_tick(&row.id, &t, Some(&next))
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert!(
            x ^ y,
            "tick {i}: claimed by {} stores",
            u8::from(x) + u8::from(y)
        );
        won_one += u32::from(x);
        won_two += u32::from(y);
    }
    assert_eq!(won_one + won_two, 20);
    // A spent tick cannot be claimed again.
    assert!(!one.claim_tick(&row.id, &tick(0), None).await.unwrap());
    let stored = one.get_schedule("u", &row.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.last_run, stored.next_run),
        (Some(tick(19)), Some(tick(20)))
    );
    one.close().await;
    two.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_tick_is_claimed_once_on_sqlite() {
    let dir = temp_dir();
    claims_race(format!(
        "sqlite://{}?mode=rwc",
        dir.join("claims.sql").display()
    ))
    .await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_tick_is_claimed_once_on_postgres() {
    let Some(db) = postgres_url().await else {
        return;
    };
    claims_race(db).await;
}

#[tokio::test]
async fn a_restarted_server_runs_a_missed_tick_once_and_moves_on() {
    let url = target().await;
    let dir = temp_dir();
    let db = format!("sqlite://{}?mode=rwc", dir.join("kept.sql").display());
    let first = server_with(|c| c.database_url = Some(db.clone())).await;
    let c = first.client();
    let p = profile(&c, &url).await;
    let sched = save(&c, input("new year", p, "0 0 1 1 *")).await;
    first.stop().await;

    // While no server ran, three New Years passed: the stored tick is long gone.
    {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&db).await.unwrap();
        sqlx::query("UPDATE schedules SET next_run = $1 WHERE id = $2")
            .bind("2021-01-01T00:00:00.000000Z")
            .bind(sched.id.to_string())
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }

    let second = server_with(|c| c.database_url = Some(db.clone())).await;
    let c = second.client();
    let names = wait_for_results(&c, p, 1).await;
    assert_eq!(names, vec!["new year 2021-01-01T00:00:00Z".to_string()]);
    let after = c
        .get_schedule()
        .id(sched.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        after.last_run,
        Some("2021-01-01T00:00:00Z".parse().unwrap())
    );
    // No backlog: the next tick is the first New Year after now, not 2022.
    let next = after.next_run.unwrap();
    assert!(next > chrono::Utc::now(), "{next}");
    assert_eq!(next.format("%m-%d %H:%M:%S").to_string(), "01-01 00:00:00");
    assert_eq!(result_names(&c, p).await.len(), 1);
    second.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_schedule_whose_profile_was_deleted_stops_and_says_so() {
    let s = server().await;
    let c = s.client();
    let p = profile(&c, "http://127.0.0.1:1/").await;
    let sched = save(&c, input("orphan", p, "*/1 * * * * *")).await;
    c.delete_user_performance_profile()
        .id(p)
        .send()
        .await
        .unwrap();
    let stopped = eventually("the schedule to stop", Duration::from_secs(10), || async {
        let s = c
            .get_schedule()
            .id(sched.id)
            .send()
            .await
            .unwrap()
            .into_inner();
        s.next_run.is_none().then_some(s)
    })
    .await;
    assert_eq!(stopped.id, sched.id, "the schedule is kept");
    let events = c
        .get_events()
        .search("orphan")
        .send()
        .await
        .unwrap()
        .into_inner()
        .events;
    assert!(
        events
            .iter()
            .any(|e| e.action == "stopped" && e.description.contains("no longer exists")),
        "{events:?}"
    );
    // Saving it again with a profile starts it again.
    let q = profile(&c, "http://127.0.0.1:1/").await;
    let mut again = input("orphan", q, "0 0 * * *");
    again.id = Some(sched.id);
    assert!(save(&c, again).await.next_run.is_some());
    s.stop().await;
}
