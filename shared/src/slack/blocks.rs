//! Block Kit assembly within Slack's limits.
//!
//! Renderers describe a message as a [`Card`]; [`Card::render`] lays it out and enforces every
//! limit in one place: header ≤ 150 characters, section text ≤ 3,000, ≤ 10 fields of ≤ 2,000 per
//! section, ≤ 10 context elements, ≤ 50 blocks, and an overall budget for block text well under
//! both the 40,000-character message cap and the ~13k aggregate at which Slack answers
//! `msg_blocks_too_long`. Anything cut ends with "…".
//!
//! Layout: top-level `text` (notification and fallback), top-level `blocks` with the header and
//! headline, and one attachment holding the details so the state colour shows as a bar.

use serde_json::{json, Value};

use super::text::{esc, truncate};

pub const MAX_BLOCKS: usize = 50;
pub const MAX_HEADER_CHARS: usize = 150;
pub const MAX_SECTION_CHARS: usize = 3_000;
pub const MAX_FIELDS: usize = 10;
pub const MAX_FIELD_CHARS: usize = 2_000;
pub const MAX_CONTEXT_ELEMENTS: usize = 10;
/// Sum of all block text we allow in one message.
pub const MAX_BLOCK_TEXT_CHARS: usize = 12_000;
/// Top-level `text`; Slack truncates beyond 40,000, phones show far less.
pub const MAX_TEXT_CHARS: usize = 3_000;
/// The plain-text message sent when Slack rejects the blocks.
pub const MAX_PLAIN_CHARS: usize = 12_000;

/// How a message should look: colour of the bar and default emoji.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// ALARM, failures, high severity.
    Alarm,
    /// INSUFFICIENT_DATA, medium severity, degraded.
    Warning,
    /// OK, success.
    Ok,
    /// Informational.
    Info,
}

impl Tone {
    pub fn color(self) -> &'static str {
        match self {
            Tone::Alarm => "#D00000",
            Tone::Warning => "#DAA038",
            Tone::Ok => "#2EB67D",
            Tone::Info => "#439FE0",
        }
    }
}

/// A rendered message ready to post.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// What kind of message this was classified as (stable name, for logs and metrics).
    pub kind: &'static str,
    /// Title as plain text (not escaped) for logs.
    pub title: String,
    /// The message reports a return to normal (alarm OK); skipped when `NOTIFY_ON_OK=false`.
    pub is_ok: bool,
    /// The configured mention was added (ALARM state or high severity).
    pub mentioned: bool,
    /// The Slack payload (Block Kit with top-level `text`).
    pub payload: Value,
    /// A plain-text version, posted instead when Slack rejects the blocks.
    pub plain_text: String,
}

impl Rendered {
    /// The JSON body to POST.
    pub fn body(&self) -> String {
        self.payload.to_string()
    }

    /// The plain-text fallback body.
    pub fn plain_body(&self) -> String {
        json!({ "text": self.plain_text }).to_string()
    }
}

/// Options applied while rendering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Slack mention markup (`<!here>`, `<!subteam^S123>`, `<@U123>`) for ALARM and
    /// high-severity messages; trusted config, not escaped.
    pub mention: Option<String>,
}

/// A message described by its parts. Text in `headline`, field values, `sections` and
/// `context` is mrkdwn that the renderer has already escaped; `title` and field labels are
/// plain and escaped here.
#[derive(Debug, Clone)]
pub struct Card {
    pub tone: Tone,
    pub emoji: &'static str,
    pub title: String,
    pub headline: Option<String>,
    pub fields: Vec<(String, String)>,
    pub sections: Vec<String>,
    pub links: Vec<(String, String)>,
    pub context: Vec<String>,
    /// Eligible for the configured mention.
    pub urgent: bool,
    pub is_ok: bool,
}

impl Card {
    pub fn new(tone: Tone, emoji: &'static str, title: impl Into<String>) -> Self {
        Card {
            tone,
            emoji,
            title: title.into(),
            headline: None,
            fields: Vec::new(),
            sections: Vec::new(),
            links: Vec::new(),
            context: Vec::new(),
            urgent: false,
            is_ok: false,
        }
    }

    /// Adds a field when the value is non-empty.
    pub fn field(&mut self, label: &str, value: impl Into<String>) -> &mut Self {
        let value = value.into();
        if !value.trim().is_empty() {
            self.fields.push((label.to_owned(), value));
        }
        self
    }

    pub fn section(&mut self, mrkdwn: impl Into<String>) -> &mut Self {
        let s = mrkdwn.into();
        if !s.trim().is_empty() {
            self.sections.push(s);
        }
        self
    }

    pub fn link(&mut self, url: String, label: &str) -> &mut Self {
        self.links.push((url, label.to_owned()));
        self
    }

    pub fn context(&mut self, mrkdwn: impl Into<String>) -> &mut Self {
        let s = mrkdwn.into();
        if !s.trim().is_empty() {
            self.context.push(s);
        }
        self
    }

