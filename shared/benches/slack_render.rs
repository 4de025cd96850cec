//! Rendering cost of one SNS message → Slack payload (classification, parsing, Block Kit,
//! serialisation to the POST body), per message kind. Run: `cargo bench -p shared --bench slack_render`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::Value;
use shared::slack::{notifications, render, RenderOptions};

const FIXTURES: &[(&str, &str)] = &[
    (
        "metric_alarm",
        include_str!("../src/slack/fixtures/metric_alarm.json"),
    ),
    (
        "metric_math_alarm",
        include_str!("../src/slack/fixtures/metric_math_alarm.json"),
    ),
    (
        "anomaly_alarm",
        include_str!("../src/slack/fixtures/anomaly_alarm.json"),
    ),
    (
        "composite_alarm",
        include_str!("../src/slack/fixtures/composite_alarm.json"),
    ),
    (
        "brute_force_alert",
        include_str!("../src/slack/fixtures/brute_force_alert.json"),
    ),
    (
        "eventbridge_alarm",
        include_str!("../src/slack/fixtures/eventbridge_alarm_state_change.json"),
    ),
    (
        "guardduty_finding",
        include_str!("../src/slack/fixtures/guardduty_finding.json"),
    ),
    (
        "backup_text",
        include_str!("../src/slack/fixtures/backup_multi_record.json"),
    ),
    (
        "generic_json",
        include_str!("../src/slack/fixtures/generic_json.json"),
    ),
];

fn bench(c: &mut Criterion) {
    let options = RenderOptions {
        mention: Some("<!here>".into()),
    };
    let mut group = c.benchmark_group("slack_render");
    for (name, raw) in FIXTURES {
        let event: Value = serde_json::from_str(raw).expect("fixture");
        let n = notifications(&event).remove(0);
        group.bench_function(*name, |b| b.iter(|| render(black_box(&n), &options).body()));
    }
    // The whole event: envelope parsing included.
    let raw = include_str!("../src/slack/fixtures/metric_alarm.json");
    group.bench_function("event_to_body/metric_alarm", |b| {
        b.iter(|| {
            let event: Value = serde_json::from_str(black_box(raw)).expect("fixture");
            notifications(&event)
                .iter()
                .map(|n| render(n, &options).body().len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
