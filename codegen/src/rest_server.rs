//! OpenAPI → poem-openapi server stubs.
//!
//! No crate generates poem code from a spec, so this emitter is ours. It supports a deliberate
//! subset of OpenAPI 3.0 and returns an error naming the operation or schema for anything else,
//! so the contract can never be half-served:
//!
//! - component schemas: objects with named properties, and string enums (every enum must be a
//!   component, because poem-openapi renders enums as named schemas);
//! - property and parameter types: string (plain, `uuid`, `date-time`), integer (`int32`,
//!   `int64`), number, boolean, arrays, `$ref`s, maps (`additionalProperties: <schema>`) and
//!   free-form objects (`type: object` with no properties);
//! - validation keywords: `minLength`, `maxLength`, `pattern`, `minimum`, `maximum`,
//!   `minItems`, `maxItems`, and `default` on query parameters;
//! - path and query parameters; one JSON request body, optionally also accepted as YAML
//!   (`application/yaml` with the same schema); responses with a JSON body, an SSE
//!   (`text/event-stream`) body or none, optionally with string headers;
//! - security: an operation either declares `security: []` (public) or inherits the root
//!   requirement, which is enforced by the configured authentication extractor. A public
//!   operation that needs to know about its caller anyway (which provider the cookies select,
//!   the session cookie to end) says `x-caller: true` and receives the configured caller type.
//!
//! Output, per tag: a `<Tag>Api` trait with one method per `operationId` (the handwritten
//! side), and a `<Tag>Routes<H>` type whose `#[OpenApi]` impl does routing, extraction and
//! validation before delegating to the trait. Per operation: a response enum with one variant
//! per documented status. Also: `OPERATIONS` (a table of every operation, used by the
//! authentication-coverage test and metrics) and `ErrorCode` from the root `x-error-codes`.

use crate::{Error, Result};
use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{
    OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind,
    StatusCode, Type, VariantOrUnknownOrEmpty,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Paths of handwritten types the generated code refers to.
pub struct Config {
    /// Extractor that authenticates a request (implements `poem_openapi::ApiExtractor`).
    pub auth_type: String,
    /// The one error type handlers return (implements `ApiResponse + Into<poem::Error>`).
    pub error_type: String,
    /// What a public operation marked `x-caller: true` receives about its caller without
    /// authenticating (selected provider, cookies, host): a poem `FromRequest` extractor.
    pub caller_type: String,
}

/// Generates the server stubs for `spec` as formatted Rust source.
pub fn generate(spec: &OpenAPI, cfg: &Config) -> Result<String> {
    crate::format_tokens(tokens(spec, cfg)?)
}

/// An operation, flattened out of the paths map.
pub struct Op<'a> {
    pub path: &'a str,
    pub method: &'static str,
    pub op: &'a Operation,
    pub public: bool,
    pub tag: String,
    pub id: String,
}

/// Every operation in document order, with its effective security.
pub fn operations(spec: &OpenAPI) -> Result<Vec<Op<'_>>> {
    let root_secured = spec.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut ops = Vec::new();
    for (path, item) in spec.paths.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            return Err(Error(format!(
                "openapi: path `{path}` is still a $ref after bundling"
            )));
        };
        let methods: [(&'static str, &Option<Operation>); 5] = [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("delete", &item.delete),
            ("patch", &item.patch),
        ];
        for (method, op) in methods {
            let Some(op) = op else { continue };
            let id = op
                .operation_id
                .clone()
                .ok_or_else(|| Error(format!("openapi: {method} {path} has no operationId")))?;
            let public = match &op.security {
                Some(s) => s.is_empty(),
                None => !root_secured,
            };
            let tag = match op.tags.as_slice() {
                [t] => t.clone(),
                _ => {
                    return Err(Error(format!(
                        "openapi: operation `{id}` needs exactly one tag"
                    )));
                }
            };
            ops.push(Op {
                path,
                method,
                op,
                public,
                tag,
                id,
            });
        }
    }
    Ok(ops)
}

fn ty(path: &str) -> TokenStream {
    syn::parse_str::<syn::Type>(path)
        .expect("configured type path")
        .to_token_stream()
}

use quote::ToTokens;

