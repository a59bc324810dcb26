//! OpenAPI → progenitor client (the Rust SDK, used by the integration tests).

use crate::{Error, Result};
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle};

/// Generates a builder-style client with one method per operation.
pub fn generate(spec: &openapiv3::OpenAPI) -> Result<String> {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged);
    let spec = json_bodies_only(spec);
    let tokens = Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| Error(format!("progenitor: {e}")))?;
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| Error(format!("progenitor output does not parse: {e}")))?;
    Ok(prettyplease::unparse(&file))
}

/// progenitor takes one request media type per operation; where the contract also accepts
/// YAML, the SDK sends JSON.
fn json_bodies_only(spec: &openapiv3::OpenAPI) -> openapiv3::OpenAPI {
    let mut spec = spec.clone();
    for item in spec.paths.paths.values_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else {
            continue;
        };
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in ops.into_iter().flatten() {
            if let Some(openapiv3::ReferenceOr::Item(body)) = &mut op.request_body
                && body.content.contains_key("application/json")
            {
                body.content.retain(|k, _| k == "application/json");
            }
        }
    }
    spec
}
