//! User preferences: Meshery's preference object. The Local provider's are stored here, per
//! user; a remote provider keeps them itself (`sync-prefs`), in Meshery's JSON shape.

use crate::AppState;
use crate::auth::RequestContext;
use crate::error::AppError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadTestPrefs {
    pub c: i32,
    pub qps: i32,
    pub t: String,
    #[serde(rename = "gen")]
    pub generator: String,
}

/// Meshery's JSON names (camelCase); `default` so a provider's partial document reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Preference {
    #[serde(alias = "anonymous_usage_stats")]
    pub anonymous_usage_stats: bool,
    #[serde(alias = "anonymous_perf_results")]
    pub anonymous_perf_results: bool,
    #[serde(alias = "selected_k8s_contexts")]
    pub selected_k8s_contexts: Vec<String>,
    #[serde(alias = "load_test_prefs")]
    pub load_test_prefs: LoadTestPrefs,
    #[serde(rename = "updated_at")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Meshery's defaults: usage statistics on, 1 connection at 0 QPS for 30 s with Fortio.
impl Default for Preference {
    fn default() -> Self {
        Self {
            anonymous_usage_stats: true,
            anonymous_perf_results: true,
            selected_k8s_contexts: vec![],
            load_test_prefs: LoadTestPrefs {
                c: 1,
                qps: 0,
                t: "30s".into(),
                generator: "fortio".into(),
            },
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }
}

/// Fields to change; `None` keeps the stored value.
#[derive(Clone, Debug, Default)]
pub struct PreferenceUpdate {
    pub anonymous_usage_stats: Option<bool>,
    pub anonymous_perf_results: Option<bool>,
    pub selected_k8s_contexts: Option<Vec<String>>,
    pub load_test_prefs: Option<LoadTestPrefs>,
}

pub const LOAD_GENERATORS: &[&str] = &["fortio", "wrk2", "nighthawk"];
const MAX_CONTEXTS: usize = 256;

/// The same rules the REST contract states, enforced here too because GraphQL inputs only
/// carry types, not ranges.
fn validate(u: &PreferenceUpdate) -> Result<(), AppError> {
    if let Some(l) = &u.load_test_prefs {
        if !(1..=10_000).contains(&l.c) {
            return Err(AppError::invalid(
                "loadTestPrefs.c must be between 1 and 10000",
            ));
        }
        if !(0..=1_000_000).contains(&l.qps) {
            return Err(AppError::invalid(
                "loadTestPrefs.qps must be between 0 and 1000000",
            ));
        }
        let (digits, unit) = l.t.split_at(l.t.len().saturating_sub(1));
        if digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || !matches!(unit, "h" | "m" | "s")
        {
            return Err(AppError::invalid(
                "loadTestPrefs.t must look like 30s, 5m or 1h",
            ));
        }
        if !LOAD_GENERATORS.contains(&l.generator.as_str()) {
            return Err(AppError::invalid(format!(
                "loadTestPrefs.gen must be one of {LOAD_GENERATORS:?}"
            )));
        }
    }
    if let Some(c) = &u.selected_k8s_contexts
        && (c.len() > MAX_CONTEXTS || c.iter().any(|s| s.len() > 256))
    {
        return Err(AppError::invalid(
            "selectedK8sContexts: at most 256 entries of at most 256 characters",
        ));
    }
    Ok(())
}

pub async fn get(state: &AppState, ctx: &RequestContext) -> Result<Preference, AppError> {
    if let Some(doc) = ctx.provider.load_prefs(&ctx.session).await? {
        return Ok(serde_json::from_value(doc).unwrap_or_default());
    }
    let user = &ctx.user;
    match state.store.get_prefs(&user.id, &user.provider).await? {
        Some(row) => {
            let mut p: Preference = serde_json::from_str(&row.data).map_err(AppError::internal)?;
            p.updated_at = crate::store::parse_time(&row.updated_at);
            Ok(p)
        }
        None => Ok(Preference::default()),
    }
}

pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    u: PreferenceUpdate,
) -> Result<Preference, AppError> {
    validate(&u)?;
    let mut p = get(state, ctx).await?;
    if let Some(v) = u.anonymous_usage_stats {
        p.anonymous_usage_stats = v;
    }
    if let Some(v) = u.anonymous_perf_results {
        p.anonymous_perf_results = v;
    }
    if let Some(v) = u.selected_k8s_contexts {
        p.selected_k8s_contexts = v;
    }
    if let Some(v) = u.load_test_prefs {
        p.load_test_prefs = v;
    }
    let now = chrono::Utc::now();
    p.updated_at = now;
    let doc = serde_json::to_value(&p).map_err(AppError::internal)?;
    if ctx.provider.save_prefs(&ctx.session, &doc).await? {
        return Ok(p);
    }
    let user = &ctx.user;
    state
        .store
        .put_prefs(
            &user.id,
            &user.provider,
            &doc.to_string(),
            &crate::store::format_time(now),
        )
        .await?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_load(t: &str, c: i32, generator: &str) -> PreferenceUpdate {
        PreferenceUpdate {
            load_test_prefs: Some(LoadTestPrefs {
                c,
                qps: 0,
                t: t.into(),
                generator: generator.into(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn load_test_prefs_are_checked() {
        assert!(validate(&with_load("30s", 1, "fortio")).is_ok());
        assert!(validate(&with_load("s", 1, "fortio")).is_err());
        assert!(validate(&with_load("10x", 1, "fortio")).is_err());
        assert!(validate(&with_load("", 1, "fortio")).is_err());
        assert!(validate(&with_load("5m", 0, "fortio")).is_err());
        assert!(validate(&with_load("5m", 1, "ab")).is_err());
    }
}