fn tokens(spec: &OpenAPI, cfg: &Config) -> Result<TokenStream> {
    let mut out = TokenStream::new();

    // Tags.
    let tag_variants = spec.tags.iter().map(|t| {
        let v = format_ident!("{}", t.name.to_upper_camel_case());
        let name = &t.name;
        let doc = doc_attr(t.description.as_deref());
        quote! { #doc #[oai(rename = #name)] #v }
    });
    out.extend(quote! {
        #[derive(::poem_openapi::Tags)]
        pub enum ApiTags { #(#tag_variants,)* }
    });

    // Component schemas.
    if let Some(components) = &spec.components {
        for (name, schema) in &components.schemas {
            let ReferenceOr::Item(schema) = schema else {
                return Err(Error(format!(
                    "openapi: schema `{name}` is an alias; not supported"
                )));
            };
            out.extend(schema_type(name, schema)?);
        }
    }

    // Operations grouped by tag.
    let ops = operations(spec)?;
    let mut table = Vec::new();
    for tag in &spec.tags {
        let tag_ops: Vec<&Op> = ops.iter().filter(|o| o.tag == tag.name).collect();
        let trait_name = format_ident!("{}Api", tag.name.to_upper_camel_case());
        let routes_name = format_ident!("{}Routes", tag.name.to_upper_camel_case());
        let tag_variant = format_ident!("{}", tag.name.to_upper_camel_case());
        let tag_expr = format!("ApiTags::{tag_variant}");
        let mut trait_methods = Vec::new();
        let mut route_methods = Vec::new();
        for op in tag_ops {
            let g = operation(op, cfg, &tag_expr)?;
            out.extend(g.response_enum);
            out.extend(g.defaults);
            trait_methods.push(g.trait_method);
            route_methods.push(g.route_method);
            let (m, p, id, public, t) = (
                op.method.to_uppercase(),
                op.path,
                &op.id,
                op.public,
                &op.tag,
            );
            table.push(quote! { Operation { method: #m, path: #p, operation_id: #id, public: #public, tag: #t } });
        }
        let doc = format!(
            "Handlers of the `{}` tag: one method per operation.",
            tag.name
        );
        out.extend(quote! {
            #[doc = #doc]
            pub trait #trait_name: Send + Sync + 'static { #(#trait_methods)* }

            /// Routing, extraction and validation for this tag; delegates to the handlers.
            pub struct #routes_name<H>(pub ::std::sync::Arc<H>);

            #[::poem_openapi::OpenApi]
            impl<H: #trait_name> #routes_name<H> { #(#route_methods)* }
        });
    }
    for op in &ops {
        if !spec.tags.iter().any(|t| t.name == op.tag) {
            return Err(Error(format!(
                "openapi: operation `{}` uses undeclared tag `{}`",
                op.id, op.tag
            )));
        }
    }

    // All routes of the API as one tuple, for `OpenApiService::new`.
    let names: Vec<_> = spec
        .tags
        .iter()
        .map(|t| format_ident!("{}Routes", t.name.to_upper_camel_case()))
        .collect();
    let bounds: Vec<_> = spec
        .tags
        .iter()
        .map(|t| format_ident!("{}Api", t.name.to_upper_camel_case()))
        .collect();
    out.extend(quote! {
        /// Every tag's routes, ready for `poem_openapi::OpenApiService::new`.
        pub fn routes<H: #(#bounds)+*>(handlers: ::std::sync::Arc<H>) -> ( #(#names<H>,)* ) {
            ( #(#names(handlers.clone()),)* )
        }

        /// One row per operation of the contract.
        #[derive(Clone, Copy, Debug)]
        pub struct Operation {
            pub method: &'static str,
            pub path: &'static str,
            pub operation_id: &'static str,
            /// `security: []` in the contract: served without credentials.
            pub public: bool,
            pub tag: &'static str,
        }

        /// Every operation of the contract, in document order.
        pub const OPERATIONS: &[Operation] = &[ #(#table,)* ];
    });

    out.extend(error_codes(spec)?);
    Ok(out)
}

fn doc_attr(text: Option<&str>) -> TokenStream {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            let lines = t.lines().map(|l| format!(" {l}"));
            quote! { #(#[doc = #lines])* }
        }
        None => TokenStream::new(),
    }
}

/// A component schema: an object struct or a string enum.
fn schema_type(name: &str, schema: &Schema) -> Result<TokenStream> {
    let ident = format_ident!("{}", name.to_upper_camel_case());
    let doc = doc_attr(schema.schema_data.description.as_deref());
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
            let variants = s.enumeration.iter().map(|v| {
                let v = v.as_deref().unwrap_or("null");
                let id = format_ident!("{}", variant_name(v));
                quote! { #[oai(rename = #v)] #id }
            });
            let values = s.enumeration.iter().flatten();
            let idents = s
                .enumeration
                .iter()
                .flatten()
                .map(|v| format_ident!("{}", variant_name(v)));
            Ok(quote! {
                #doc
                #[derive(::poem_openapi::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
                #[oai(rename = #name)]
                pub enum #ident { #(#variants,)* }

                impl #ident {
                    /// The value as it appears on the wire.
                    pub fn as_str(self) -> &'static str {
                        match self { #(Self::#idents => #values,)* }
                    }
                }
            })
        }
        SchemaKind::Type(Type::Object(obj)) if !obj.properties.is_empty() => {
            let mut fields = Vec::new();
            let mut used = std::collections::BTreeSet::new();
            for (prop, schema) in &obj.properties {
                let where_ = format!("schema `{name}` property `{prop}`");
                let schema = unbox(schema);
                let (rust, validators) = field_type(&schema, &where_)?;
                let required = obj.required.iter().any(|r| r == prop);
                // Both spellings of a property may be accepted (Meshery's camelCase and the
                // snake_case mesheryctl sends): the snake_case one gets a `_snake` suffix.
                let mut rust_name = field_name(prop);
                if !used.insert(rust_name.clone()) {
                    if !prop.contains('_') {
                        return Err(Error(format!(
                            "openapi: schema `{name}` property `{prop}` maps to the Rust name of another property"
                        )));
                    }
                    rust_name = format!("{}_snake", rust_name.trim_start_matches("r#"));
                    used.insert(rust_name.clone());
                }
                let field = format_ident!("{}", rust_name);
                let doc = match schema {
                    ReferenceOr::Item(s) => doc_attr(s.schema_data.description.as_deref()),
                    _ => TokenStream::new(),
                };
                let validator = validator_attr(&validators);
                if required {
                    let extra = if validators.0.is_empty() {
                        quote! {}
                    } else {
                        quote! { , #validator }
                    };
                    fields.push(quote! { #doc #[oai(rename = #prop #extra)] pub #field: #rust });
                } else {
                    let extra = if validators.0.is_empty() {
                        quote! {}
                    } else {
                        quote! { , #validator }
                    };
                    fields.push(quote! {
                        #doc #[oai(rename = #prop, skip_serializing_if_is_none #extra)]
                        pub #field: ::std::option::Option<#rust>
                    });
                }
            }
            for r in &obj.required {
                if !obj.properties.contains_key(r) {
                    return Err(Error(format!(
                        "openapi: schema `{name}` requires unknown property `{r}`"
                    )));
                }
            }
            Ok(quote! {
                #doc
                #[derive(::poem_openapi::Object, Clone, Debug, PartialEq)]
                #[oai(rename = #name)]
                pub struct #ident { #(#fields,)* }
            })
        }
        _ => Err(Error(format!(
            "openapi: schema `{name}` must be an object with properties or a string enum"
        ))),
    }
}

fn unbox(s: &ReferenceOr<Box<Schema>>) -> ReferenceOr<Schema> {
    match s {
        ReferenceOr::Reference { reference } => ReferenceOr::Reference {
            reference: reference.clone(),
        },
        ReferenceOr::Item(b) => ReferenceOr::Item((**b).clone()),
    }
}

fn variant_name(v: &str) -> String {
    let n = v.to_lowercase().to_upper_camel_case();
    if n.is_empty() || n.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{n}")
    } else {
        n
    }
}

fn field_name(prop: &str) -> String {
    let n = prop.to_snake_case();
    match n.as_str() {
        "type" | "ref" | "match" | "self" | "struct" | "enum" | "fn" | "mod" | "use" | "in"
        | "loop" | "move" | "where" | "async" | "await" | "dyn" | "impl" | "trait" | "gen"
        | "box" | "try" | "yield" => {
            format!("r#{n}")
        }
        _ => n,
    }
}

/// Validation keywords of one schema, as poem-openapi validator arguments.
#[derive(Default)]
struct Validators(Vec<TokenStream>);

fn validator_attr(v: &Validators) -> TokenStream {
    if v.0.is_empty() {
        return TokenStream::new();
    }
    let items = &v.0;
    quote! { validator(#(#items),*) }
}

fn ref_name(reference: &str, where_: &str) -> Result<String> {
    reference
        .strip_prefix("#/components/schemas/")
        .map(|n| n.to_upper_camel_case())
        .ok_or_else(|| Error(format!("openapi: {where_}: unsupported $ref `{reference}`")))
}

/// The Rust type of a property or parameter schema, and its validators.
fn field_type(schema: &ReferenceOr<Schema>, where_: &str) -> Result<(TokenStream, Validators)> {
    let schema = match schema {
        ReferenceOr::Reference { reference } => {
            let id = format_ident!("{}", ref_name(reference, where_)?);
            return Ok((quote! { #id }, Validators::default()));
        }
        ReferenceOr::Item(s) => s,
    };
    let mut v = Validators::default();
    let rust = match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            if !s.enumeration.is_empty() {
                return Err(Error(format!(
                    "openapi: {where_}: inline enums are not supported; make it a component schema"
                )));
            }
            if let Some(n) = s.min_length {
                v.0.push(quote! { min_length = #n });
            }
            if let Some(n) = s.max_length {
                v.0.push(quote! { max_length = #n });
            }
            if let Some(p) = &s.pattern {
                v.0.push(quote! { pattern = #p });
            }
            match &s.format {
                VariantOrUnknownOrEmpty::Empty => quote! { ::std::string::String },
                VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::DateTime) => {
                    quote! { ::chrono::DateTime<::chrono::Utc> }
                }
                VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid" => quote! { ::uuid::Uuid },
                other => {
                    return Err(Error(format!(
                        "openapi: {where_}: string format {other:?} is not supported"
                    )));
                }
            }
        }
        SchemaKind::Type(Type::Integer(i)) => {
            if let Some(n) = i.minimum {
                let n = n.to_string();
                v.0.push(quote! { minimum(value = #n) });
            }
            if let Some(n) = i.maximum {
                let n = n.to_string();
                v.0.push(quote! { maximum(value = #n) });
            }
            match &i.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => quote! { i32 },
                VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int64) => quote! { i64 },
                _ => {
                    return Err(Error(format!(
                        "openapi: {where_}: integers need format int32 or int64"
                    )));
                }
            }
        }
        SchemaKind::Type(Type::Number(n)) => {
            if let Some(m) = n.minimum {
                let m = m.to_string();
                v.0.push(quote! { minimum(value = #m) });
            }
            if let Some(m) = n.maximum {
                let m = m.to_string();
                v.0.push(quote! { maximum(value = #m) });
            }
            quote! { f64 }
        }
        SchemaKind::Type(Type::Boolean(_)) => quote! { bool },
        SchemaKind::Type(Type::Array(a)) => {
            if let Some(n) = a.min_items {
                v.0.push(quote! { min_items = #n });
            }
            if let Some(n) = a.max_items {
                v.0.push(quote! { max_items = #n });
            }
            let items = a
                .items
                .as_ref()
                .ok_or_else(|| Error(format!("openapi: {where_}: array without items")))?;
            let (inner, inner_v) = field_type(&unbox(items), where_)?;
            if !inner_v.0.is_empty() {
                return Err(Error(format!(
                    "openapi: {where_}: validation keywords on array items are not supported"
                )));
            }
            quote! { ::std::vec::Vec<#inner> }
        }
        SchemaKind::Type(Type::Object(o)) if o.properties.is_empty() => {
            match &o.additional_properties {
                Some(openapiv3::AdditionalProperties::Schema(s)) => {
                    let (inner, _) = field_type(&s.as_ref().clone(), where_)?;
                    quote! { ::std::collections::BTreeMap<::std::string::String, #inner> }
                }
                _ => quote! {
                    ::std::collections::BTreeMap<::std::string::String, ::serde_json::Value>
                },
            }
        }
        _ => {
            return Err(Error(format!(
                "openapi: {where_}: inline objects, oneOf, allOf and anyOf are not supported; use a component schema"
            )));
        }
    };
    Ok((rust, v))
}

struct GenOp {
    response_enum: TokenStream,
    defaults: TokenStream,
    trait_method: TokenStream,
    route_method: TokenStream,
}

fn status_variant(code: u16) -> String {
    match code {
        200 => "Ok".into(),
        201 => "Created".into(),
        202 => "Accepted".into(),
        204 => "NoContent".into(),
        301 => "MovedPermanently".into(),
        302 => "Found".into(),
        303 => "SeeOther".into(),
        307 => "TemporaryRedirect".into(),
        308 => "PermanentRedirect".into(),
        400 => "BadRequest".into(),
        401 => "Unauthorized".into(),
        403 => "Forbidden".into(),
        404 => "NotFound".into(),
        409 => "Conflict".into(),
        413 => "PayloadTooLarge".into(),
        500 => "InternalServerError".into(),
        502 => "BadGateway".into(),
        503 => "ServiceUnavailable".into(),
        c => format!("Status{c}"),
    }
}

fn operation(op: &Op, cfg: &Config, tag_expr: &str) -> Result<GenOp> {
    let auth_ty = &ty(&cfg.auth_type);
    let err_ty = &ty(&cfg.error_type);
    let id = &op.id;
    let o = op.op;
    let fn_name = format_ident!("{}", id.to_snake_case());
    let resp_name = format_ident!("{}Response", id.to_upper_camel_case());
    let where_ = |what: &str| format!("operation `{id}` {what}");

    // Responses.
    let mut variants = Vec::new();
    if o.responses.default.is_some() {
        return Err(Error(format!(
            "openapi: {}",
            where_("has a `default` response; list statuses")
        )));
    }
    for (status, resp) in &o.responses.responses {
        let StatusCode::Code(code) = status else {
            return Err(Error(format!("openapi: {}", where_("uses a status range"))));
        };
        let ReferenceOr::Item(resp) = resp else {
            return Err(Error(format!("openapi: {}", where_("has a $ref response"))));
        };
        let variant = format_ident!("{}", status_variant(*code));
        let desc = resp.description.clone();
        let mut payload = Vec::new();
        match resp.content.len() {
            0 => {}
            1 => {
                let (media, content) = resp.content.first().expect("one entry");
                let schema = content.schema.as_ref().ok_or_else(|| {
                    Error(format!(
                        "openapi: {}",
                        where_("has a response without schema")
                    ))
                })?;
                let (rust, _) = field_type(schema, &where_(&format!("response {code}")))?;
                match media.as_str() {
                    "application/json" => payload.push(quote! { ::poem_openapi::payload::Json<#rust> }),
                    "text/event-stream" => payload.push(quote! {
                        ::poem_openapi::payload::EventStream<::futures::stream::BoxStream<'static, #rust>>
                    }),
                    m => return Err(Error(format!("openapi: {}", where_(&format!("returns unsupported media type `{m}`"))))),
                }
            }
            _ => {
                return Err(Error(format!(
                    "openapi: {}",
                    where_("has a response with several media types")
                )));
            }
        }
        for (hname, header) in &resp.headers {
            let ReferenceOr::Item(_) = header else {
                return Err(Error(format!("openapi: {}", where_("has a $ref header"))));
            };
            payload.push(quote! { #[oai(header = #hname)] ::std::string::String });
        }
        let code = *code;
        let fields = if payload.is_empty() {
            quote! {}
        } else {
            quote! { ( #(#payload),* ) }
        };
        variants.push(quote! { #[doc = #desc] #[oai(status = #code)] #variant #fields });
    }
    let resp_doc = format!("Responses of `{id}`, one variant per documented status.");
    let mut response_enum = quote! {
        #[doc = #resp_doc]
        #[derive(::poem_openapi::ApiResponse)]
        pub enum #resp_name { #(#variants,)* }
    };

    // Parameters.
    let mut defaults = TokenStream::new();
    let mut trait_params = Vec::new();
    let mut route_params = Vec::new();
    let mut call_args = Vec::new();
    let wants_caller = o
        .extensions
        .get("x-caller")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    if !op.public {
        if wants_caller {
            return Err(Error(format!(
                "openapi: {}",
                where_("is secured; `x-caller` is for public operations")
            )));
        }
        trait_params.push(quote! { auth: #auth_ty });
        route_params.push(quote! { auth: #auth_ty });
        call_args.push(quote! { auth });
    } else if wants_caller {
        let caller_ty = ty(&cfg.caller_type);
        trait_params.push(quote! { caller: #caller_ty });
        route_params.push(quote! { caller: #caller_ty });
        call_args.push(quote! { caller });
    }
    for p in &o.parameters {
        let ReferenceOr::Item(p) = p else {
            return Err(Error(format!(
                "openapi: {}",
                where_("has a $ref parameter")
            )));
        };
        let (data, kind) = match p {
            Parameter::Path { parameter_data, .. } => (parameter_data, "path"),
            Parameter::Query { parameter_data, .. } => (parameter_data, "query"),
            _ => {
                return Err(Error(format!(
                    "openapi: {}",
                    where_(&format!(
                        "parameter `{}`: only path and query parameters are supported",
                        p.parameter_data_ref().name
                    ))
                )));
            }
        };
        let pname = &data.name;
        let ParameterSchemaOrContent::Schema(schema) = &data.format else {
            return Err(Error(format!(
                "openapi: {}",
                where_(&format!("parameter `{pname}` needs a schema"))
            )));
        };
        let (rust, validators) = field_type(schema, &where_(&format!("parameter `{pname}`")))?;
        let ident = format_ident!("{}", field_name(pname));
        let validator = if validators.0.is_empty() {
            quote! {}
        } else {
            let v = validator_attr(&validators);
            quote! { , #v }
        };
        let doc = doc_attr(data.description.as_deref());
        let default = match schema {
            ReferenceOr::Item(s) => s.schema_data.default.clone(),
            _ => None,
        };
        let wrapper = if kind == "path" {
            quote! { ::poem_openapi::param::Path }
        } else {
            quote! { ::poem_openapi::param::Query }
        };
        if let Some(default) = default {
            let dfn = format_ident!("default_{}_{}", id.to_snake_case(), pname.to_snake_case());
            let value = default_expr(&default, &where_(&format!("parameter `{pname}`")))?;
            let dfn_name = dfn.to_string();
            defaults.extend(quote! { fn #dfn() -> #rust { #value } });
            route_params.push(quote! { #doc #[oai(name = #pname, default = #dfn_name #validator)] #ident: #wrapper<#rust> });
            trait_params.push(quote! { #ident: #rust });
        } else if data.required {
            route_params
                .push(quote! { #doc #[oai(name = #pname #validator)] #ident: #wrapper<#rust> });
            trait_params.push(quote! { #ident: #rust });
        } else {
            route_params.push(quote! { #doc #[oai(name = #pname #validator)] #ident: #wrapper<::std::option::Option<#rust>> });
            trait_params.push(quote! { #ident: ::std::option::Option<#rust> });
        }
        call_args.push(quote! { #ident.0 });
    }
    if let Some(body) = &o.request_body {
        let ReferenceOr::Item(body) = body else {
            return Err(Error(format!(
                "openapi: {}",
                where_("has a $ref request body")
            )));
        };
        let json = body.content.get("application/json");
        let yaml = body.content.get("application/yaml");
        let only_json_and_yaml = body
            .content
            .keys()
            .all(|k| k == "application/json" || k == "application/yaml");
        let Some(json) = json.filter(|_| only_json_and_yaml) else {
            return Err(Error(format!(
                "openapi: {}",
                where_("request body must be application/json, optionally also application/yaml")
            )));
        };
        let schema = json.schema.as_ref().ok_or_else(|| {
            Error(format!(
                "openapi: {}",
                where_("request body needs a schema")
            ))
        })?;
        if yaml.is_some_and(|y| y.schema != json.schema) {
            return Err(Error(format!(
                "openapi: {}",
                where_("the YAML request body must have the JSON one's schema")
            )));
        }
        let (rust, _) = field_type(schema, &where_("request body"))?;
        let payload = if yaml.is_some() {
            // Either media type parses into the same model; the handler never sees which.
            let body_enum = format_ident!("{}Body", id.to_upper_camel_case());
            let enum_doc = format!(" Request body of `{id}`: JSON or YAML.");
            response_enum.extend(quote! {
                #[doc = #enum_doc]
                #[derive(::poem_openapi::ApiRequest)]
                pub enum #body_enum {
                    Json(::poem_openapi::payload::Json<#rust>),
                    Yaml(::poem_openapi::payload::Yaml<#rust>),
                }
                impl #body_enum {
                    pub fn into_inner(self) -> #rust {
                        match self {
                            Self::Json(b) => b.0,
                            Self::Yaml(b) => b.0,
                        }
                    }
                }
            });
            quote! { #body_enum }
        } else {
            quote! { ::poem_openapi::payload::Json<#rust> }
        };
        let unwrap = if yaml.is_some() {
            quote! { into_inner() }
        } else {
            quote! { 0 }
        };
        if body.required {
            route_params.push(quote! { body: #payload });
            trait_params.push(quote! { body: #rust });
            call_args.push(quote! { body.#unwrap });
        } else {
            route_params.push(quote! { body: ::std::option::Option<#payload> });
            trait_params.push(quote! { body: ::std::option::Option<#rust> });
            call_args.push(quote! { body.map(|b| b.#unwrap) });
        }
    }

    let summary = o.summary.clone().unwrap_or_default();
    let mut doc_lines = vec![summary.clone()];
    if let Some(d) = o
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        doc_lines.push(String::new());
        doc_lines.extend(d.lines().map(str::to_string));
    }
    let doc = doc_lines.iter().map(|l| format!(" {l}"));
    let path = poem_path(op.path);
    let method = op.method;
    let trait_doc = format!(" `{} {}` — {}", op.method.to_uppercase(), op.path, summary);
    let trait_method = quote! {
        #[doc = #trait_doc]
        fn #fn_name(&self, #(#trait_params),*)
            -> impl ::std::future::Future<Output = ::std::result::Result<#resp_name, #err_ty>> + Send;
    };
    let route_method = quote! {
        #(#[doc = #doc])*
        #[oai(path = #path, method = #method, operation_id = #id, tag = #tag_expr)]
        async fn #fn_name(&self, #(#route_params),*) -> ::std::result::Result<#resp_name, #err_ty> {
            self.0.#fn_name(#(#call_args),*).await
        }
    };
    Ok(GenOp {
        response_enum,
        defaults,
        trait_method,
        route_method,
    })
}

/// OpenAPI `{id}` → poem `:id`.
fn poem_path(path: &str) -> String {
    path.split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => format!(":{name}"),
                None => seg.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

fn default_expr(value: &serde_json::Value, where_: &str) -> Result<TokenStream> {
    match value {
        serde_json::Value::Number(n) if n.is_i64() => {
            let n = proc_macro2::Literal::i64_unsuffixed(n.as_i64().expect("checked"));
            Ok(quote! { #n })
        }
        serde_json::Value::Bool(b) => Ok(quote! { #b }),
        serde_json::Value::String(s) => Ok(quote! { ::std::string::String::from(#s) }),
        other => Err(Error(format!(
            "openapi: {where_}: unsupported default {other}"
        ))),
    }
}

/// `x-error-codes` in the root document → `ErrorCode`.
fn error_codes(spec: &OpenAPI) -> Result<TokenStream> {
    let Some(list) = spec.extensions.get("x-error-codes") else {
        return Ok(TokenStream::new());
    };
    let entries: Vec<ErrorCodeEntry> = serde_json::from_value(list.clone())
        .map_err(|e| Error(format!("openapi: x-error-codes: {e}")))?;
    let mut variants = Vec::new();
    let mut arms_code = Vec::new();
    let mut arms_status = Vec::new();
    let mut arms_title = Vec::new();
    let mut arms_remedy = Vec::new();
    let mut all = Vec::new();
    for e in &entries {
        let v = format_ident!("{}", e.title.to_upper_camel_case());
        let (code, status, title, desc, remedy) =
            (&e.code, e.status, &e.title, &e.description, &e.remediation);
        let doc = format!(" `{code}` ({status}): {desc}");
        variants.push(quote! { #[doc = #doc] #v });
        arms_code.push(quote! { Self::#v => #code });
        arms_status.push(quote! { Self::#v => #status });
        arms_title.push(quote! { Self::#v => #title });
        arms_remedy.push(quote! { Self::#v => #remedy });
        all.push(quote! { Self::#v });
    }
    Ok(quote! {
        /// The stable error codes of the contract (`x-error-codes`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode { #(#variants,)* }

        impl ErrorCode {
            /// Every code, in contract order.
            pub const ALL: &'static [ErrorCode] = &[ #(#all,)* ];
            /// The wire code, `meshery-server-NNNN`.
            pub fn code(self) -> &'static str { match self { #(#arms_code,)* } }
            /// The HTTP status this code is answered with.
            pub fn status(self) -> u16 { match self { #(#arms_status,)* } }
            pub fn title(self) -> &'static str { match self { #(#arms_title,)* } }
            pub fn remediation(self) -> &'static str { match self { #(#arms_remedy,)* } }
        }
    })
}

#[derive(serde::Deserialize)]
struct ErrorCodeEntry {
    code: String,
    status: u16,
    title: String,
    description: String,
    remediation: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> OpenAPI {
        serde_yaml::from_str(yaml).unwrap()
    }

    const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\ntags: [{name: Items}]\n";

    fn cfg() -> Config {
        Config {
            auth_type: "crate::Auth".into(),
            error_type: "crate::AppError".into(),
            caller_type: "crate::Caller".into(),
        }
    }

    #[test]
    fn both_spellings_of_a_property_get_distinct_fields() {
        let s = spec(&format!(
            "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    P:\n      type: object\n      properties:\n        serviceMesh: {{type: string}}\n        service_mesh: {{type: string}}\n"
        ));
        let code = generate(&s, &cfg()).unwrap();
        assert!(
            code.contains("pub service_mesh:") && code.contains("pub service_mesh_snake:"),
            "{code}"
        );
    }

    #[test]
    fn path_params_become_poem_segments() {
        assert_eq!(poem_path("/api/a/{id}/b/{x}"), "/api/a/:id/b/:x");
    }

    #[test]
    fn missing_operation_id_is_named() {
        let s = spec(&format!(
            "{HEAD}paths:\n  /x:\n    get:\n      tags: [Items]\n      responses: {{'200': {{description: ok}}}}\n"
        ));
        let err = generate(&s, &cfg()).unwrap_err();
        assert!(err.0.contains("get /x has no operationId"), "{err}");
    }

    #[test]
    fn inline_enum_is_rejected_with_its_location() {
        let s = spec(&format!(
            "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Item:\n      type: object\n      properties:\n        kind: {{type: string, enum: [a, b]}}\n"
        ));
        let err = generate(&s, &cfg()).unwrap_err();
        assert!(err.0.contains("schema `Item` property `kind`"), "{err}");
    }

    #[test]
    fn cookie_parameters_are_rejected() {
        let s = spec(&format!(
            "{HEAD}paths:\n  /x:\n    get:\n      tags: [Items]\n      operationId: getX\n      parameters: [{{name: c, in: cookie, schema: {{type: string}}}}]\n      responses: {{'200': {{description: ok}}}}\n"
        ));
        let err = generate(&s, &cfg()).unwrap_err();
        assert!(err.0.contains("operation `getX`"), "{err}");
    }

    #[test]
    fn root_security_applies_unless_cleared() {
        let s = spec(&format!(
            "{HEAD}security: [{{bearerAuth: []}}]\npaths:\n  /a:\n    get: {{tags: [Items], operationId: a, responses: {{'200': {{description: ok}}}}}}\n  /b:\n    get: {{tags: [Items], operationId: b, security: [], responses: {{'200': {{description: ok}}}}}}\n"
        ));
        let ops = operations(&s).unwrap();
        assert!(!ops[0].public);
        assert!(ops[1].public);
        let code: String = generate(&s, &cfg()).unwrap().split_whitespace().collect();
        assert!(code.contains("fna(&self,auth:crate::Auth,)"), "{code}");
        assert!(code.contains("fnb(&self,)"), "{code}");
    }
}
