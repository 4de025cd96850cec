//! SDK configuration and small resource helpers for tests against moto.
//!
//! The config is built the way the product's `aws_config::load_defaults` sees it in the
//! pipeline: a profile with `endpoint_url` (moto) and a `services` section pointing CloudWatch
//! at the CBOR bridge. So `aws_sdk_cloudwatch::Client::new(&config)` reaches the bridge and every
//! other client reaches moto, without endpoint code and without touching this process's env.

use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_sdk_s3::config::Credentials;

use crate::bridge::CborBridge;
use crate::moto::Moto;

pub const TEST_REGION: &str = "us-east-1";
/// moto's default account.
pub const TEST_ACCOUNT: &str = "123456789012";
pub const TEST_ACCESS_KEY_ID: &str = "testing";
pub const TEST_SECRET_ACCESS_KEY: &str = "testing";

/// Test credentials, region us-east-1, endpoint moto (and CloudWatch → `bridge` when given).
pub async fn sdk_config(moto: &Moto, bridge: Option<&CborBridge>) -> SdkConfig {
    let mut profile = format!(
        "[profile harness]\nregion = {TEST_REGION}\nendpoint_url = {}\n",
        moto.endpoint
    );
    if let Some(bridge) = bridge {
        profile.push_str(&format!(
            "services = harness-endpoints\n\n[services harness-endpoints]\ncloudwatch =\n  endpoint_url = {}\n",
            bridge.endpoint
        ));
    }
    let files = EnvConfigFiles::builder()
        .include_default_config_file(false)
        .include_default_credentials_file(false)
        .with_contents(EnvConfigFileKind::Config, profile)
        .build();
    aws_config::defaults(BehaviorVersion::latest())
        .profile_files(files)
        .profile_name("harness")
        .region(Region::new(TEST_REGION))
        .credentials_provider(Credentials::new(
            TEST_ACCESS_KEY_ID,
            TEST_SECRET_ACCESS_KEY,
            None,
            None,
            "integration-tests",
        ))
        .load()
        .await
}

/// Environment for a child process (a Lambda binary) so that its `aws_config::load_defaults`
/// reaches moto, and CloudWatch the bridge when given.
pub fn aws_env(moto: &Moto, bridge: Option<&CborBridge>) -> Vec<(String, String)> {
    let mut env = vec![
        ("AWS_ENDPOINT_URL".to_owned(), moto.endpoint.clone()),
        (
            "AWS_ACCESS_KEY_ID".to_owned(),
            TEST_ACCESS_KEY_ID.to_owned(),
        ),
        (
            "AWS_SECRET_ACCESS_KEY".to_owned(),
            TEST_SECRET_ACCESS_KEY.to_owned(),
        ),
        ("AWS_REGION".to_owned(), TEST_REGION.to_owned()),
        ("AWS_DEFAULT_REGION".to_owned(), TEST_REGION.to_owned()),
        // Never read the developer's ~/.aws files in tests.
        ("AWS_CONFIG_FILE".to_owned(), "/dev/null".to_owned()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_owned(),
            "/dev/null".to_owned(),
        ),
        ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
    ];
    if let Some(bridge) = bridge {
        env.push((
            "AWS_ENDPOINT_URL_CLOUDWATCH".to_owned(),
            bridge.endpoint.clone(),
        ));
    }
    env
}

/// CloudWatch client speaking rpc-v2-cbor to the bridge (explicit, whatever `config` says).
pub fn cloudwatch_client(config: &SdkConfig, bridge: &CborBridge) -> aws_sdk_cloudwatch::Client {
    let conf = aws_sdk_cloudwatch::config::Builder::from(config)
        .endpoint_url(&bridge.endpoint)
        .build();
    aws_sdk_cloudwatch::Client::from_conf(conf)
}

/// S3 client with path-style addressing (moto serves buckets under its one host name).
pub fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

pub fn sns_client(config: &SdkConfig) -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::new(config)
}

pub fn sqs_client(config: &SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(config)
}

