//! Optional include/exclude regular expressions on resource names.

use regex::Regex;

/// Keeps a resource when its name matches `include` (if set) and does not match `exclude`
/// (if set). Names are the human names: load balancer name (not `app/<name>/<id>`), Classic LB
/// name, bucket name, function name. Matching is a search (`^`/`$` anchor it).
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    include: Option<Regex>,
    exclude: Option<Regex>,
}

impl ResourceFilter {
    /// Compiles the patterns; the error names which one is invalid.
    pub fn new(include: Option<&str>, exclude: Option<&str>) -> Result<Self, String> {
        let compile = |which: &str, pattern: Option<&str>| {
            pattern
                .map(|p| Regex::new(p).map_err(|e| format!("{which} is not a valid regex: {e}")))
                .transpose()
        };
        Ok(ResourceFilter {
            include: compile("include", include)?,
            exclude: compile("exclude", exclude)?,
        })
    }

    pub fn allows(&self, name: &str) -> bool {
        self.include.as_ref().is_none_or(|re| re.is_match(name))
            && !self.exclude.as_ref().is_some_and(|re| re.is_match(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_patterns_keep_everything() {
        assert!(ResourceFilter::default().allows("anything"));
    }

    #[test]
    fn include_then_exclude() {
        let f = ResourceFilter::new(Some("^prod-"), Some("-canary$")).unwrap();
        assert!(f.allows("prod-api"));
        assert!(!f.allows("staging-api"));
        assert!(!f.allows("prod-api-canary"));
    }

    #[test]
    fn invalid_pattern_is_reported() {
        let err = ResourceFilter::new(None, Some("(")).unwrap_err();
        assert!(err.starts_with("exclude"), "{err}");
    }
}
