//! Deterministic synthetic CloudWatch Logs payloads for benchmarks and demos.
//!
//! The mix imitates what a shared subscription sees: nginx combined and ALB access logs (a few
//! percent 5xx), JSON application logs, sshd auth logs with a brute-force source, Lambda
//! platform lines, Java/Python text logs and logfmt. Same seed, same bytes.

use serde_json::json;

use super::decode::encode;

/// A small linear congruential generator: deterministic and dependency-free.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            s.push_str(&format!("{:08x}", self.next() as u32));
        }
        s.truncate(len);
        s
    }
}

const PATHS: &[&str] = &[
    "/",
    "/api/v1/cart",
    "/api/v1/orders",
    "/api/v1/orders/8812/items",
    "/static/js/app.3f9a1c.js",
    "/static/css/main.css",
    "/health",
    "/api/v1/errors/summary",
    "/login",
    "/api/v1/search?q=shoes&page=2",
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "curl/8.5.0",
    "ELB-HealthChecker/2.0",
    "Go-http-client/1.1",
    "python-requests/2.31.0",
];
const USERS: &[&str] = &[
    "root", "admin", "ubuntu", "test", "oracle", "postgres", "git", "user",
];
const SERVICES: &[&str] = &["orders", "payments", "inventory", "users", "search"];

/// Client addresses come from a pool (real traffic repeats clients; it also keeps the payload as
/// compressible as real logs, ~10:1).
fn ip(rng: &mut Lcg) -> String {
    let n = rng.below(400);
    format!(
        "{}.{}.{}.{}",
        10 + n % 180,
        (n * 7) % 256,
        (n * 13) % 256,
        1 + n % 254
    )
}

/// Request ids, trace ids and key fingerprints from a pool (same reason).
fn id_hex(rng: &mut Lcg, len: usize) -> String {
    let mut pool = Lcg(0x5eed ^ rng.below(256));
    pool.hex(len)
}

fn clock(i: usize) -> (u32, u32) {
    let s = (i / 10) as u32;
    ((s / 60) % 60, s % 60)
}

/// One synthetic log line (event number `i`).
fn line(rng: &mut Lcg, i: usize, attacker: &str) -> String {
    let (m, s) = clock(i);
    let roll = rng.below(100);
    match roll {
        0..=34 => {
            let status = match rng.below(100) {
                0..=1 => 502,
                2 => 503,
                3..=8 => 404,
                9..=10 => 301,
                _ => 200,
            };
            format!(
                "{} - - [23/Nov/2026:04:{m:02}:{s:02} +0000] \"GET {} HTTP/1.1\" {status} {} \"https://shop.example.com/\" \"{}\" rt=0.{:03} uct=0.000",
                ip(rng),
                rng.pick(PATHS),
                200 + rng.below(50) * 211,
                rng.pick(AGENTS),
                (i * 37 % 1000)
            )
        }
        35..=54 => {
            let level = if rng.below(100) < 3 { "error" } else { "info" };
            json!({
                "time": format!("2026-11-23T04:{m:02}:{s:02}.{:03}Z", (i * 37 % 1000)),
                "level": level,
                "service": rng.pick(SERVICES),
                "requestId": id_hex(rng, 32),
                "msg": if level == "error" { "upstream call failed" } else { "request completed" },
                "http": {"method": "GET", "path": rng.pick(PATHS), "status_code": if level == "error" { 502 } else { 200 }},
                "duration_ms": rng.below(16) * 53,
                "error": null,
            })
            .to_string()
        }
        55..=69 => {
            let pid = 1000 + rng.below(40);
            let from_attacker = rng.below(3) == 0;
            let source = if from_attacker {
                attacker.to_owned()
            } else {
                ip(rng)
            };
            let user = rng.pick(USERS);
            let port = 1024 + rng.below(64) * 937;
            match rng.below(7) {
                0 => format!("Nov 23 04:{m:02}:{s:02} bastion sshd[{pid}]: Failed password for invalid user {user} from {source} port {port} ssh2"),
                1 => format!("Nov 23 04:{m:02}:{s:02} bastion sshd[{pid}]: Failed password for {user} from {source} port {port} ssh2"),
                2 => format!("Nov 23 04:{m:02}:{s:02} bastion sshd-session[{pid}]: Invalid user {user} from {source} port {port}"),
                3 => format!("Nov 23 04:{m:02}:{s:02} bastion sshd[{pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={source}  user={user}"),
                4 => format!("Nov 23 04:{m:02}:{s:02} bastion sshd[{pid}]: Connection closed by {source} port {port} [preauth]"),
                5 => format!("Nov 23 04:{m:02}:{s:02} bastion sshd[{pid}]: Accepted publickey for ec2-user from 10.0.4.15 port {port} ssh2: ED25519 SHA256:{}", id_hex(rng, 43)),
                _ => format!("Nov 23 04:{m:02}:{s:02} bastion sshd[{pid}]: pam_unix(sshd:session): session opened for user ec2-user(uid=1000) by (uid=0)"),
            }
        }
        70..=79 => {
            let id = {
                let h = id_hex(rng, 32);
                format!(
                    "{}-{}-{}-{}-{}",
                    &h[..8],
                    &h[8..12],
                    &h[12..16],
                    &h[16..20],
                    &h[20..]
                )
            };
            match rng.below(5) {
                0 => format!("START RequestId: {id} Version: $LATEST"),
                1 => format!("END RequestId: {id}"),
                2 => format!("REPORT RequestId: {id}\tDuration: {}.{:02} ms\tBilled Duration: {} ms\tMemory Size: 256 MB\tMax Memory Used: {} MB", rng.below(16) * 53, rng.below(100), rng.below(16) * 53 + 1, 60 + rng.below(16) * 5),
                3 => format!("2026-11-23T04:{m:02}:{s:02}.{:03}Z\t{id}\tINFO\tprocessed {} records, 0 errors", (i * 37 % 1000), rng.below(16) * 29),
                _ if rng.below(20) == 0 => format!("2026-11-23T04:{m:02}:{s:02}.{:03}Z {id} Task timed out after 30.03 seconds", (i * 37 % 1000)),
                _ => format!("2026-11-23T04:{m:02}:{s:02}.{:03}Z\t{id}\tWARN\tslow downstream call to {} ({} ms)", (i * 37 % 1000), rng.pick(SERVICES), rng.below(16) * 301),
            }
        }
        80..=89 => {
            let level = match rng.below(100) {
                0..=3 => "ERROR",
                4..=15 => "WARN",
                16..=25 => "DEBUG",
                _ => "INFO",
            };
            format!(
                "2026-11-23 04:{m:02}:{s:02}.{:03} [http-nio-8080-exec-{}] {level} c.e.{}.Service - handled order {} for customer {} in {} ms",
                (i * 37 % 1000),
                rng.below(16) * 13,
                rng.pick(SERVICES),
                rng.below(100),
                id_hex(rng, 12),
                rng.below(16) * 117
            )
        }
        90..=94 => {
            let status = if rng.below(100) < 3 { 504 } else { 200 };
            format!(
                "https 2026-11-23T04:{m:02}:{s:02}.{:06}Z app/prod-alb/50dc6c495c0c9188 {}:{} 10.0.1.{}:8080 0.000 0.{:03} 0.000 {status} {status} {} {} \"GET https://shop.example.com:443{} HTTP/1.1\" \"{}\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067 \"Root=1-{}-{}\" \"shop.example.com\" \"-\" 0 2026-11-23T04:{m:02}:{s:02}.000000Z \"forward\" \"-\" \"-\" \"10.0.1.20:8080\" \"{status}\" \"-\" \"-\"",
                rng.below(100),
                ip(rng),
                1024 + rng.below(64) * 937,
                rng.below(16) * 7,
                (i * 37 % 1000),
                100 + rng.below(16) * 53,
                200 + rng.below(50) * 97,
                rng.pick(PATHS),
                rng.pick(AGENTS),
                id_hex(rng, 8),
                id_hex(rng, 24)
            )
        }
        _ => {
            let level = if rng.below(100) < 4 { "error" } else { "info" };
            format!(
                "ts=2026-11-23T04:{m:02}:{s:02}.{:03}Z caller=worker.go:{} level={level} component={} msg=\"{}\" duration={}ms",
                (i * 37 % 1000),
                rng.below(16) * 23,
                rng.pick(SERVICES),
                if level == "error" { "flush failed" } else { "flushed batch" },
                rng.below(16) * 19
            )
        }
    }
}

