//! Slack rendering of SNS messages: alarms, our alerts, AWS events (alarm-notifier core).
