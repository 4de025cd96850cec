//! ARNs, partitions, region codes and console deep links.

use super::text::url_encode;

/// The parts of `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parses an ARN; `None` for anything that is not one.
    pub fn parse(s: &'a str) -> Option<Self> {
        let mut parts = s.trim().splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let arn = Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        };
        (!arn.partition.is_empty() && !arn.service.is_empty()).then_some(arn)
    }

    /// The region code, when the ARN has a real one (not the `REGION` placeholder of samples).
    pub fn region_code(&self) -> Option<&'a str> {
        looks_like_region(self.region).then_some(self.region)
    }

    /// The 12-digit account id, when present.
    pub fn account_id(&self) -> Option<&'a str> {
        looks_like_account(self.account).then_some(self.account)
    }
}

pub fn looks_like_region(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    let count = s.split('-').count();
    (3..=4).contains(&count)
        && first.len() == 2
        && first.chars().all(|c| c.is_ascii_lowercase())
        && s.chars().last().is_some_and(|c| c.is_ascii_digit())
}

pub fn looks_like_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The partition a region code belongs to.
pub fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

/// Console origin for a partition and region. The commercial console has per-region hosts;
/// China and GovCloud use one host and the `region` query parameter.
pub fn console_origin(partition: &str, region: &str) -> String {
    match partition {
        "aws-cn" => "https://console.amazonaws.cn".to_owned(),
        "aws-us-gov" => "https://console.amazonaws-us-gov.com".to_owned(),
        _ => format!("https://{region}.console.aws.amazon.com"),
    }
}

/// Deep link to a CloudWatch alarm (the form CloudWatch puts in its own e-mails).
pub fn alarm_console_url(partition: &str, region: &str, alarm_name: &str) -> String {
    format!(
        "{}/cloudwatch/deeplink.js?region={region}#alarmsV2:alarm/{}",
        console_origin(partition, region),
        url_encode(alarm_name)
    )
}

/// Deep link to a GuardDuty finding.
pub fn guardduty_finding_url(partition: &str, region: &str, finding_id: &str) -> String {
    format!(
        "{}/guardduty/home?region={region}#/findings?macros=current&fId={}",
        console_origin(partition, region),
        url_encode(finding_id)
    )
}

/// Deep link to an AWS Health event in the account's event log.
pub fn health_event_url(partition: &str, region: &str, event_arn: &str) -> String {
    let origin = match partition {
        "aws" => "https://health.aws.amazon.com".to_owned(),
        other => console_origin(other, region),
    };
    format!(
        "{origin}/health/home?region={region}#/account/event-log?eventID={}&eventTab=details",
        url_encode(event_arn)
    )
}

