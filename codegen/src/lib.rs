//! Contract → code. `build.rs` of the `meshery-server` crate calls these functions; each one
//! reads a contract (the bundled OpenAPI document or the GraphQL SDL) and returns Rust source or
//! documentation text. Anything outside the supported subset is an error that names the
//! operation or type, so a contract change never silently produces wrong code.

pub mod bundle;
pub mod docs;
pub mod graphql_server;
pub mod rest_client;
pub mod rest_server;

/// A generator error: always names the contract element it is about.
#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// Formats generated tokens with prettyplease so the output in `$OUT_DIR` is readable.
pub fn format_tokens(tokens: proc_macro2::TokenStream) -> Result<String> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| Error(format!("generated code does not parse: {e}")))?;
    Ok(prettyplease::unparse(&file))
}
