//! Stored SMP test configurations (Meshery's `/api/user/prefs/perf`): the test settings a user
//! keeps to run again. The configuration itself is opaque JSON here; the contract checks it.

use crate::AppState;
use crate::domain::user::User;
use crate::error::AppError;
use crate::store::{DocQuery, DocTable, DocumentRow};

#[derive(Clone, Debug, PartialEq)]
pub struct TestConfig {
    pub id: String,
    /// The configuration as the client sent it, with `id` set to the stored id.
    pub data: serde_json::Value,
}

impl TestConfig {
    fn from_row(r: DocumentRow) -> Self {
        let mut data: serde_json::Value =
            serde_json::from_str(&r.data).unwrap_or(serde_json::json!({}));
        if let Some(o) = data.as_object_mut() {
            o.insert("id".into(), r.id.clone().into());
        }
        Self { id: r.id, data }
    }
}

pub struct Page {
    pub page: i64,
    pub page_size: i64,
    pub total_count: i64,
    pub configs: Vec<TestConfig>,
}

/// Stores `data` (an object with a `name`); with an `id` of one of the user's configurations
/// it replaces that one, otherwise it gets a new id.
pub async fn save(
    state: &AppState,
    user: &User,
    mut data: serde_json::Value,
) -> Result<TestConfig, AppError> {
    let obj = data
        .as_object_mut()
        .ok_or_else(|| AppError::invalid("the test configuration must be an object"))?;
    let name = obj
        .get("name")
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| AppError::invalid("the test configuration needs a name"))?
        .to_string();
    let now = crate::store::now();
    let (id, created_at) = match obj.remove("id").as_ref().and_then(|v| v.as_str()) {
        Some(id) => {
            // Replacing is for the user's own configurations; any other id is new here.
            match state
                .store
                .get_document(DocTable::TestConfigs, &user.id, id)
                .await?
            {
                Some(existing) => (existing.id, existing.created_at),
                None => (id.to_string(), now.clone()),
            }
        }
        None => (uuid::Uuid::new_v4().to_string(), now.clone()),
    };
    let row = DocumentRow {
        id,
        user_id: user.id.clone(),
        name,
        data: data.to_string(),
        created_at,
        updated_at: now,
    };
    state
        .store
        .put_document(DocTable::TestConfigs, &row)
        .await?;
    // Another user's row with that id is never overwritten (the upsert is scoped by user):
    // read back to make sure this user owns what was written.
    state
        .store
        .get_document(DocTable::TestConfigs, &user.id, &row.id)
        .await?
        .map(TestConfig::from_row)
        .ok_or_else(|| AppError::invalid(format!("id {} is taken", row.id)))
}

pub async fn get(state: &AppState, user: &User, id: &str) -> Result<TestConfig, AppError> {
    state
        .store
        .get_document(DocTable::TestConfigs, &user.id, id)
        .await?
        .map(TestConfig::from_row)
        .ok_or_else(|| AppError::not_found(format_args!("test configuration {id}")))
}

pub async fn list(
    state: &AppState,
    user: &User,
    page: i64,
    page_size: i64,
) -> Result<Page, AppError> {
    let (rows, total) = state
        .store
        .list_documents(
            DocTable::TestConfigs,
            &user.id,
            &DocQuery {
                limit: page_size,
                offset: page.saturating_mul(page_size),
                ..DocQuery::default()
            },
        )
        .await?;
    Ok(Page {
        page,
        page_size,
        total_count: total,
        configs: rows.into_iter().map(TestConfig::from_row).collect(),
    })
}

pub async fn delete(state: &AppState, user: &User, id: &str) -> Result<(), AppError> {
    if state
        .store
        .delete_document(DocTable::TestConfigs, &user.id, id)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::not_found(format_args!("test configuration {id}")))
    }
}
