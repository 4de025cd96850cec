//! CloudWatch alarms: the SNS alarm message (metric, metric-math, anomaly-detection and
//! composite alarms) and the EventBridge "CloudWatch Alarm State Change" event (also the body
//! of an alarm action that invokes Lambda directly). Both become one [`AlarmView`], rendered
//! once.

use serde::Deserialize;
use serde_json::Value;

use super::arn::{self, Arn};
use super::blocks::{Card, Tone};
use super::envelope::SnsNotification;
use super::lenient;
use super::text::{esc, esc_trunc, number, period, plural, short_name, time};

// ---------------------------------------------------------------------------------------------
// Tolerant wire types: every field optional, odd values become None.

/// The SNS `Message` of a CloudWatch alarm.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SnsAlarmMessage {
    #[serde(rename = "AlarmName", deserialize_with = "lenient::string")]
    pub alarm_name: Option<String>,
    #[serde(rename = "AlarmDescription", deserialize_with = "lenient::string")]
    pub alarm_description: Option<String>,
    #[serde(rename = "AWSAccountId", deserialize_with = "lenient::string")]
    pub aws_account_id: Option<String>,
    #[serde(rename = "NewStateValue", deserialize_with = "lenient::string")]
    pub new_state_value: Option<String>,
    #[serde(rename = "NewStateReason", deserialize_with = "lenient::string")]
    pub new_state_reason: Option<String>,
    #[serde(rename = "StateChangeTime", deserialize_with = "lenient::string")]
    pub state_change_time: Option<String>,
    /// A display name such as "US East (N. Virginia)", not a region code.
    #[serde(rename = "Region", deserialize_with = "lenient::string")]
    pub region: Option<String>,
    /// Missing in older messages.
    #[serde(rename = "AlarmArn", deserialize_with = "lenient::string")]
    pub alarm_arn: Option<String>,
    #[serde(rename = "OldStateValue", deserialize_with = "lenient::string")]
    pub old_state_value: Option<String>,
    /// Absent for composite alarms.
    #[serde(rename = "Trigger", deserialize_with = "lenient::opt")]
    pub trigger: Option<Trigger>,
    /// Composite alarms only.
    #[serde(rename = "AlarmRule", deserialize_with = "lenient::string")]
    pub alarm_rule: Option<String>,
    #[serde(rename = "TriggeringChildren", deserialize_with = "lenient::vec")]
    pub triggering_children: Vec<TriggeringChild>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Trigger {
    #[serde(rename = "MetricName", deserialize_with = "lenient::string")]
    pub metric_name: Option<String>,
    #[serde(rename = "Namespace", deserialize_with = "lenient::string")]
    pub namespace: Option<String>,
    #[serde(rename = "StatisticType", deserialize_with = "lenient::string")]
    pub statistic_type: Option<String>,
    #[serde(rename = "Statistic", deserialize_with = "lenient::string")]
    pub statistic: Option<String>,
    #[serde(rename = "ExtendedStatistic", deserialize_with = "lenient::string")]
    pub extended_statistic: Option<String>,
    #[serde(rename = "Unit", deserialize_with = "lenient::string")]
    pub unit: Option<String>,
    #[serde(rename = "Dimensions", deserialize_with = "lenient::dimensions")]
    pub dimensions: Vec<(String, String)>,
    #[serde(rename = "Period", deserialize_with = "lenient::u64")]
    pub period: Option<u64>,
    #[serde(rename = "EvaluationPeriods", deserialize_with = "lenient::u64")]
    pub evaluation_periods: Option<u64>,
    #[serde(rename = "DatapointsToAlarm", deserialize_with = "lenient::u64")]
    pub datapoints_to_alarm: Option<u64>,
    #[serde(rename = "ComparisonOperator", deserialize_with = "lenient::string")]
    pub comparison_operator: Option<String>,
    /// Absent for anomaly-detection alarms.
    #[serde(rename = "Threshold", deserialize_with = "lenient::f64")]
    pub threshold: Option<f64>,
    /// Anomaly-detection alarms: the id of the band query.
    #[serde(rename = "ThresholdMetricId", deserialize_with = "lenient::string")]
    pub threshold_metric_id: Option<String>,
    #[serde(rename = "TreatMissingData", deserialize_with = "lenient::string")]
    pub treat_missing_data: Option<String>,
    /// Metric-math and anomaly-detection alarms.
    #[serde(rename = "Metrics", deserialize_with = "lenient::vec")]
    pub metrics: Vec<SnsMetricQuery>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SnsMetricQuery {
    #[serde(rename = "Id", deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(rename = "Expression", deserialize_with = "lenient::string")]
    pub expression: Option<String>,
    #[serde(rename = "Label", deserialize_with = "lenient::string")]
    pub label: Option<String>,
    #[serde(rename = "ReturnData", deserialize_with = "lenient::bool")]
    pub return_data: Option<bool>,
    #[serde(rename = "MetricStat", deserialize_with = "lenient::opt")]
    pub metric_stat: Option<SnsMetricStat>,
    #[serde(rename = "Period", deserialize_with = "lenient::u64")]
    pub period: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SnsMetricStat {
    #[serde(rename = "Metric", deserialize_with = "lenient::opt")]
    pub metric: Option<SnsMetric>,
    #[serde(rename = "Period", deserialize_with = "lenient::u64")]
    pub period: Option<u64>,
    #[serde(rename = "Stat", deserialize_with = "lenient::string")]
    pub stat: Option<String>,
    #[serde(rename = "Unit", deserialize_with = "lenient::string")]
    pub unit: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SnsMetric {
    #[serde(rename = "MetricName", deserialize_with = "lenient::string")]
    pub metric_name: Option<String>,
    #[serde(rename = "Namespace", deserialize_with = "lenient::string")]
    pub namespace: Option<String>,
    #[serde(rename = "Dimensions", deserialize_with = "lenient::dimensions")]
    pub dimensions: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TriggeringChild {
    #[serde(rename = "Arn", alias = "arn", deserialize_with = "lenient::string")]
    pub arn: Option<String>,
    #[serde(rename = "State", alias = "state", deserialize_with = "lenient::opt")]
    pub state: Option<ChildState>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChildState {
    #[serde(
        rename = "Value",
        alias = "value",
        deserialize_with = "lenient::string"
    )]
    pub value: Option<String>,
    #[serde(
        rename = "Timestamp",
        alias = "timestamp",
        deserialize_with = "lenient::string"
    )]
    pub timestamp: Option<String>,
}

/// `detail` of a "CloudWatch Alarm State Change" event, or `alarmData` of a direct alarm action.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AlarmEventDetail {
    #[serde(deserialize_with = "lenient::string")]
    pub alarm_name: Option<String>,
    #[serde(deserialize_with = "lenient::opt")]
    pub state: Option<AlarmEventState>,
    #[serde(deserialize_with = "lenient::opt")]
    pub previous_state: Option<AlarmEventState>,
    #[serde(deserialize_with = "lenient::opt")]
    pub configuration: Option<AlarmEventConfiguration>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AlarmEventState {
    #[serde(deserialize_with = "lenient::string")]
    pub value: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub reason: Option<String>,
    /// JSON text: threshold, evaluated datapoints, triggering alarms.
    #[serde(deserialize_with = "lenient::string")]
    pub reason_data: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub timestamp: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AlarmEventConfiguration {
    #[serde(deserialize_with = "lenient::string")]
    pub description: Option<String>,
    #[serde(deserialize_with = "lenient::vec")]
    pub metrics: Vec<EventMetricQuery>,
    #[serde(deserialize_with = "lenient::string")]
    pub alarm_rule: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EventMetricQuery {
    #[serde(deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub expression: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub label: Option<String>,
    #[serde(deserialize_with = "lenient::bool")]
    pub return_data: Option<bool>,
    #[serde(deserialize_with = "lenient::opt")]
    pub metric_stat: Option<EventMetricStat>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EventMetricStat {
    #[serde(deserialize_with = "lenient::opt")]
    pub metric: Option<EventMetric>,
    #[serde(deserialize_with = "lenient::u64")]
    pub period: Option<u64>,
    #[serde(deserialize_with = "lenient::string")]
    pub stat: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub unit: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EventMetric {
    #[serde(deserialize_with = "lenient::string")]
    pub namespace: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::dimensions")]
    pub dimensions: Vec<(String, String)>,
}

/// `reasonData` of alarm events (JSON inside a string).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ReasonData {
    #[serde(deserialize_with = "lenient::f64")]
    threshold: Option<f64>,
    #[serde(deserialize_with = "lenient::u64")]
    period: Option<u64>,
    #[serde(deserialize_with = "lenient::string")]
    statistic: Option<String>,
    #[serde(deserialize_with = "lenient::vec")]
    recent_datapoints: Vec<f64>,
    #[serde(deserialize_with = "lenient::vec")]
    triggering_alarms: Vec<TriggeringChild>,
}

// ---------------------------------------------------------------------------------------------
// The normalised view.

/// One metric or expression query of an alarm.
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub id: Option<String>,
    pub expression: Option<String>,
    pub label: Option<String>,
    pub return_data: bool,
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    pub dimensions: Vec<(String, String)>,
    pub stat: Option<String>,
    pub period: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Child {
    pub name: String,
    pub state: Option<String>,
    pub since: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Shape {
    Metric(Query),
    Math(Vec<Query>),
    Anomaly(Vec<Query>),
    Composite {
        rule: Option<String>,
        children: Vec<Child>,
    },
    Unknown,
}

#[derive(Debug, Default, Clone)]
pub struct Evaluation {
    pub operator: Option<String>,
    pub threshold: Option<f64>,
    pub unit: Option<String>,
    pub period: Option<u64>,
    pub evaluation_periods: Option<u64>,
    pub datapoints_to_alarm: Option<u64>,
    pub treat_missing_data: Option<String>,
    pub threshold_metric_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AlarmView {
    pub name: String,
    pub description: Option<String>,
    pub state: Option<String>,
    pub previous_state: Option<String>,
    pub reason: Option<String>,
    pub changed_at: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub partition: Option<String>,
    pub evaluation: Evaluation,
    pub shape: Shape,
    pub datapoints: Option<String>,
    pub source: &'static str,
}

impl AlarmView {
    /// From the SNS alarm message; `notification` supplies the topic ARN as a last resort for
    /// account and region.
    pub fn from_sns(m: SnsAlarmMessage, notification: &SnsNotification) -> Self {
        let arn = m.alarm_arn.as_deref().and_then(Arn::parse);
        let topic = notification.topic_arn.as_deref().and_then(Arn::parse);
        let region = arn
            .and_then(|a| a.region_code())
            .map(str::to_owned)
            .or_else(|| {
                m.region
                    .as_deref()
                    .and_then(arn::region_code_from_display_name)
                    .map(str::to_owned)
            })
            .or_else(|| topic.and_then(|t| t.region_code()).map(str::to_owned));
        let account = arn
            .and_then(|a| a.account_id())
            .map(str::to_owned)
            .or(m
                .aws_account_id
                .clone()
                .filter(|a| arn::looks_like_account(a)))
            .or_else(|| topic.and_then(|t| t.account_id()).map(str::to_owned));
        let partition = arn.or(topic).map(|a| a.partition.to_owned()).or_else(|| {
            region
                .as_deref()
                .map(|r| arn::partition_of_region(r).to_owned())
        });

        let mut evaluation = Evaluation::default();
        let shape = match m.trigger {
            Some(t) => {
                evaluation = Evaluation {
                    operator: t.comparison_operator.clone(),
                    threshold: t.threshold,
                    unit: t.unit.clone(),
                    period: t.period,
                    evaluation_periods: t.evaluation_periods,
                    datapoints_to_alarm: t.datapoints_to_alarm,
                    treat_missing_data: t.treat_missing_data.as_deref().and_then(treat_missing),
                    threshold_metric_id: t.threshold_metric_id.clone(),
                };
                if !t.metrics.is_empty() {
                    let queries: Vec<Query> = t.metrics.into_iter().map(Query::from_sns).collect();
                    if evaluation.threshold_metric_id.is_some() || queries.iter().any(is_band) {
                        Shape::Anomaly(queries)
                    } else {
                        Shape::Math(queries)
                    }
                } else if t.metric_name.is_some() || t.namespace.is_some() {
                    let stat = t
                        .extended_statistic
                        .clone()
                        .or(t.statistic.clone())
                        .map(|s| statistic(&s));
                    Shape::Metric(Query {
                        namespace: t.namespace,
                        metric_name: t.metric_name,
                        dimensions: t.dimensions,
                        stat,
                        period: t.period,
                        return_data: true,
                        ..Default::default()
                    })
                } else {
                    Shape::Unknown
                }
            }
            None if m.alarm_rule.is_some() || !m.triggering_children.is_empty() => {
                Shape::Composite {
                    rule: m.alarm_rule.as_deref().map(shorten_rule),
                    children: children(m.triggering_children),
                }
            }
            None => Shape::Unknown,
        };
        let datapoints = m
            .new_state_reason
            .as_deref()
            .and_then(datapoints_from_reason);
        AlarmView {
            name: m
                .alarm_name
                .or_else(|| m.alarm_arn.as_deref().map(|a| short_name(a).to_owned()))
                .unwrap_or_else(|| "(unnamed alarm)".to_owned()),
            description: m.alarm_description,
            state: m.new_state_value,
            previous_state: m.old_state_value,
            reason: m.new_state_reason,
            changed_at: m.state_change_time,
            account,
            region,
            partition,
            evaluation,
            shape,
            datapoints,
            source: "sns",
        }
    }

    /// From an EventBridge alarm event (`detail`) or a direct alarm action (`alarmData`), with
    /// the envelope's alarm ARN, account and region.
    pub fn from_event(
        d: AlarmEventDetail,
        alarm_arn: Option<&str>,
        account: Option<&str>,
        region: Option<&str>,
    ) -> Self {
        let arn = alarm_arn.and_then(Arn::parse);
        let region = arn
            .and_then(|a| a.region_code())
            .or(region.filter(|r| arn::looks_like_region(r)))
            .map(str::to_owned);
        let account = arn
            .and_then(|a| a.account_id())
            .or(account.filter(|a| arn::looks_like_account(a)))
            .map(str::to_owned);
        let partition = arn.map(|a| a.partition.to_owned()).or_else(|| {
            region
                .as_deref()
                .map(|r| arn::partition_of_region(r).to_owned())
        });
        let state = d.state.unwrap_or_default();
        let reason_data: ReasonData = state
            .reason_data
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
            .unwrap_or_default();
        let config = d.configuration.unwrap_or_default();
        let queries: Vec<Query> = config.metrics.into_iter().map(Query::from_event).collect();
        let mut evaluation = Evaluation {
            operator: state
                .reason
                .as_deref()
                .and_then(operator_from_reason)
                .map(str::to_owned),
            threshold: reason_data.threshold,
            period: reason_data.period,
            ..Default::default()
        };
        let shape = if config.alarm_rule.is_some() {
            Shape::Composite {
                rule: config.alarm_rule.as_deref().map(shorten_rule),
                children: children(reason_data.triggering_alarms),
            }
        } else if queries.iter().any(is_band) {
            evaluation.threshold_metric_id = queries
                .iter()
                .find(|q| is_band(q))
                .and_then(|q| q.id.clone());
            Shape::Anomaly(queries)
        } else if queries.len() == 1 && queries[0].expression.is_none() {
            let mut q = queries.into_iter().next().unwrap_or_default();
            if q.stat.is_none() {
                q.stat = reason_data.statistic.as_deref().map(statistic);
            }
            if evaluation.period.is_none() {
                evaluation.period = q.period;
            }
            Shape::Metric(q)
        } else if !queries.is_empty() {
            Shape::Math(queries)
        } else {
            Shape::Unknown
        };
        let datapoints = if reason_data.recent_datapoints.is_empty() {
            state.reason.as_deref().and_then(datapoints_from_reason)
        } else {
            Some(
                reason_data
                    .recent_datapoints
                    .iter()
                    .map(|n| number(*n))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        };
        AlarmView {
            name: d
                .alarm_name
                .or_else(|| alarm_arn.map(|a| short_name(a).to_owned()))
                .unwrap_or_else(|| "(unnamed alarm)".to_owned()),
            description: config.description,
            state: state.value,
            previous_state: d.previous_state.and_then(|p| p.value),
            reason: state.reason,
            changed_at: state.timestamp,
            account,
            region,
            partition,
            evaluation,
            shape,
            datapoints,
            source: "eventbridge",
        }
    }

    /// Stable kind name for logs.
    pub fn kind(&self) -> &'static str {
        match (&self.shape, self.source) {
            (_, "eventbridge") => "eventbridge_alarm_state_change",
            (Shape::Metric(_), _) => "cloudwatch_metric_alarm",
            (Shape::Math(_), _) => "cloudwatch_metric_math_alarm",
            (Shape::Anomaly(_), _) => "cloudwatch_anomaly_alarm",
            (Shape::Composite { .. }, _) => "cloudwatch_composite_alarm",
            (Shape::Unknown, _) => "cloudwatch_alarm",
        }
    }

    pub fn card(&self) -> Card {
        let state = self
            .state
            .as_deref()
            .unwrap_or("UNKNOWN")
            .to_ascii_uppercase();
        let (tone, emoji) = state_look(&state);
        let mut card = Card::new(tone, emoji, format!("{state}: {}", self.name));
        card.urgent = state == "ALARM";
        card.is_ok = state == "OK";
        card.headline = self.condition().map(|c| esc_trunc(&c, 600));

        let mut state_text = esc(&state).into_owned();
        if let Some(prev) = &self.previous_state {
            state_text.push_str(&format!(" (was {})", esc(prev)));
        }
        card.field("State", state_text);
        if let Some(a) = &self.account {
            card.field("Account", esc(a));
        }
        if let Some(r) = &self.region {
            card.field("Region", esc(r));
        }
        if let Some(t) = &self.changed_at {
            card.field("Changed", esc(&time(t)));
        }
        match &self.shape {
            Shape::Metric(q) => {
                let metric = [q.namespace.as_deref(), q.metric_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                card.field("Metric", esc_trunc(&metric, 500));
                if !q.dimensions.is_empty() {
                    card.field("Dimensions", dimension_lines(&q.dimensions, 10));
                }
            }
            Shape::Math(queries) | Shape::Anomaly(queries) => {
                if let Shape::Anomaly(_) = self.shape {
                    if let Some(band) = self.band(queries) {
                        card.field(
                            "Band",
                            esc_trunc(band.expression.as_deref().unwrap_or(""), 500),
                        );
                    }
                }
                let band_id = self.band(queries).and_then(|b| b.id.clone());
                let lines: Vec<String> = queries
                    .iter()
                    .map(|q| query_line(q, band_id.as_deref()))
                    .collect();
                card.section(format!("*Queries*\n{}", bullet_list(&lines, 20)));
            }
            Shape::Composite { rule, children } => {
                if let Some(rule) = rule {
                    card.section(format!("*Rule*\n{}", esc_trunc(rule, 2_500)));
                }
                if !children.is_empty() {
                    let lines: Vec<String> = children
                        .iter()
                        .map(|c| {
                            let st = c.state.as_deref().unwrap_or("?").to_ascii_uppercase();
                            let mut l =
                                format!("{} {} — {}", state_look(&st).1, esc(&c.name), esc(&st));
                            if let Some(since) = &c.since {
                                l.push_str(&format!(" since {}", esc(&time(since))));
                            }
                            l
                        })
                        .collect();
                    card.section(format!(
                        "*Triggering alarms ({})*\n{}",
                        children.len(),
                        bullet_list(&lines, 25)
                    ));
                }
            }
            Shape::Unknown => {}
        }
        if let Some(t) = self.evaluation.threshold {
            card.field(
                "Threshold",
                esc(&format!(
                    "{}{}",
                    number(t),
                    unit_suffix(self.evaluation.unit.as_deref())
                )),
            );
        }
        if let Some(d) = &self.datapoints {
            card.field("Recent datapoints", esc_trunc(d, 500));
        }
        if let Some(t) = &self.evaluation.treat_missing_data {
            card.field("Missing data", esc(t));
        }
        if let Some(desc) = &self.description {
            card.section(esc_trunc(desc, 3_000));
        }
        if let Some(reason) = &self.reason {
            card.section(format!("*Reason*\n{}", esc_trunc(reason, 2_900)));
        }
        if let (Some(region), Some(partition)) = (&self.region, &self.partition) {
            card.link(
                arn::alarm_console_url(partition, region, &self.name),
                "Open alarm in CloudWatch",
            );
        }
        card
    }

    fn band<'q>(&self, queries: &'q [Query]) -> Option<&'q Query> {
        match &self.evaluation.threshold_metric_id {
            Some(id) => queries
                .iter()
                .find(|q| q.id.as_deref() == Some(id.as_str())),
            None => queries.iter().find(|q| is_band(q)),
        }
    }

    /// The condition in words, e.g. "Errors Sum ≥ 5 for 2 of 3 periods of 5 min" (raw text,
    /// escaped by the caller).
    pub fn condition(&self) -> Option<String> {
        let ev = &self.evaluation;
        let op = ev.operator.as_deref().map(operator_words);
        let (subject, comparison) = match &self.shape {
            Shape::Metric(q) => {
                let subject = [q.metric_name.as_deref(), q.stat.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                let comparison = match (op, ev.threshold) {
                    (Some(op), Some(t)) => Some(format!(
                        "{op} {}{}",
                        number(t),
                        unit_suffix(ev.unit.as_deref())
                    )),
                    (None, Some(t)) => Some(format!(
                        "threshold {}{}",
                        number(t),
                        unit_suffix(ev.unit.as_deref())
                    )),
                    (Some(op), None) => Some(op.to_owned()),
                    (None, None) => None,
                };
                (subject, comparison)
            }
            Shape::Math(queries) => {
                let compared = queries.iter().find(|q| q.return_data).or(queries.first());
                let subject = compared.map(describe_expression).unwrap_or_default();
                let comparison = match (op, ev.threshold) {
                    (Some(op), Some(t)) => Some(format!("{op} {}", number(t))),
                    (None, Some(t)) => Some(format!("threshold {}", number(t))),
                    (Some(op), None) => Some(op.to_owned()),
                    (None, None) => None,
                };
                (subject, comparison)
            }
            Shape::Anomaly(queries) => {
                let band = self.band(queries);
                let band_id = band.and_then(|b| b.id.as_deref());
                let compared = queries
                    .iter()
                    .find(|q| q.return_data && q.id.as_deref() != band_id && !is_band(q))
                    .or_else(|| {
                        queries
                            .iter()
                            .find(|q| q.id.as_deref() != band_id && !is_band(q))
                    });
                let subject = compared
                    .map(|q| {
                        let name = q
                            .metric_name
                            .as_deref()
                            .or(q.label.as_deref())
                            .or(q.id.as_deref())
                            .unwrap_or("metric");
                        match &q.stat {
                            Some(s) => format!("{name} {s}"),
                            None => name.to_owned(),
                        }
                    })
                    .unwrap_or_else(|| "metric".to_owned());
                let width = band
                    .and_then(|b| b.expression.as_deref())
                    .and_then(band_width)
                    .map(|w| format!(" ({w} standard deviations wide)"))
                    .unwrap_or_default();
                let op = op.unwrap_or("outside the anomaly band");
                (subject, Some(format!("{op}{width}")))
            }
            Shape::Composite { rule, children } => {
                if children.is_empty() {
                    return rule.clone();
                }
                let names: Vec<&str> = children.iter().take(3).map(|c| c.name.as_str()).collect();
                let more = children.len().saturating_sub(3);
                return Some(format!(
                    "Triggered by {}{}",
                    names.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ));
            }
            Shape::Unknown => return None,
        };
        let mut out = subject;
        if let Some(c) = comparison {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&c);
        }
        let window = match (ev.evaluation_periods, ev.datapoints_to_alarm, ev.period) {
            (Some(1), _, Some(p)) => Some(format!("for 1 period of {}", period(p))),
            (Some(n), m, Some(p)) => Some(format!(
                "for {} of {n} periods of {}",
                m.unwrap_or(n),
                period(p)
            )),
            (Some(n), m, None) => {
                Some(format!("for {} of {}", m.unwrap_or(n), plural(n, "period")))
            }
            (None, _, Some(p)) => Some(format!("over {}", period(p))),
            (None, _, None) => None,
        };
        if let Some(w) = window {
            out.push(' ');
            out.push_str(&w);
        }
        (!out.trim().is_empty()).then_some(out)
    }
}

impl Query {
    fn from_sns(q: SnsMetricQuery) -> Self {
        let stat = q.metric_stat.unwrap_or_default();
        let metric = stat.metric.unwrap_or_default();
        Query {
            id: q.id,
            expression: q.expression,
            label: q.label,
            return_data: q.return_data.unwrap_or(true),
            namespace: metric.namespace,
            metric_name: metric.metric_name,
            dimensions: metric.dimensions,
            stat: stat.stat,
            period: stat.period.or(q.period),
        }
    }

    fn from_event(q: EventMetricQuery) -> Self {
        let stat = q.metric_stat.unwrap_or_default();
        let metric = stat.metric.unwrap_or_default();
        Query {
            id: q.id,
            expression: q.expression,
            label: q.label,
            return_data: q.return_data.unwrap_or(true),
            namespace: metric.namespace,
            metric_name: metric.name,
            dimensions: metric.dimensions,
            stat: stat.stat,
            period: stat.period,
        }
    }
}

fn is_band(q: &Query) -> bool {
    q.expression.as_deref().is_some_and(|e| {
        e.trim_start()
            .to_ascii_uppercase()
            .starts_with("ANOMALY_DETECTION_BAND")
    })
}

/// `ANOMALY_DETECTION_BAND(m1, 0.592)` → `0.592`; the default width is 2.
fn band_width(expression: &str) -> Option<String> {
    let inner = expression.split_once('(')?.1.rsplit_once(')')?.0;
    match inner.split_once(',') {
        Some((_, w)) => Some(w.trim().to_owned()).filter(|w| !w.is_empty()),
        None => Some("2".to_owned()),
    }
}

fn describe_expression(q: &Query) -> String {
    let id = q.id.as_deref().unwrap_or("expression");
    match (&q.expression, &q.label) {
        (Some(e), Some(l)) => format!("{l} ({id} = {e})"),
        (Some(e), None) => format!("{id} = {e}"),
        (None, _) => {
            let name = q
                .metric_name
                .as_deref()
                .or(q.label.as_deref())
                .unwrap_or(id);
            match &q.stat {
                Some(s) => format!("{name} {s}"),
                None => name.to_owned(),
            }
        }
    }
}

/// One query as an escaped mrkdwn line.
fn query_line(q: &Query, band_id: Option<&str>) -> String {
    let id = q.id.as_deref().unwrap_or("?");
    let mut line = if let Some(e) = &q.expression {
        format!("{} = {}", esc(id), esc_trunc(e, 400))
    } else {
        let mut parts = Vec::new();
        if let Some(ns) = &q.namespace {
            parts.push(ns.clone());
        }
        if let Some(m) = &q.metric_name {
            parts.push(m.clone());
        }
        if let Some(s) = &q.stat {
            parts.push(s.clone());
        }
        if let Some(p) = q.period {
            parts.push(format!("over {}", period(p)));
        }
        let mut l = format!("{}: {}", esc(id), esc_trunc(&parts.join(" "), 400));
        if !q.dimensions.is_empty() {
            let dims: Vec<String> = q
                .dimensions
                .iter()
                .take(5)
                .map(|(k, v)| format!("{k} = {v}"))
                .collect();
            let more = q.dimensions.len().saturating_sub(5);
            l.push_str(&format!(
                " ({}{})",
                esc_trunc(&dims.join(", "), 400),
                if more > 0 {
                    format!(", … and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        l
    };
    if let Some(label) = &q.label {
        line.push_str(&format!(" — {}", esc_trunc(label, 200)));
    }
    if band_id.is_some() && q.id.as_deref() == band_id {
        line.push_str(" _(threshold band)_");
    } else if q.return_data {
        line.push_str(" _(compared)_");
    }
    line
}

/// Up to `max` lines as a bullet list, then "… and N more".
pub fn bullet_list(lines: &[String], max: usize) -> String {
    let mut out: Vec<String> = lines.iter().take(max).map(|l| format!("• {l}")).collect();
    if lines.len() > max {
        out.push(format!("… and {} more", lines.len() - max));
    }
    out.join("\n")
}

fn dimension_lines(dims: &[(String, String)], max: usize) -> String {
    let lines: Vec<String> = dims
        .iter()
        .take(max)
        .map(|(k, v)| format!("{} = {}", esc_trunc(k, 250), esc_trunc(v, 250)))
        .collect();
    let mut out = lines.join("\n");
    if dims.len() > max {
        out.push_str(&format!("\n… and {} more", dims.len() - max));
    }
    out
}

fn children(list: Vec<TriggeringChild>) -> Vec<Child> {
    list.into_iter()
        .filter_map(|c| {
            let arn = c.arn?;
            let state = c.state.unwrap_or_default();
            Some(Child {
                name: short_name(&arn).to_owned(),
                state: state.value,
                since: state.timestamp,
            })
        })
        .collect()
}

/// `ALARM(arn:aws:cloudwatch:…:alarm:a) OR ALARM(arn:…:alarm:b)` → `ALARM(a) OR ALARM(b)`.
fn shorten_rule(rule: &str) -> String {
    let mut out = String::with_capacity(rule.len());
    let mut rest = rule;
    while let Some(start) = rest.find("arn:") {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c == ')' || c == '"' || c == '\'' || c.is_whitespace() || c == ',')
            .unwrap_or(tail.len());
        out.push_str(short_name(&tail[..end]));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// `- TreatMissingData:                    missing`, `- TreatMissingData:NonBreaching`,
/// `notBreaching`, `""` → words.
fn treat_missing(raw: &str) -> Option<String> {
    let v = raw.trim().trim_start_matches('-').trim();
    let v = v
        .strip_prefix("TreatMissingData:")
        .or_else(|| v.strip_prefix("TreatMissingData"))
        .unwrap_or(v)
        .trim();
    let words = match v.to_ascii_lowercase().replace(['_', ' '], "").as_str() {
        "" => return None,
        "missing" => "treated as missing",
        "notbreaching" | "nonbreaching" => "treated as not breaching",
        "breaching" => "treated as breaching",
        "ignore" => "ignored (state kept)",
        _ => return Some(v.to_owned()),
    };
    Some(words.to_owned())
}

/// `AVERAGE` → `Average`, `SAMPLE_COUNT` → `SampleCount`; percentiles as given.
fn statistic(s: &str) -> String {
    match s.trim().to_ascii_uppercase().as_str() {
        "AVERAGE" => "Average".into(),
        "SUM" => "Sum".into(),
        "MINIMUM" => "Minimum".into(),
        "MAXIMUM" => "Maximum".into(),
        "SAMPLE_COUNT" | "SAMPLECOUNT" => "SampleCount".into(),
        _ => s.trim().to_owned(),
    }
}

fn operator_words(op: &str) -> &str {
    match op {
        "GreaterThanOrEqualToThreshold" => "≥",
        "GreaterThanThreshold" => ">",
        "LessThanThreshold" => "<",
        "LessThanOrEqualToThreshold" => "≤",
        "LessThanLowerOrGreaterThanUpperThreshold" => "outside the anomaly band",
        "LessThanLowerThreshold" => "below the anomaly band",
        "GreaterThanUpperThreshold" => "above the anomaly band",
        other => other,
    }
}

/// The operator as CloudWatch words it in a state reason ("was greater than or equal to the
/// threshold"), for events that carry no `ComparisonOperator`.
fn operator_from_reason(reason: &str) -> Option<&'static str> {
    let r = reason.to_ascii_lowercase();
    if r.contains("lower thresholds") && r.contains("upper thresholds") {
        Some("LessThanLowerOrGreaterThanUpperThreshold")
    } else if r.contains("greater than or equal to the threshold") {
        Some("GreaterThanOrEqualToThreshold")
    } else if r.contains("less than or equal to the threshold") {
        Some("LessThanOrEqualToThreshold")
    } else if r.contains("greater than the threshold") {
        Some("GreaterThanThreshold")
    } else if r.contains("less than the threshold") {
        Some("LessThanThreshold")
    } else {
        None
    }
}

/// The datapoint list of a state reason: "… datapoints [5.0 (23/11/26 04:00:00), 1.0 (…)] …".
fn datapoints_from_reason(reason: &str) -> Option<String> {
    let start = reason.find("datapoint")?;
    let open = start + reason[start..].find('[')?;
    let close = open + reason[open..].find(']')?;
    let inner = reason[open + 1..close].trim();
    (!inner.is_empty()).then(|| inner.to_owned())
}

fn unit_suffix(unit: Option<&str>) -> String {
    match unit.map(str::trim) {
        None | Some("") | Some("None") | Some("Count") => String::new(),
        Some("Percent") => "%".to_owned(),
        Some("Seconds") => " s".to_owned(),
        Some("Milliseconds") => " ms".to_owned(),
        Some("Microseconds") => " µs".to_owned(),
        Some(u) => format!(" {u}"),
    }
}

/// Colour and emoji for an alarm state.
pub fn state_look(state: &str) -> (Tone, &'static str) {
    match state {
        "ALARM" => (Tone::Alarm, ":red_circle:"),
        "OK" => (Tone::Ok, ":large_green_circle:"),
        "INSUFFICIENT_DATA" => (Tone::Warning, ":large_yellow_circle:"),
        _ => (Tone::Info, ":bell:"),
    }
}

/// Parses the `Message` JSON of a CloudWatch alarm (never fails on an object).
pub fn parse_sns_alarm(v: &Value) -> SnsAlarmMessage {
    SnsAlarmMessage::deserialize(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn treat_missing_data_spellings() {
        assert_eq!(
            treat_missing("- TreatMissingData:                    missing").as_deref(),
            Some("treated as missing")
        );
        assert_eq!(
            treat_missing("- TreatMissingData:NonBreaching").as_deref(),
            Some("treated as not breaching")
        );
        assert_eq!(
            treat_missing("notBreaching").as_deref(),
            Some("treated as not breaching")
        );
        assert_eq!(
            treat_missing("breaching").as_deref(),
            Some("treated as breaching")
        );
        assert_eq!(treat_missing(""), None);
    }

    #[test]
    fn rules_reasons_and_bands() {
        assert_eq!(
            shorten_rule("ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:a) OR ALARM(\"arn:aws:cloudwatch:us-east-1:123456789012:alarm:b c\")"),
            "ALARM(a) OR ALARM(\"b c\")"
        );
        assert_eq!(
            datapoints_from_reason("Threshold Crossed: 2 out of the last 3 datapoints [7.0 (23/11/26 04:05:00), 6.0 (23/11/26 04:00:00)] was greater than or equal to the threshold (5.0)").as_deref(),
            Some("7.0 (23/11/26 04:05:00), 6.0 (23/11/26 04:00:00)")
        );
        assert_eq!(
            operator_from_reason("… was greater than or equal to the threshold (5.0)"),
            Some("GreaterThanOrEqualToThreshold")
        );
        assert_eq!(
            band_width("ANOMALY_DETECTION_BAND(m1, 0.592)").as_deref(),
            Some("0.592")
        );
        assert_eq!(
            band_width("ANOMALY_DETECTION_BAND(m1)").as_deref(),
            Some("2")
        );
        assert_eq!(statistic("SAMPLE_COUNT"), "SampleCount");
    }
}