pub fn secrets_client(config: &SdkConfig) -> aws_sdk_secretsmanager::Client {
    aws_sdk_secretsmanager::Client::new(config)
}

pub async fn create_bucket(s3: &aws_sdk_s3::Client, name: &str) {
    s3.create_bucket()
        .bucket(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create bucket {name}: {e:?}"));
}

/// Creates an SNS topic and returns its ARN.
pub async fn create_topic(sns: &aws_sdk_sns::Client, name: &str) -> String {
    sns.create_topic()
        .name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create topic {name}: {e:?}"))
        .topic_arn
        .unwrap_or_else(|| panic!("moto returned no topic ARN for {name}"))
}

/// A queue's URL and ARN.
#[derive(Debug, Clone)]
pub struct Queue {
    pub url: String,
    pub arn: String,
}

pub async fn create_queue(sqs: &aws_sdk_sqs::Client, name: &str) -> Queue {
    let url = sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create queue {name}: {e:?}"))
        .queue_url
        .unwrap_or_else(|| panic!("moto returned no queue URL for {name}"));
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("queue attributes of {name}: {e:?}"));
    let arn = attributes
        .attributes
        .and_then(|a| {
            a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
                .cloned()
        })
        .unwrap_or_else(|| panic!("moto returned no ARN for queue {name}"));
    Queue { url, arn }
}

/// Subscribes `queue` to `topic_arn`. Without raw delivery the queue receives the SNS
/// notification envelope (`Type`, `MessageId`, `Subject`, `Message`, `MessageAttributes`, …),
/// which is what a Lambda SNS event is built from.
pub async fn subscribe_queue(sns: &aws_sdk_sns::Client, topic_arn: &str, queue: &Queue) -> String {
    sns.subscribe()
        .topic_arn(topic_arn)
        .protocol("sqs")
        .endpoint(&queue.arn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("subscribe {} to {topic_arn}: {e:?}", queue.arn))
        .subscription_arn
        .unwrap_or_default()
}

/// Creates a Secrets Manager secret and returns its ARN.
pub async fn create_secret(
    secrets: &aws_sdk_secretsmanager::Client,
    name: &str,
    value: &str,
) -> String {
    secrets
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create secret {name}: {e:?}"))
        .arn
        .unwrap_or_else(|| panic!("moto returned no ARN for secret {name}"))
}

/// Receives (and deletes) messages until `want` arrived or `timeout` passed; returns the bodies.
pub async fn receive_bodies(
    sqs: &aws_sdk_sqs::Client,
    queue: &Queue,
    want: usize,
    timeout: Duration,
) -> Vec<String> {
    let deadline = Instant::now() + timeout;
    let mut bodies = Vec::new();
    while bodies.len() < want && Instant::now() < deadline {
        let out = sqs
            .receive_message()
            .queue_url(&queue.url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap_or_else(|e| panic!("receive from {}: {e:?}", queue.url));
        for message in out.messages.unwrap_or_default() {
            if let Some(handle) = message.receipt_handle() {
                sqs.delete_message()
                    .queue_url(&queue.url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("delete from {}: {e:?}", queue.url));
            }
            bodies.extend(message.body);
        }
    }
    bodies
}

/// Reads an object's bytes.
pub async fn get_object(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Vec<u8> {
    s3.get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get s3://{bucket}/{key}: {e:?}"))
        .body
        .collect()
        .await
        .unwrap_or_else(|e| panic!("read s3://{bucket}/{key}: {e:?}"))
        .into_bytes()
        .to_vec()
}

/// All keys in `bucket` (under `prefix`), sorted.
pub async fn list_keys(s3: &aws_sdk_s3::Client, bucket: &str, prefix: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut pages = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.unwrap_or_else(|e| panic!("list s3://{bucket}/{prefix}: {e:?}"));
        keys.extend(
            page.contents
                .unwrap_or_default()
                .into_iter()
                .filter_map(|o| o.key),
        );
    }
    keys.sort();
    keys
}
