//! The sink serves `/health` while the database is unreachable at start (so a liveness probe
//! does not restart it in a loop during an outage), keeps `/ready` at 503 and stays out of the
//! consumer group until the database answers, then becomes ready and loads the records.
//!
//! The database is reached through a TCP relay on a free port that starts accepting only a few
//! seconds into the test: until then every connection attempt is refused.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use common::*;
use reportflow_kafka::SinkConfig;
use reportflow_sink_postgres::{PostgresSettings, PostgresSink, Topics};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_status(addr: SocketAddr, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.split_whitespace().nth(1)?.parse().ok()
}

/// Relays every connection accepted on `port` to `target`, from now on.
fn start_relay(port: u16, target: String) {
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("relay port");
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&target) else {
                continue;
            };
            let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (mut c1, mut s1) = (client, server);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut c1, &mut s1);
                let _ = s1.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s2, &mut c2);
                let _ = c2.shutdown(std::net::Shutdown::Write);
            });
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_and_ready_waits_while_the_database_is_down_at_start() {
    let seeds = Seeds::load();
    let want = (
        seeds.documents.len() as i64,
        seeds.sections.len() as i64,
        seeds.indicators.len() as i64,
    );
    let topics = Topics::default();
    let cluster = cluster();
    let bootstrap = cluster.bootstrap_servers();
    let db = TestDb::create().await;
    produce(&bootstrap, &seeds.messages(&topics)).await;

    // postgres://user@HOST:PORT/NAME -> postgres://user@127.0.0.1:RELAY/NAME
    let (scheme_user, rest) = db.url.split_once('@').unwrap();
    let (target, name) = rest.split_once('/').unwrap();
    let relay = free_port();
    let settings = PostgresSettings {
        database_url: format!("{scheme_user}@127.0.0.1:{relay}/{name}"),
        topics: topics.clone(),
    };
    let mut runtime = runtime_config(&bootstrap, "sink-pg-late-db");
    let http: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    runtime.http_addr = http;
    let sink_config = SinkConfig {
        batch_max: Duration::from_millis(200),
        retry_backoff: Duration::from_millis(100),
        retry_max_backoff: Duration::from_millis(500),
        ..SinkConfig::default()
    };
    let (stop, task) = run_sink_task(runtime, sink_config, PostgresSink::new(settings));

    // Database down: /health 200 from the start, /ready 503, for several seconds.
    let started = Instant::now();
    let mut healthy = false;
    while started.elapsed() < Duration::from_secs(4) {
        let health = tokio::task::spawn_blocking(move || http_status(http, "/health"))
            .await
            .unwrap();
        if health == Some(200) {
            healthy = true;
            let ready = tokio::task::spawn_blocking(move || http_status(http, "/ready"))
                .await
                .unwrap();
            assert_eq!(ready, Some(503), "ready without a database");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        healthy,
        "/health never answered while the database was down"
    );
    // Not even migrated (counts are -1 while the tables do not exist).
    assert!(db.counts().await.0 <= 0);

    // Database back: the sink connects, migrates, joins the group, becomes ready, loads.
    start_relay(relay, target.to_string());
    let got = db.wait_counts(want, Duration::from_secs(60)).await;
    assert_eq!(got, want, "every seed message became one row");
    let ready = tokio::task::spawn_blocking(move || http_status(http, "/ready"))
        .await
        .unwrap();
    assert_eq!(ready, Some(200));

    let _ = stop.send(());
    let summary = tokio::time::timeout(Duration::from_secs(30), task)
        .await
        .expect("prompt shutdown")
        .unwrap()
        .expect("the sink ran");
    assert!(summary.records_written >= (want.0 + want.1 + want.2) as u64);
}
