//! The signed-in user, as the selected provider describes them.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Stable identifier; events and preferences are keyed by it.
    pub id: String,
    pub user_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub avatar_url: String,
    /// Registration key of the provider that authenticated the user.
    pub provider: String,
}
