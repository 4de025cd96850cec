//! Metric catalogue, window alignment and summary building (metrics-collector core).