    pub fn render(self, kind: &'static str, options: &RenderOptions) -> Rendered {
        let mention = options
            .mention
            .as_deref()
            .filter(|_| self.urgent)
            .map(str::trim)
            .filter(|m| !m.is_empty());
        let title_md = esc(&self.title).into_owned();
        let mut budget = Budget::new();

        // Top-level text: what the phone notification shows.
        let mut text = String::new();
        if let Some(m) = mention {
            text.push_str(m);
            text.push(' ');
        }
        text.push_str(self.emoji);
        text.push(' ');
        text.push_str(&title_md);
        if let Some(h) = &self.headline {
            text.push_str(" — ");
            text.push_str(&single_line(h));
        }
        let text = truncate(&text, MAX_TEXT_CHARS).into_owned();

        let mut top = Vec::new();
        let header = budget.take(&format!("{} {}", self.emoji, title_md), MAX_HEADER_CHARS);
        top.push(json!({"type": "header", "text": {"type": "plain_text", "text": header, "emoji": true}}));
        let mut lead = String::new();
        if let Some(m) = mention {
            lead.push_str(m);
            lead.push(' ');
        }
        if let Some(h) = &self.headline {
            lead.push_str(h);
        }
        if !lead.trim().is_empty() {
            let lead = budget.take(&lead, MAX_SECTION_CHARS);
            top.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": lead}}));
        }

        // Details in the coloured attachment; one slot is kept for the "omitted" note.
        let room = MAX_BLOCKS - top.len() - 1;
        let mut details: Vec<Value> = Vec::new();
        let mut omitted = false;
        for chunk in self.fields.chunks(MAX_FIELDS) {
            if details.len() >= room || budget.exhausted() {
                omitted = true;
                break;
            }
            let fields: Vec<Value> = chunk
                .iter()
                .map(|(label, value)| {
                    let t = budget.take(&format!("*{}*\n{}", esc(label), value), MAX_FIELD_CHARS);
                    json!({"type": "mrkdwn", "text": t})
                })
                .collect();
            details.push(json!({"type": "section", "fields": fields}));
        }
        for s in &self.sections {
            if details.len() >= room || budget.exhausted() {
                omitted = true;
                break;
            }
            let t = budget.take(s, MAX_SECTION_CHARS);
            details.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": t}}));
        }
        if !self.links.is_empty() && details.len() < room {
            let line = self
                .links
                .iter()
                .map(|(url, label)| format!(":mag: <{url}|{}>", esc(label)))
                .collect::<Vec<_>>()
                .join("   ");
            // Links are never truncated mid-URL: drop them if they do not fit.
            if line.chars().count() <= MAX_SECTION_CHARS {
                budget.spend(&line);
                details.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": line}}));
            }
        }
        if !self.context.is_empty() && details.len() < room {
            let elements: Vec<Value> = self
                .context
                .iter()
                .take(MAX_CONTEXT_ELEMENTS)
                .map(|c| json!({"type": "mrkdwn", "text": budget.take(c, MAX_FIELD_CHARS)}))
                .collect();
            details.push(json!({"type": "context", "elements": elements}));
        }
        if omitted {
            details.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": "… more details omitted to stay within Slack's message limits"}]}));
        }

        let mut payload = json!({ "text": text, "blocks": top });
        if !details.is_empty() {
            payload["attachments"] = json!([{ "color": self.tone.color(), "blocks": details }]);
        }

        // Plain-text fallback: same content, no blocks.
        let mut plain = String::new();
        if let Some(m) = mention {
            plain.push_str(m);
            plain.push(' ');
        }
        plain.push_str(&format!("{} *{}*", self.emoji, title_md));
        if let Some(h) = &self.headline {
            plain.push('\n');
            plain.push_str(h);
        }
        for (label, value) in &self.fields {
            plain.push_str(&format!("\n*{}:* {}", esc(label), single_line(value)));
        }
        for s in &self.sections {
            plain.push('\n');
            plain.push_str(s);
        }
        for (url, label) in &self.links {
            plain.push_str(&format!("\n<{url}|{}>", esc(label)));
        }
        for c in &self.context {
            plain.push('\n');
            plain.push_str(c);
        }

        Rendered {
            kind,
            title: self.title,
            is_ok: self.is_ok,
            mentioned: mention.is_some(),
            payload,
            plain_text: truncate(&plain, MAX_PLAIN_CHARS).into_owned(),
        }
    }
}

/// Text joined onto one line (for notification text and plain-text field rows).
fn single_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Tracks the characters of block text spent so far.
struct Budget {
    left: usize,
}

impl Budget {
    fn new() -> Self {
        Budget {
            left: MAX_BLOCK_TEXT_CHARS,
        }
    }

    fn exhausted(&self) -> bool {
        self.left < 64
    }

    /// `s` cut to its own limit and to what is left of the budget; always at least a "…".
    fn take(&mut self, s: &str, limit: usize) -> String {
        let max = limit.min(self.left.max(1));
        let out = truncate(s, max).into_owned();
        self.spend(&out);
        out
    }

    fn spend(&mut self, s: &str) {
        self.left = self.left.saturating_sub(s.chars().count());
    }
}

/// Every text string in a payload, for limit checks in tests.
pub fn all_texts(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "text" {
                    if let Value::String(s) = v {
                        out.push(s.clone());
                    }
                }
                all_texts(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| all_texts(i, out)),
        _ => {}
    }
}