/// Region code for the display names CloudWatch writes into the alarm `Region` field; used
/// only when the message carries no ARN with a region (old messages lack `AlarmArn`).
pub fn region_code_from_display_name(name: &str) -> Option<&'static str> {
    const NAMES: &[(&str, &str)] = &[
        ("US East (N. Virginia)", "us-east-1"),
        ("US East (Ohio)", "us-east-2"),
        ("US West (N. California)", "us-west-1"),
        ("US West (Oregon)", "us-west-2"),
        ("Africa (Cape Town)", "af-south-1"),
        ("Asia Pacific (Hong Kong)", "ap-east-1"),
        ("Asia Pacific (Hyderabad)", "ap-south-2"),
        ("Asia Pacific (Jakarta)", "ap-southeast-3"),
        ("Asia Pacific (Malaysia)", "ap-southeast-5"),
        ("Asia Pacific (Melbourne)", "ap-southeast-4"),
        ("Asia Pacific (Mumbai)", "ap-south-1"),
        ("Asia Pacific (Osaka)", "ap-northeast-3"),
        ("Asia Pacific (Seoul)", "ap-northeast-2"),
        ("Asia Pacific (Singapore)", "ap-southeast-1"),
        ("Asia Pacific (Sydney)", "ap-southeast-2"),
        ("Asia Pacific (Thailand)", "ap-southeast-7"),
        ("Asia Pacific (Tokyo)", "ap-northeast-1"),
        ("Canada (Central)", "ca-central-1"),
        ("Canada West (Calgary)", "ca-west-1"),
        ("China (Beijing)", "cn-north-1"),
        ("China (Ningxia)", "cn-northwest-1"),
        ("EU (Frankfurt)", "eu-central-1"),
        ("Europe (Frankfurt)", "eu-central-1"),
        ("EU (Ireland)", "eu-west-1"),
        ("Europe (Ireland)", "eu-west-1"),
        ("EU (London)", "eu-west-2"),
        ("Europe (London)", "eu-west-2"),
        ("EU (Milan)", "eu-south-1"),
        ("Europe (Milan)", "eu-south-1"),
        ("EU (Paris)", "eu-west-3"),
        ("Europe (Paris)", "eu-west-3"),
        ("EU (Spain)", "eu-south-2"),
        ("Europe (Spain)", "eu-south-2"),
        ("EU (Stockholm)", "eu-north-1"),
        ("Europe (Stockholm)", "eu-north-1"),
        ("EU (Zurich)", "eu-central-2"),
        ("Europe (Zurich)", "eu-central-2"),
        ("Israel (Tel Aviv)", "il-central-1"),
        ("Mexico (Central)", "mx-central-1"),
        ("Middle East (Bahrain)", "me-south-1"),
        ("Middle East (UAE)", "me-central-1"),
        ("South America (Sao Paulo)", "sa-east-1"),
        ("South America (São Paulo)", "sa-east-1"),
        ("AWS GovCloud (US-East)", "us-gov-east-1"),
        ("AWS GovCloud (US-West)", "us-gov-west-1"),
        ("AWS GovCloud (US)", "us-gov-west-1"),
    ];
    let name = name.trim();
    if looks_like_region(name) {
        return NAMES.iter().map(|(_, c)| *c).find(|c| *c == name);
    }
    NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_arns_and_rejects_placeholders() {
        let arn = Arn::parse("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api:5xx").unwrap();
        assert_eq!(arn.region_code(), Some("eu-west-1"));
        assert_eq!(arn.account_id(), Some("123456789012"));
        assert_eq!(arn.resource, "alarm:api:5xx");
        let sample = Arn::parse("arn:aws:cloudwatch:REGION:ACCOUNT_NUMBER:alarm:EXAMPLE").unwrap();
        assert_eq!(sample.region_code(), None);
        assert_eq!(sample.account_id(), None);
        assert!(Arn::parse("not-an-arn").is_none());
        assert!(Arn::parse("arn:aws").is_none());
    }

    #[test]
    fn links_per_partition() {
        assert_eq!(
            alarm_console_url("aws", "us-east-1", "High errors/api"),
            "https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/High%20errors%2Fapi"
        );
        assert!(alarm_console_url("aws-cn", "cn-north-1", "a")
            .starts_with("https://console.amazonaws.cn/cloudwatch/"));
        assert!(alarm_console_url("aws-us-gov", "us-gov-west-1", "a")
            .starts_with("https://console.amazonaws-us-gov.com/cloudwatch/"));
        assert_eq!(partition_of_region("cn-northwest-1"), "aws-cn");
        assert_eq!(partition_of_region("us-gov-east-1"), "aws-us-gov");
        assert_eq!(partition_of_region("eu-west-1"), "aws");
    }

    #[test]
    fn region_display_names() {
        assert_eq!(
            region_code_from_display_name("US East (N. Virginia)"),
            Some("us-east-1")
        );
        assert_eq!(
            region_code_from_display_name("EU (Ireland)"),
            Some("eu-west-1")
        );
        assert_eq!(
            region_code_from_display_name("Asia Pacific (Singapore)"),
            Some("ap-southeast-1")
        );
        assert_eq!(region_code_from_display_name("EXAMPLE"), None);
    }
}
