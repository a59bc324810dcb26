//! OpenAPI → progenitor client (the Rust SDK, used by the integration tests).

use crate::{Error, Result};
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle};

/// Generates a builder-style client with one method per operation.
pub fn generate(spec: &openapiv3::OpenAPI) -> Result<String> {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged);
    let tokens = Generator::new(&settings)
        .generate_tokens(spec)
        .map_err(|e| Error(format!("progenitor: {e}")))?;
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| Error(format!("progenitor output does not parse: {e}")))?;
    Ok(prettyplease::unparse(&file))
}