/// A DATA_MESSAGE document of about `target_bytes` of JSON (at least one event).
pub fn document(target_bytes: usize, seed: u64) -> String {
    let mut rng = Lcg(seed ^ 0x9e37_79b9_7f4a_7c15);
    let attacker = "203.0.113.66";
    let mut events = Vec::new();
    let mut size = 200;
    let mut i = 0usize;
    while size < target_bytes || events.is_empty() {
        let message = line(&mut rng, i, attacker);
        let event = json!({
            "id": format!("{:056}", 37_291_530_000_000_000u64 + i as u64),
            "timestamp": 1_763_870_400_000i64 + (i as i64) * 100,
            "message": message,
        });
        size += event.to_string().len() + 1;
        events.push(event);
        i += 1;
    }
    json!({
        "messageType": "DATA_MESSAGE",
        "owner": "123456789012",
        "logGroup": "/shared/mixed",
        "logStream": "bench-stream",
        "subscriptionFilters": ["log-processor"],
        "logEvents": events,
    })
    .to_string()
}

/// A direct-subscription Lambda event (`{"awslogs":{"data":…}}`) wrapping [`document`].
pub fn direct_event(target_bytes: usize, seed: u64) -> String {
    json!({"awslogs": {"data": encode(document(target_bytes, seed).as_bytes())}}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::{decompress, parse, Batch};

    #[test]
    fn deterministic_and_decodable() {
        let a = document(200_000, 7);
        assert_eq!(a, document(200_000, 7));
        assert!(a.len() >= 200_000);
        let event: serde_json::Value = serde_json::from_str(&direct_event(50_000, 7)).unwrap();
        let data = event["awslogs"]["data"].as_str().unwrap();
        let buf = decompress(data.as_bytes(), 1 << 24).unwrap();
        let logs = parse(&buf).unwrap();
        let mut batch = Batch::new(5);
        batch.add_payload(&logs);
        let groups = batch.finish();
        let c = groups[0].counts;
        assert!(c.events > 100);
        assert!(
            c.errors > 0 && c.http_5xx > 0 && c.failed_logins > 0,
            "{c:?}"
        );
        assert!(groups[0].sources["203.0.113.66"].count >= 5);
    }
}
