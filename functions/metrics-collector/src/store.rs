//! [`SummaryStore`] adapters: S3 (`SUMMARY_BUCKET`) and a local directory (`SUMMARY_DIR`).

use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;

use crate::ports::{StoreError, SummaryStore};

pub struct S3Store {
    client: Client,
    bucket: String,
}

impl S3Store {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        S3Store {
            client,
            bucket: bucket.into(),
        }
    }

    fn error(&self, key: &str, message: String) -> StoreError {
        StoreError {
            location: format!("s3://{}/{}", self.bucket, key),
            message,
        }
    }
}

#[async_trait]
impl SummaryStore for S3Store {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(e) => {
                if matches!(e.as_service_error(), Some(GetObjectError::NoSuchKey(_)))
                    || e.raw_response().map(|r| r.status().as_u16()) == Some(404)
                {
                    return Ok(None);
                }
                return Err(self.error(key, DisplayErrorContext(&e).to_string()));
            }
        };
        let body = output
            .body
            .collect()
            .await
            .map_err(|e| self.error(key, format!("reading the body failed: {e}")))?;
        Ok(Some(body.into_bytes().to_vec()))
    }

    async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &'static str,
    ) -> Result<(), StoreError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| self.error(key, DisplayErrorContext(&e).to_string()))?;
        Ok(())
    }

    fn location(&self) -> String {
        format!("s3://{}", self.bucket)
    }
}

/// Files under a directory, same keys as S3 (`dir/<key>`).
pub struct LocalStore {
    dir: PathBuf,
}

impl LocalStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        LocalStore { dir: dir.into() }
    }

    /// `dir/key`, refusing keys that would leave the directory.
    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        let relative = Path::new(key);
        if relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(StoreError {
                location: key.to_owned(),
                message: "key is not a plain relative path".into(),
            });
        }
        Ok(self.dir.join(relative))
    }
}

fn io_error(path: &Path, e: std::io::Error) -> StoreError {
    StoreError {
        location: path.display().to_string(),
        message: e.to_string(),
    }
}

#[async_trait]
impl SummaryStore for LocalStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path(key)?;
        tokio::task::spawn_blocking(move || match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(&path, e)),
        })
        .await
        .map_err(|e| StoreError {
            location: key.to_owned(),
            message: format!("read task failed: {e}"),
        })?
    }

    async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        _content_type: &'static str,
    ) -> Result<(), StoreError> {
        let path = self.path(key)?;
        tokio::task::spawn_blocking(move || {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
            }
            // Write then rename, so a reader never sees half a file.
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, &body).map_err(|e| io_error(&tmp, e))?;
            std::fs::rename(&tmp, &path).map_err(|e| io_error(&path, e))
        })
        .await
        .map_err(|e| StoreError {
            location: key.to_owned(),
            message: format!("write task failed: {e}"),
        })?
    }

    fn location(&self) -> String {
        self.dir.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "metrics-collector-store-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[tokio::test]
    async fn local_store_round_trips_and_overwrites() {
        let dir = temp_dir("roundtrip");
        let store = LocalStore::new(&dir);
        let key = "p/summary/dt=2026-11-23/x.json";
        assert_eq!(store.get(key).await.unwrap(), None);
        store
            .put(key, b"one".to_vec(), "application/json")
            .await
            .unwrap();
        store
            .put(key, b"two".to_vec(), "application/json")
            .await
            .unwrap();
        assert_eq!(store.get(key).await.unwrap(), Some(b"two".to_vec()));
        assert!(dir.join(key).is_file());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn local_store_refuses_keys_outside_the_directory() {
        let store = LocalStore::new(temp_dir("escape"));
        for key in ["../x.json", "/etc/x.json", "a/../../x"] {
            assert!(
                store.put(key, vec![], "application/json").await.is_err(),
                "{key}"
            );
        }
    }

    #[tokio::test]
    async fn local_store_write_failure_is_an_error() {
        let dir = temp_dir("blocked");
        std::fs::create_dir_all(&dir).unwrap();
        // A file where a directory is needed.
        std::fs::write(dir.join("summary"), b"").unwrap();
        let store = LocalStore::new(&dir);
        assert!(store
            .put("summary/x.json", vec![], "application/json")
            .await
            .is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
