//! GraphQL SDL → async-graphql 7.2 server code.
//!
//! [`generate`] reads the contract (`graphql/schema.graphql`) and emits Rust source that the
//! server crate `include!`s inside a module:
//!
//! * custom scalars become pass-through newtypes over `serde_json::Value`;
//! * enums, object types and input objects become `#[derive(Enum | SimpleObject | InputObject)]`
//!   types whose GraphQL names, descriptions, defaults and deprecations are spelled out, so
//!   `Schema::sdl()` prints the contract back;
//! * each root type (`Query`, `Mutation`, `Subscription`) becomes a `…Resolvers` trait — one
//!   method per field, receiving the request context explicitly — plus a `…Root<H>` wrapper that
//!   implements the async-graphql root over any `H` implementing the trait;
//! * `Schema<…>` and `schema_builder()` tie the roots together and register every type of the
//!   contract, reachable or not.
//!
//! The output uses absolute paths only (`::async_graphql`, `::futures`, `::serde_json`,
//! `::std`) and no inner attributes, so it can be included anywhere. Whatever the emitter does
//! not support (interfaces, unions, custom directives, extensions, arguments on non-root
//! fields, …) is an error naming the element, never silently dropped.

use std::collections::{HashMap, HashSet};

use async_graphql_parser::Positioned;
use async_graphql_parser::types::{
    BaseType, ConstDirective, EnumType, FieldDefinition, InputObjectType, InputValueDefinition,
    ObjectType, ServiceDocument, Type, TypeDefinition, TypeKind, TypeSystemDefinition,
};
use async_graphql_value::ConstValue;
use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::{Error, Result, format_tokens};

/// Settings of the GraphQL emitter.
#[derive(Debug, Clone)]
pub struct Config {
    /// Path of the per-request context type handed to every resolver, such as
    /// `crate::auth::RequestContext`. The root wrappers take it from the async-graphql context
    /// data (`ctx.data::<T>()`), so the server must put it there for each request.
    pub context_type: String,
}

/// Generates the async-graphql server code for `sdl`. The result is formatted Rust source.
pub fn generate(sdl: &str, cfg: &Config) -> Result<String> {
    let (sdl, schema_description) = take_schema_description(sdl)?;
    let doc = async_graphql_parser::parse_schema(&sdl)
        .map_err(|e| Error(format!("graphql: the SDL does not parse: {e}")))?;
    let context_type: syn::Type = syn::parse_str(&cfg.context_type).map_err(|e| {
        Error(format!(
            "graphql: context type `{}` is not a Rust type: {e}",
            cfg.context_type
        ))
    })?;
    let mut model = Model::build(&doc)?;
    model.schema_description = schema_description;
    let tokens = model.emit(&quote!(#context_type))?;
    format_tokens(tokens)
}

/// async-graphql-parser 7.2 rejects a description on the `schema` definition, which the GraphQL
/// spec allows since October 2021 (and the contract has). Blanks that description out —
/// keeping line and column numbers of everything else — and returns its text, read by the
/// parser itself so that block strings are dedented as the spec says.
fn take_schema_description(sdl: &str) -> Result<(String, Option<String>)> {
    let b = sdl.as_bytes();
    let is_name_start = |c: u8| c == b'_' || c.is_ascii_alphabetic();
    let is_name = |c: u8| c == b'_' || c.is_ascii_alphanumeric();
    let skip_ignored = |mut i: usize| {
        while i < b.len() {
            match b[i] {
                b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
                b'#' => {
                    while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                        i += 1;
                    }
                }
                _ => break,
            }
        }
        i
    };
    let mut depth = 0usize;
    // The last top-level string token, if nothing but ignored tokens followed it.
    let mut last_string: Option<(usize, usize)> = None;
    let mut found = None;
    let mut i = skip_ignored(0);
    while i < b.len() {
        let c = b[i];
        if c == b'"' {
            let start = i;
            if b[i..].starts_with(b"\"\"\"") {
                i += 3;
                while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                    i += if b[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i = (i + 3).min(b.len());
            } else {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
            }
            last_string = (depth == 0).then_some((start, i));
        } else if is_name_start(c) {
            let start = i;
            while i < b.len() && is_name(b[i]) {
                i += 1;
            }
            if depth == 0 && &sdl[start..i] == "schema" {
                let next = skip_ignored(i);
                if let (Some(span), Some(b'{' | b'@')) = (last_string, b.get(next)) {
                    found = Some(span);
                    break;
                }
            }
            last_string = None;
        } else {
            match c {
                b'{' | b'(' | b'[' => depth += 1,
                b'}' | b')' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
            last_string = None;
            i += 1;
        }
        i = skip_ignored(i);
    }
    let Some((start, end)) = found else {
        return Ok((sdl.to_string(), None));
    };
    let raw = &sdl[start..end];
    let probe = format!("{raw} scalar SchemaDescription");
    let description = async_graphql_parser::parse_schema(&probe)
        .ok()
        .and_then(|doc| match doc.definitions.into_iter().next() {
            Some(TypeSystemDefinition::Type(t)) => t.node.description.map(|d| d.node),
            _ => None,
        })
        .ok_or_else(|| err("the description of the schema definition does not parse"))?;
    let blanked: String = raw
        .chars()
        .map(|c| if c == '\n' || c == '\r' { c } else { ' ' })
        .collect();
    let mut out = String::with_capacity(sdl.len());
    out.push_str(&sdl[..start]);
    out.push_str(&blanked);
    out.push_str(&sdl[end..]);
    Ok((out, Some(description)))
}

const BUILTIN_SCALARS: [&str; 5] = ["Int", "Float", "String", "Boolean", "ID"];
const BUILTIN_DIRECTIVES: [&str; 5] = ["skip", "include", "deprecated", "specifiedBy", "oneOf"];
/// Names the emitter itself defines next to the contract's types.
const RESERVED_IDENTS: [&str; 7] = [
    "QueryRoot",
    "MutationRoot",
    "SubscriptionRoot",
    "QueryResolvers",
    "MutationResolvers",
    "SubscriptionResolvers",
    "Schema",
];
/// Bounds how deep a default value may nest (guards against input types whose defaults refer to
/// each other).
const MAX_DEFAULT_DEPTH: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Query,
    Mutation,
    Subscription,
}

impl Role {
    const ALL: [Role; 3] = [Role::Query, Role::Mutation, Role::Subscription];

    fn keyword(self) -> &'static str {
        match self {
            Role::Query => "query",
            Role::Mutation => "mutation",
            Role::Subscription => "subscription",
        }
    }

    fn default_type_name(self) -> &'static str {
        match self {
            Role::Query => "Query",
            Role::Mutation => "Mutation",
            Role::Subscription => "Subscription",
        }
    }

    fn root_ident(self) -> Ident {
        format_ident!("{}Root", self.default_type_name())
    }

    fn trait_ident(self) -> Ident {
        format_ident!("{}Resolvers", self.default_type_name())
    }
}

#[derive(Clone, Copy)]
enum Kind<'a> {
    Scalar,
    Enum(&'a EnumType),
    Object(&'a ObjectType),
    Input(&'a InputObjectType),
}

struct TypeInfo<'a> {
    def: &'a TypeDefinition,
    kind: Kind<'a>,
    /// The Rust name of the generated type (for root types: unused).
    ident: Ident,
    root: Option<Role>,
}

struct Model<'a> {
    /// Every type of the contract, in definition order.
    types: Vec<TypeInfo<'a>>,
    by_name: HashMap<&'a str, usize>,
    /// Root type name of each role that the schema has.
    roots: Vec<(Role, &'a str)>,
    /// The description of the `schema` definition (async-graphql has no place for it in the
    /// schema: it documents the `Schema` alias).
    schema_description: Option<String>,
}

impl<'a> Model<'a> {
    fn build(doc: &'a ServiceDocument) -> Result<Self> {
        let mut schema_def = None;
        let mut defs: Vec<&'a TypeDefinition> = Vec::new();
        for def in &doc.definitions {
            match def {
                TypeSystemDefinition::Schema(s) => {
                    let s = &s.node;
                    if s.extend {
                        return Err(err("schema extension (`extend schema`): unsupported"));
                    }
                    if let Some(d) = s.directives.first() {
                        return Err(err(format!(
                            "schema definition: directive `@{}` unsupported",
                            d.node.name.node
                        )));
                    }
                    if schema_def.replace(s).is_some() {
                        return Err(err("more than one `schema` definition"));
                    }
                }
                TypeSystemDefinition::Directive(d) => {
                    let name = d.node.name.node.as_str();
                    if !BUILTIN_DIRECTIVES.contains(&name) {
                        return Err(err(format!(
                            "directive definition `@{name}`: unsupported (only the built-in \
                             directives can be used)"
                        )));
                    }
                }
                TypeSystemDefinition::Type(t) => {
                    let t = &t.node;
                    let name = t.name.node.as_str();
                    if t.extend {
                        return Err(err(format!(
                            "type `{name}`: type extension (`extend`) unsupported"
                        )));
                    }
                    defs.push(t);
                }
            }
        }

        let mut by_name = HashMap::new();
        for (i, t) in defs.iter().enumerate() {
            let name = t.name.node.as_str();
            if BUILTIN_SCALARS.contains(&name) {
                return Err(err(format!("type `{name}`: redefines a built-in scalar")));
            }
            if by_name.insert(name, i).is_some() {
                return Err(err(format!("type `{name}`: defined more than once")));
            }
        }

        // Root types: named by the `schema` block, or by their conventional names.
        let mut roots = Vec::new();
        for role in Role::ALL {
            let name = match schema_def {
                Some(s) => {
                    let named = match role {
                        Role::Query => &s.query,
                        Role::Mutation => &s.mutation,
                        Role::Subscription => &s.subscription,
                    };
                    match named {
                        Some(n) => {
                            let n = n.node.as_str();
                            if !by_name.contains_key(n) {
                                return Err(err(format!(
                                    "schema definition: {} root type `{n}` is not defined",
                                    role.keyword()
                                )));
                            }
                            Some(n)
                        }
                        None => None,
                    }
                }
                None => by_name
                    .get_key_value(role.default_type_name())
                    .map(|(k, _)| *k),
            };
            if let Some(name) = name {
                if let Some((other, _)) = roots.iter().find(|(_, n)| *n == name) {
                    return Err(err(format!(
                        "type `{name}`: is both the {} and the {} root type: unsupported",
                        Role::keyword(*other),
                        role.keyword()
                    )));
                }
                roots.push((role, name));
            } else if role == Role::Query {
                return Err(err("the schema has no query root type"));
            }
        }

        let mut types = Vec::new();
        let mut idents: HashMap<String, String> = HashMap::new();
        for t in &defs {
            let name = t.name.node.as_str();
            let what = format!("type `{name}`");
            let root = roots.iter().find(|(_, n)| *n == name).map(|(r, _)| *r);
            let kind = match &t.kind {
                TypeKind::Scalar => Kind::Scalar,
                TypeKind::Enum(e) => Kind::Enum(e),
                TypeKind::Object(o) => Kind::Object(o),
                TypeKind::InputObject(i) => Kind::Input(i),
                TypeKind::Interface(_) => {
                    return Err(err(format!("{what}: interfaces are unsupported")));
                }
                TypeKind::Union(_) => {
                    return Err(err(format!("{what}: unions are unsupported")));
                }
            };
            if root.is_some() && !matches!(kind, Kind::Object(_)) {
                return Err(err(format!("{what}: a root type must be an object type")));
            }
            let ident = type_ident(name).map_err(|m| err(format!("{what}: {m}")))?;
            if root.is_none() {
                let s = ident.to_string();
                if RESERVED_IDENTS.contains(&s.as_str()) {
                    return Err(err(format!(
                        "{what}: its Rust name `{s}` clashes with a generated item"
                    )));
                }
                if let Some(other) = idents.insert(s.clone(), name.to_string()) {
                    return Err(err(format!(
                        "{what}: its Rust name `{s}` clashes with that of type `{other}`"
                    )));
                }
            }
            types.push(TypeInfo {
                def: t,
                kind,
                ident,
                root,
            });
        }

        let model = Model {
            types,
            by_name,
            roots,
            schema_description: None,
        };
        model.validate()?;
        Ok(model)
    }

    fn get(&self, name: &str) -> Option<&TypeInfo<'a>> {
        self.by_name.get(name).map(|&i| &self.types[i])
    }

    /// Checks what the emitter relies on: references resolve to types of the right kind, no
    /// unsupported directives, no arguments outside root types.
    fn validate(&self) -> Result<()> {
        for t in &self.types {
            let name = t.def.name.node.as_str();
            let what = format!("type `{name}`");
            match t.kind {
                Kind::Scalar => {
                    scalar_specified_by(&t.def.directives, &what)?;
                }
                _ => no_directives(&t.def.directives, &what)?,
            }
            match t.kind {
                Kind::Scalar => {}
                Kind::Enum(e) => {
                    if e.values.is_empty() {
                        return Err(err(format!("{what}: an enum needs at least one value")));
                    }
                    for v in &e.values {
                        let vw = format!("{what} value `{}`", v.node.value.node);
                        deprecation(&v.node.directives, &vw)?;
                    }
                }
                Kind::Object(o) => {
                    if let Some(i) = o.implements.first() {
                        return Err(err(format!(
                            "{what}: implements interface `{}`: interfaces are unsupported",
                            i.node
                        )));
                    }
                    if o.fields.is_empty() {
                        return Err(err(format!("{what}: an object type needs fields")));
                    }
                    for f in &o.fields {
                        let f = &f.node;
                        let fw = format!("{what} field `{}`", f.name.node);
                        deprecation(&f.directives, &fw)?;
                        if t.root.is_none() && !f.arguments.is_empty() {
                            return Err(err(format!(
                                "{fw}: field arguments are unsupported outside the root types \
                                 (Query, Mutation, Subscription)"
                            )));
                        }
                        self.check_output_ref(&f.ty.node, &fw)?;
                        for a in &f.arguments {
                            let aw = format!("{fw} argument `{}`", a.node.name.node);
                            self.check_input_value(&a.node, &aw)?;
                        }
                    }
                }
                Kind::Input(i) => {
                    if i.fields.is_empty() {
                        return Err(err(format!("{what}: an input object needs fields")));
                    }
                    for f in &i.fields {
                        let fw = format!("{what} field `{}`", f.node.name.node);
                        self.check_input_value(&f.node, &fw)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn check_output_ref(&self, ty: &Type, what: &str) -> Result<()> {
        let name = leaf_name(ty);
        if BUILTIN_SCALARS.contains(&name) {
            return Ok(());
        }
        match self.get(name) {
            None => Err(err(format!("{what}: unknown type `{name}`"))),
            Some(t) if t.root.is_some() => Err(err(format!(
                "{what}: refers to root type `{name}`: unsupported"
            ))),
            Some(t) if matches!(t.kind, Kind::Input(_)) => Err(err(format!(
                "{what}: input object `{name}` cannot be an output type"
            ))),
            Some(_) => Ok(()),
        }
    }

    fn check_input_value(&self, v: &InputValueDefinition, what: &str) -> Result<()> {
        deprecation(&v.directives, what)?;
        let name = leaf_name(&v.ty.node);
        if !BUILTIN_SCALARS.contains(&name) {
            match self.get(name) {
                None => return Err(err(format!("{what}: unknown type `{name}`"))),
                Some(t) if matches!(t.kind, Kind::Object(_)) => {
                    return Err(err(format!(
                        "{what}: object type `{name}` cannot be an input type"
                    )));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    // ----------------------------------------------------------------------------------------
    // Types

    /// The Rust type of a GraphQL type reference. `boxed` boxes the named type (to break
    /// recursive struct fields).
    fn rust_type(&self, ty: &Type, boxed: bool) -> TokenStream {
        let inner = match &ty.base {
            BaseType::Named(n) => {
                let named = match n.as_str() {
                    "Int" => quote!(i32),
                    "Float" => quote!(f64),
                    "String" => quote!(::std::string::String),
                    "Boolean" => quote!(bool),
                    "ID" => quote!(::async_graphql::ID),
                    other => {
                        let ident = &self.get(other).expect("validated reference").ident;
                        quote!(#ident)
                    }
                };
                if boxed {
                    quote!(::std::boxed::Box<#named>)
                } else {
                    named
                }
            }
            BaseType::List(item) => {
                let item = self.rust_type(item, false);
                quote!(::std::vec::Vec<#item>)
            }
        };
        if ty.nullable {
            quote!(::std::option::Option<#inner>)
        } else {
            inner
        }
    }

    /// Whether the field of struct type `owner` with type `ty` must be boxed: it names (outside
    /// a list) a struct type from which `owner` can be reached again without a list.
    fn needs_box(&self, owner: &str, ty: &Type) -> bool {
        let BaseType::Named(start) = &ty.base else {
            return false;
        };
        let mut seen = HashSet::new();
        let mut stack = vec![start.as_str()];
        while let Some(name) = stack.pop() {
            if name == owner {
                return true;
            }
            if !seen.insert(name) {
                continue;
            }
            let Some(t) = self.get(name) else { continue };
            let field_types: Vec<&Type> = match t.kind {
                Kind::Object(o) if t.root.is_none() => {
                    o.fields.iter().map(|f| &f.node.ty.node).collect()
                }
                Kind::Input(i) => i.fields.iter().map(|f| &f.node.ty.node).collect(),
                _ => continue,
            };
            for ft in field_types {
                if let BaseType::Named(n) = &ft.base {
                    stack.push(n.as_str());
                }
            }
        }
        false
    }

    // ----------------------------------------------------------------------------------------
    // Default values

    /// A Rust expression of type `rust_type(ty, boxed)` for the GraphQL constant `value`.
    fn default_expr(
        &self,
        value: &ConstValue,
        ty: &Type,
        boxed: bool,
        depth: usize,
    ) -> std::result::Result<String, String> {
        if depth > MAX_DEFAULT_DEPTH {
            return Err("default value nests too deeply".into());
        }
        if ty.nullable {
            if matches!(value, ConstValue::Null) {
                return Ok("::std::option::Option::None".into());
            }
            let inner = Type {
                base: ty.base.clone(),
                nullable: false,
            };
            let e = self.default_expr(value, &inner, boxed, depth)?;
            return Ok(format!("::std::option::Option::Some({e})"));
        }
        if matches!(value, ConstValue::Null) {
            return Err(format!("null is not a value of non-null type `{ty}`"));
        }
        match &ty.base {
            BaseType::List(item) => {
                let items = match value {
                    ConstValue::List(items) => items
                        .iter()
                        .map(|v| self.default_expr(v, item, false, depth + 1))
                        .collect::<std::result::Result<Vec<_>, _>>()?,
                    // Input coercion: a single value stands for a list of one.
                    single => vec![self.default_expr(single, item, false, depth + 1)?],
                };
                Ok(format!("::std::vec![{}]", items.join(", ")))
            }
            BaseType::Named(name) => {
                let e = self.named_default_expr(value, name.as_str(), depth)?;
                Ok(if boxed {
                    format!("::std::boxed::Box::new({e})")
                } else {
                    e
                })
            }
        }
    }

    fn named_default_expr(
        &self,
        value: &ConstValue,
        name: &str,
        depth: usize,
    ) -> std::result::Result<String, String> {
        let mismatch = || format!("`{value}` is not a value of type `{name}`");
        match name {
            "Int" => match value {
                ConstValue::Number(n) => n
                    .as_i64()
                    .and_then(|i| i32::try_from(i).ok())
                    .map(|i| i.to_string())
                    .ok_or_else(mismatch),
                _ => Err(mismatch()),
            },
            "Float" => match value {
                ConstValue::Number(n) => n.as_f64().map(float_literal).ok_or_else(mismatch),
                _ => Err(mismatch()),
            },
            "String" => match value {
                ConstValue::String(s) => Ok(format!("::std::string::String::from({s:?})")),
                _ => Err(mismatch()),
            },
            "Boolean" => match value {
                ConstValue::Boolean(b) => Ok(b.to_string()),
                _ => Err(mismatch()),
            },
            "ID" => match value {
                ConstValue::String(s) => Ok(format!("::async_graphql::ID::from({s:?})")),
                ConstValue::Number(n) if n.is_i64() || n.is_u64() => {
                    Ok(format!("::async_graphql::ID::from({:?})", n.to_string()))
                }
                _ => Err(mismatch()),
            },
            _ => {
                let t = self.get(name).expect("validated reference");
                let ident = &t.ident;
                match t.kind {
                    Kind::Scalar => {
                        let json = value
                            .clone()
                            .into_json()
                            .map_err(|e| format!("`{value}` is not JSON: {e}"))?;
                        Ok(format!("{ident}({})", json_expr(&json)))
                    }
                    Kind::Enum(e) => {
                        let ConstValue::Enum(v) = value else {
                            return Err(mismatch());
                        };
                        if !e.values.iter().any(|d| d.node.value.node == *v) {
                            return Err(format!("`{v}` is not a value of enum `{name}`"));
                        }
                        Ok(format!("{ident}::{}", variant_ident(v.as_str())?))
                    }
                    Kind::Input(i) => {
                        let ConstValue::Object(map) = value else {
                            return Err(mismatch());
                        };
                        for key in map.keys() {
                            if !i.fields.iter().any(|f| f.node.name.node == *key) {
                                return Err(format!("input object `{name}` has no field `{key}`"));
                            }
                        }
                        let mut inits = Vec::new();
                        for f in &i.fields {
                            let f = &f.node;
                            let fname = f.name.node.as_str();
                            let fty = &f.ty.node;
                            let boxed = self.needs_box(name, fty);
                            let e = match (map.get(fname), &f.default_value) {
                                (Some(v), _) => self.default_expr(v, fty, boxed, depth + 1)?,
                                (None, Some(d)) => {
                                    self.default_expr(&d.node, fty, boxed, depth + 1)?
                                }
                                (None, None) if fty.nullable => {
                                    "::std::option::Option::None".into()
                                }
                                (None, None) => {
                                    return Err(format!(
                                        "required field `{fname}` of input object `{name}` is \
                                         missing"
                                    ));
                                }
                            };
                            inits.push(format!("{}: {e}", field_ident(fname)?));
                        }
                        Ok(format!("{ident} {{ {} }}", inits.join(", ")))
                    }
                    Kind::Object(_) => Err(mismatch()),
                }
            }
        }
    }

    /// `default_with = "…"` for an input value with an SDL default.
    fn default_attr(
        &self,
        v: &InputValueDefinition,
        boxed: bool,
        what: &str,
    ) -> Result<Option<TokenStream>> {
        let Some(d) = &v.default_value else {
            return Ok(None);
        };
        let e = self
            .default_expr(&d.node, &v.ty.node, boxed, 0)
            .map_err(|m| err(format!("{what}: default value: {m}")))?;
        Ok(Some(quote!(default_with = #e)))
    }

    // ----------------------------------------------------------------------------------------
    // Emission

    fn emit(&self, ctx_ty: &TokenStream) -> Result<TokenStream> {
        let mut out = TokenStream::new();
        for t in self.types.iter().filter(|t| t.root.is_none()) {
            out.extend(match t.kind {
                Kind::Scalar => self.emit_scalar(t)?,
                Kind::Enum(e) => self.emit_enum(t, e)?,
                Kind::Object(o) => self.emit_object(t, o)?,
                Kind::Input(i) => self.emit_input(t, i)?,
            });
        }
        for &(role, name) in &self.roots {
            let t = self.get(name).expect("root type exists");
            let Kind::Object(o) = t.kind else {
                unreachable!("validated root kind")
            };
            out.extend(self.emit_root(role, t, o, ctx_ty)?);
        }
        out.extend(self.emit_schema());
        Ok(out)
    }

    fn emit_scalar(&self, t: &TypeInfo) -> Result<TokenStream> {
        let what = format!("type `{}`", t.def.name.node);
        let ident = &t.ident;
        let name = t.def.name.node.as_str();
        let doc = doc_attr(&t.def.description);
        let url =
            scalar_specified_by(&t.def.directives, &what)?.map(|u| quote!(, specified_by_url = #u));
        Ok(quote! {
            #doc
            #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq)]
            pub struct #ident(pub ::serde_json::Value);

            #doc
            #[::async_graphql::Scalar(name = #name #url)]
            impl ::async_graphql::ScalarType for #ident {
                fn parse(value: ::async_graphql::Value) -> ::async_graphql::InputValueResult<Self> {
                    value
                        .into_json()
                        .map(Self)
                        .map_err(::async_graphql::InputValueError::custom)
                }

                fn to_value(&self) -> ::async_graphql::Value {
                    ::async_graphql::Value::from_json(::std::clone::Clone::clone(&self.0))
                        .unwrap_or(::async_graphql::Value::Null)
                }
            }
        })
    }

    fn emit_enum(&self, t: &TypeInfo, e: &EnumType) -> Result<TokenStream> {
        let name = t.def.name.node.as_str();
        let what = format!("type `{name}`");
        let ident = &t.ident;
        let doc = doc_attr(&t.def.description);
        let mut seen = HashMap::new();
        let mut variants = Vec::new();
        for v in &e.values {
            let v = &v.node;
            let vname = v.value.node.as_str();
            let vw = format!("{what} value `{vname}`");
            let vident = variant_ident(vname).map_err(|m| err(format!("{vw}: {m}")))?;
            unique(&mut seen, &vident, vname, &vw)?;
            let vdoc = doc_attr(&v.description);
            let dep = deprecation(&v.directives, &vw)?;
            variants.push(quote! {
                #vdoc
                #[graphql(name = #vname #dep)]
                #vident
            });
        }
        Ok(quote! {
            #doc
            #[derive(
                ::async_graphql::Enum,
                ::std::clone::Clone,
                ::std::marker::Copy,
                ::std::fmt::Debug,
                ::std::cmp::PartialEq,
                ::std::cmp::Eq,
                ::std::hash::Hash
            )]
            #[graphql(name = #name)]
            pub enum #ident {
                #(#variants,)*
            }
        })
    }

    fn emit_object(&self, t: &TypeInfo, o: &ObjectType) -> Result<TokenStream> {
        let name = t.def.name.node.as_str();
        let what = format!("type `{name}`");
        let ident = &t.ident;
        let doc = doc_attr(&t.def.description);
        let mut seen = HashMap::new();
        let mut fields = Vec::new();
        for f in &o.fields {
            let f = &f.node;
            let fname = f.name.node.as_str();
            let fw = format!("{what} field `{fname}`");
            let fident = field_ident(fname).map_err(|m| err(format!("{fw}: {m}")))?;
            unique(&mut seen, &fident, fname, &fw)?;
            let fty = self.rust_type(&f.ty.node, self.needs_box(name, &f.ty.node));
            let fdoc = doc_attr(&f.description);
            let dep = deprecation(&f.directives, &fw)?;
            fields.push(quote! {
                #fdoc
                #[graphql(name = #fname #dep)]
                pub #fident: #fty
            });
        }
        Ok(quote! {
            #doc
            #[derive(
                ::async_graphql::SimpleObject,
                ::std::clone::Clone,
                ::std::fmt::Debug,
                ::std::cmp::PartialEq
            )]
            #[graphql(name = #name)]
            pub struct #ident {
                #(#fields,)*
            }
        })
    }

    fn emit_input(&self, t: &TypeInfo, i: &InputObjectType) -> Result<TokenStream> {
        let name = t.def.name.node.as_str();
        let what = format!("type `{name}`");
        let ident = &t.ident;
        let doc = doc_attr(&t.def.description);
        let mut seen = HashMap::new();
        let mut fields = Vec::new();
        for f in &i.fields {
            let f = &f.node;
            let fname = f.name.node.as_str();
            let fw = format!("{what} field `{fname}`");
            let fident = field_ident(fname).map_err(|m| err(format!("{fw}: {m}")))?;
            unique(&mut seen, &fident, fname, &fw)?;
            let boxed = self.needs_box(name, &f.ty.node);
            let fty = self.rust_type(&f.ty.node, boxed);
            let fdoc = doc_attr(&f.description);
            let dep = deprecation(&f.directives, &fw)?;
            let default = self.default_attr(f, boxed, &fw)?.map(|d| quote!(, #d));
            fields.push(quote! {
                #fdoc
                #[graphql(name = #fname #default #dep)]
                pub #fident: #fty
            });
        }
        Ok(quote! {
            #doc
            #[derive(
                ::async_graphql::InputObject,
                ::std::clone::Clone,
                ::std::fmt::Debug,
                ::std::cmp::PartialEq
            )]
            #[graphql(name = #name)]
            pub struct #ident {
                #(#fields,)*
            }
        })
    }

    fn emit_root(
        &self,
        role: Role,
        t: &TypeInfo,
        o: &ObjectType,
        ctx_ty: &TokenStream,
    ) -> Result<TokenStream> {
        let name = t.def.name.node.as_str();
        let what = format!("type `{name}`");
        let root = role.root_ident();
        let tr = role.trait_ident();
        let type_doc = doc_attr(&t.def.description);
        let trait_doc = format!(
            " Resolvers of the GraphQL {} root type `{name}`: one method per field. Each \
             receives the request context explicitly.",
            role.keyword()
        );
        let root_doc = format!(
            " The GraphQL {} root type `{name}`: forwards each field to a [`{tr}`] \
             implementation, with the request context taken from the context data.",
            role.keyword()
        );

        let mut seen = HashMap::new();
        let mut trait_methods = Vec::new();
        let mut root_methods = Vec::new();
        for f in &o.fields {
            let f: &FieldDefinition = &f.node;
            let fname = f.name.node.as_str();
            let fw = format!("{what} field `{fname}`");
            let mident = field_ident(fname).map_err(|m| err(format!("{fw}: {m}")))?;
            unique(&mut seen, &mident, fname, &fw)?;
            let fdoc = doc_attr(&f.description);
            let dep = deprecation(&f.directives, &fw)?;
            let out_ty = self.rust_type(&f.ty.node, false);
            let out_ty = match role {
                Role::Subscription => quote! {
                    ::futures::stream::BoxStream<'static, ::async_graphql::Result<#out_ty>>
                },
                _ => out_ty,
            };

            let mut arg_seen = HashMap::new();
            let mut trait_params = Vec::new();
            let mut root_params = Vec::new();
            let mut arg_idents = Vec::new();
            for a in &f.arguments {
                let a = &a.node;
                let aname = a.name.node.as_str();
                let aw = format!("{fw} argument `{aname}`");
                let mut aident = field_ident(aname).map_err(|m| err(format!("{aw}: {m}")))?;
                if aident == "ctx" {
                    // `ctx` is the context parameter.
                    aident = format_ident!("ctx_");
                }
                unique(&mut arg_seen, &aident, aname, &aw)?;
                let aty = self.rust_type(&a.ty.node, false);
                let desc = description(&a.description).map(|d| quote!(, desc = #d));
                let default = self.default_attr(a, false, &aw)?.map(|d| quote!(, #d));
                let adep = deprecation(&a.directives, &aw)?;
                trait_params.push(quote!(#aident: #aty));
                root_params.push(quote! {
                    #[graphql(name = #aname #desc #default #adep)]
                    #aident: #aty
                });
                arg_idents.push(aident);
            }

            trait_methods.push(quote! {
                #fdoc
                fn #mident(
                    &self,
                    ctx: &#ctx_ty,
                    #(#trait_params,)*
                ) -> impl ::std::future::Future<Output = ::async_graphql::Result<#out_ty>>
                       + ::std::marker::Send;
            });
            root_methods.push(quote! {
                #fdoc
                #[graphql(name = #fname #dep)]
                async fn #mident(
                    &self,
                    ctx: &::async_graphql::Context<'_>,
                    #(#root_params,)*
                ) -> ::async_graphql::Result<#out_ty> {
                    self.0.#mident(ctx.data::<#ctx_ty>()?, #(#arg_idents),*).await
                }
            });
        }

        let macro_path = match role {
            Role::Subscription => quote!(::async_graphql::Subscription),
            _ => quote!(::async_graphql::Object),
        };
        Ok(quote! {
            #[doc = #trait_doc]
            pub trait #tr: ::std::marker::Send + ::std::marker::Sync + 'static {
                #(#trait_methods)*
            }

            #[doc = #root_doc]
            pub struct #root<H>(pub ::std::sync::Arc<H>);

            #type_doc
            #[#macro_path(name = #name)]
            impl<H: #tr> #root<H> {
                #(#root_methods)*
            }
        })
    }

    fn emit_schema(&self) -> TokenStream {
        let has = |r: Role| self.roots.iter().any(|(role, _)| *role == r);
        let (m, s) = (has(Role::Mutation), has(Role::Subscription));

        let mut params = vec![quote!(Q)];
        let q_ty = quote!(QueryRoot<Q>);
        let m_ty = if m {
            params.push(quote!(M));
            quote!(MutationRoot<M>)
        } else {
            quote!(::async_graphql::EmptyMutation)
        };
        let s_ty = if s {
            params.push(quote!(S));
            quote!(SubscriptionRoot<S>)
        } else {
            quote!(::async_graphql::EmptySubscription)
        };

        let mut bounds = vec![quote!(QueryResolvers)];
        let (bm_ty, m_val) = if m {
            bounds.push(quote!(MutationResolvers));
            (
                quote!(MutationRoot<H>),
                quote!(MutationRoot(::std::clone::Clone::clone(&h))),
            )
        } else {
            (
                quote!(::async_graphql::EmptyMutation),
                quote!(::async_graphql::EmptyMutation),
            )
        };
        let (bs_ty, s_val) = if s {
            bounds.push(quote!(SubscriptionResolvers));
            (
                quote!(SubscriptionRoot<H>),
                quote!(SubscriptionRoot(::std::clone::Clone::clone(&h))),
            )
        } else {
            (
                quote!(::async_graphql::EmptySubscription),
                quote!(::async_graphql::EmptySubscription),
            )
        };

        // Register every type, so that types no root field reaches still appear in `sdl()`.
        let registrations = self.types.iter().filter(|t| t.root.is_none()).map(|t| {
            let ident = &t.ident;
            match t.kind {
                Kind::Input(_) => quote!(.register_input_type::<#ident>()),
                _ => quote!(.register_output_type::<#ident>()),
            }
        });

        let description = self
            .schema_description
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .map(|d| {
                let lines = d.lines().map(|l| format!(" {l}"));
                quote! {
                    #(#[doc = #lines])*
                    #[doc = ""]
                }
            });
        quote! {
            #description
            /// The schema served from the contract, over the resolvers of each root type.
            pub type Schema<#(#params),*> = ::async_graphql::Schema<#q_ty, #m_ty, #s_ty>;

            /// Starts building the schema with one handler for every root type. Every type of the
            /// contract is registered, so `sdl()` prints those no root field reaches too.
            pub fn schema_builder<H>(
                h: ::std::sync::Arc<H>,
            ) -> ::async_graphql::SchemaBuilder<QueryRoot<H>, #bm_ty, #bs_ty>
            where
                H: #(#bounds)+*,
            {
                ::async_graphql::Schema::build(
                    QueryRoot(::std::clone::Clone::clone(&h)),
                    #m_val,
                    #s_val,
                )
                #(#registrations)*
            }
        }
    }
}

// --------------------------------------------------------------------------------------------
// Helpers

fn err(msg: impl std::fmt::Display) -> Error {
    Error(format!("graphql: {msg}"))
}

fn leaf_name(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(n) => n.as_str(),
        BaseType::List(item) => leaf_name(item),
    }
}

/// Rust keywords (2024 edition, strict and reserved).
const KEYWORDS: [&str; 52] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// A Rust identifier for `s`: keywords become raw identifiers, those that cannot be raw get a
/// trailing underscore.
fn make_ident(s: &str, element: &str) -> std::result::Result<Ident, String> {
    if s.is_empty() {
        return Err(format!(
            "no Rust identifier can be derived from `{element}`"
        ));
    }
    let s = if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s.to_string()
    };
    Ok(match s.as_str() {
        "self" | "Self" | "super" | "crate" | "_" => format_ident!("{s}_"),
        k if KEYWORDS.contains(&k) => Ident::new_raw(k, Span::call_site()),
        _ => Ident::new(&s, Span::call_site()),
    })
}

fn type_ident(name: &str) -> std::result::Result<Ident, String> {
    make_ident(&name.to_upper_camel_case(), name)
}

fn variant_ident(name: &str) -> std::result::Result<Ident, String> {
    make_ident(&name.to_upper_camel_case(), name)
}

fn field_ident(name: &str) -> std::result::Result<Ident, String> {
    make_ident(&name.to_snake_case(), name)
}

/// Fails when two GraphQL names of one scope map to the same Rust identifier.
fn unique(seen: &mut HashMap<String, String>, ident: &Ident, name: &str, what: &str) -> Result<()> {
    if let Some(other) = seen.insert(ident.to_string(), name.to_string()) {
        return Err(err(format!(
            "{what}: its Rust name `{ident}` clashes with that of `{other}`"
        )));
    }
    Ok(())
}

/// A description worth emitting: present and not blank.
fn description(d: &Option<Positioned<String>>) -> Option<&str> {
    d.as_ref()
        .map(|d| d.node.as_str())
        .filter(|d| !d.trim().is_empty())
}

/// The description as a doc attribute, which async-graphql reads as the GraphQL description
/// (it trims the text, so the leading space only makes the output read as `/// text`).
fn doc_attr(d: &Option<Positioned<String>>) -> Option<TokenStream> {
    description(d).map(|d| {
        let d = format!(" {d}");
        quote!(#[doc = #d])
    })
}

/// `, deprecation[ = "reason"]` for `@deprecated`; any other directive is an error.
fn deprecation(
    directives: &[Positioned<ConstDirective>],
    what: &str,
) -> Result<Option<TokenStream>> {
    let mut out = None;
    for d in directives {
        let d = &d.node;
        match d.name.node.as_str() {
            "deprecated" => {
                let reason = match d.get_argument("reason").map(|v| &v.node) {
                    None | Some(ConstValue::Null) => None,
                    Some(ConstValue::String(r)) => Some(r.clone()),
                    Some(other) => {
                        return Err(err(format!(
                            "{what}: `@deprecated(reason: {other})`: the reason must be a string"
                        )));
                    }
                };
                if let Some((a, _)) = d.arguments.iter().find(|(a, _)| a.node != "reason") {
                    return Err(err(format!(
                        "{what}: `@deprecated` has no argument `{}`",
                        a.node
                    )));
                }
                out = Some(match reason {
                    Some(r) => quote!(, deprecation = #r),
                    None => quote!(, deprecation),
                });
            }
            other => {
                return Err(err(format!("{what}: directive `@{other}` unsupported")));
            }
        }
    }
    Ok(out)
}

fn no_directives(directives: &[Positioned<ConstDirective>], what: &str) -> Result<()> {
    match directives.first() {
        Some(d) => Err(err(format!(
            "{what}: directive `@{}` unsupported",
            d.node.name.node
        ))),
        None => Ok(()),
    }
}

/// The URL of `@specifiedBy(url: "…")` on a scalar; any other directive is an error.
fn scalar_specified_by(
    directives: &[Positioned<ConstDirective>],
    what: &str,
) -> Result<Option<String>> {
    let mut url = None;
    for d in directives {
        let d = &d.node;
        match (d.name.node.as_str(), d.get_argument("url").map(|v| &v.node)) {
            ("specifiedBy", Some(ConstValue::String(u))) if d.arguments.len() == 1 => {
                url = Some(u.clone())
            }
            (name, _) => {
                return Err(err(format!("{what}: directive `@{name}` unsupported")));
            }
        }
    }
    Ok(url)
}

/// A Rust `f64` literal (always with a `.` or an exponent).
fn float_literal(f: f64) -> String {
    let s = format!("{f:?}");
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// A Rust expression building `v` as a `::serde_json::Value`.
fn json_expr(v: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match v {
        J::Null => "::serde_json::Value::Null".into(),
        J::Bool(b) => format!("::serde_json::Value::Bool({b})"),
        J::Number(n) => {
            if let Some(i) = n.as_i64() {
                format!("::serde_json::Value::from({i}i64)")
            } else if let Some(u) = n.as_u64() {
                format!("::serde_json::Value::from({u}u64)")
            } else {
                let f = float_literal(n.as_f64().unwrap_or_default());
                format!("::serde_json::Value::from({f}f64)")
            }
        }
        J::String(s) => format!("::serde_json::Value::String(::std::string::String::from({s:?}))"),
        J::Array(items) => format!(
            "::serde_json::Value::Array(::std::vec![{}])",
            items.iter().map(json_expr).collect::<Vec<_>>().join(", ")
        ),
        J::Object(map) => format!(
            "::serde_json::Value::Object(::std::iter::FromIterator::from_iter([{}]))",
            map.iter()
                .map(|(k, v)| format!("(::std::string::String::from({k:?}), {})", json_expr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        Config {
            context_type: "crate::Ctx".into(),
        }
    }

    fn gen_err(sdl: &str) -> String {
        match generate(sdl, &cfg()) {
            Ok(_) => panic!("expected an error for:\n{sdl}"),
            Err(e) => e.0,
        }
    }

    fn ty(s: &str) -> Type {
        Type::new(s).unwrap()
    }

    const TYPES: &str = r#"
        scalar Time
        enum Color { RED DARK_BLUE }
        type Thing { id: ID!, at: Time, parent: Thing, children: [Thing!]! }
        input Filter { color: Color = RED, colors: [Color!] = [RED, DARK_BLUE],
                       first: Int = 25, ratio: Float = 1, name: String = "desc",
                       at: Time = {a: [1, "x", null]}, id: ID = 7, on: Boolean! = true,
                       next: Filter, items: [Int] = 5 }
        type Query { thing(filter: Filter = {color: DARK_BLUE}): Thing }
    "#;

    fn with_model<R>(sdl: &str, f: impl FnOnce(&Model) -> R) -> R {
        let doc = async_graphql_parser::parse_schema(sdl).unwrap();
        let model = Model::build(&doc).unwrap();
        f(&model)
    }

    #[test]
    fn type_mapping() {
        with_model(TYPES, |m| {
            let t = |s: &str| m.rust_type(&ty(s), false).to_string().replace(' ', "");
            assert_eq!(t("Int!"), "i32");
            assert_eq!(t("Float!"), "f64");
            assert_eq!(t("Boolean!"), "bool");
            assert_eq!(t("String!"), "::std::string::String");
            assert_eq!(t("ID!"), "::async_graphql::ID");
            assert_eq!(t("Int"), "::std::option::Option<i32>");
            assert_eq!(t("[Int!]!"), "::std::vec::Vec<i32>");
            assert_eq!(
                t("[Color]"),
                "::std::option::Option<::std::vec::Vec<::std::option::Option<Color>>>"
            );
            assert_eq!(t("Time!"), "Time");
            assert_eq!(t("Thing"), "::std::option::Option<Thing>");
            assert_eq!(
                m.rust_type(&ty("Thing"), true).to_string().replace(' ', ""),
                "::std::option::Option<::std::boxed::Box<Thing>>"
            );
        });
    }

    #[test]
    fn recursive_fields_are_boxed_but_lists_are_not() {
        with_model(TYPES, |m| {
            assert!(m.needs_box("Thing", &ty("Thing")));
            assert!(!m.needs_box("Thing", &ty("[Thing!]!")));
            assert!(!m.needs_box("Thing", &ty("Time")));
            assert!(m.needs_box("Filter", &ty("Filter")));
        });
    }

    #[test]
    fn identifiers() {
        assert_eq!(field_ident("userID").unwrap().to_string(), "user_id");
        assert_eq!(
            field_ident("selectedK8sContexts").unwrap().to_string(),
            "selected_k8s_contexts"
        );
        assert_eq!(field_ident("type").unwrap().to_string(), "r#type");
        assert_eq!(field_ident("gen").unwrap().to_string(), "r#gen");
        assert_eq!(field_ident("self").unwrap().to_string(), "self_");
        assert_eq!(
            variant_ident("INFORMATIONAL").unwrap().to_string(),
            "Informational"
        );
        assert_eq!(variant_ident("DARK_BLUE").unwrap().to_string(), "DarkBlue");
        assert_eq!(variant_ident("SELF").unwrap().to_string(), "Self_");
        assert_eq!(type_ident("EventPage").unwrap().to_string(), "EventPage");
    }

    fn default_of(m: &Model, value: &str, t: &str) -> std::result::Result<String, String> {
        // Parse the value through a tiny SDL so the parser produces the ConstValue.
        let doc = async_graphql_parser::parse_schema(format!(
            "type Query {{ f(a: Int = {value}): Int }}"
        ))
        .unwrap();
        let TypeSystemDefinition::Type(td) = &doc.definitions[0] else {
            unreachable!()
        };
        let TypeKind::Object(o) = &td.node.kind else {
            unreachable!()
        };
        let v = &o.fields[0].node.arguments[0]
            .node
            .default_value
            .as_ref()
            .unwrap()
            .node;
        let e = m.default_expr(v, &ty(t), false, 0)?;
        // Every expression must be valid Rust.
        syn::parse_str::<syn::Expr>(&e).map_err(|err| format!("{e}: {err}"))?;
        Ok(e)
    }

    #[test]
    fn default_values() {
        with_model(TYPES, |m| {
            let d = |v: &str, t: &str| default_of(m, v, t).unwrap();
            assert_eq!(d("0", "Int"), "::std::option::Option::Some(0)");
            assert_eq!(d("-3", "Int!"), "-3");
            assert_eq!(d("null", "Int"), "::std::option::Option::None");
            assert_eq!(d("1", "Float!"), "1.0");
            assert_eq!(d("2.5", "Float!"), "2.5");
            assert_eq!(
                d(r#""d\"esc""#, "String"),
                r#"::std::option::Option::Some(::std::string::String::from("d\"esc"))"#
            );
            assert_eq!(d("true", "Boolean!"), "true");
            assert_eq!(d("7", "ID!"), r#"::async_graphql::ID::from("7")"#);
            assert_eq!(d("RED", "Color!"), "Color::Red");
            assert_eq!(
                d("[RED, DARK_BLUE]", "[Color!]!"),
                "::std::vec![Color::Red, Color::DarkBlue]"
            );
            // A single value coerces to a list of one.
            assert_eq!(
                d("5", "[Int]!"),
                "::std::vec![::std::option::Option::Some(5)]"
            );
            assert_eq!(
                d(r#"{a: 1}"#, "Time!"),
                r#"Time(::serde_json::Value::Object(::std::iter::FromIterator::from_iter([(::std::string::String::from("a"), ::serde_json::Value::from(1i64))])))"#
            );
            // Input objects: missing fields take their own default, or null.
            let filter = d("{first: 3}", "Filter!");
            assert!(
                filter.starts_with("Filter { color: ::std::option::Option::Some(Color::Red), ")
            );
            assert!(filter.contains("first: ::std::option::Option::Some(3)"));
            assert!(filter.contains("next: ::std::option::Option::None"));
            assert!(filter.ends_with(" }"));
        });
    }

    #[test]
    fn bad_default_values() {
        with_model(TYPES, |m| {
            let e = |v: &str, t: &str| default_of(m, v, t).unwrap_err();
            assert!(e("null", "Int!").contains("null"));
            assert!(e("3000000000", "Int!").contains("Int"));
            assert!(e("\"x\"", "Int!").contains("Int"));
            assert!(e("BLUE", "Color!").contains("BLUE"));
            assert!(e("{nope: 1}", "Filter!").contains("nope"));
        });
        let err = gen_err("input I { a: Int! } input J { i: I = {} } type Query { f(j: J): Int }");
        assert!(err.contains("type `J` field `i`"), "{err}");
        assert!(err.contains("required field `a`"), "{err}");
    }

    #[test]
    fn unsupported_interface() {
        let e = gen_err("interface Node { id: ID! } type Query { node: Node }");
        assert!(e.contains("type `Node`") && e.contains("interfaces"), "{e}");
        let e = gen_err(
            "interface Node { id: ID! } type A implements Node { id: ID! } type Query { a: A }",
        );
        assert!(e.contains("interface"), "{e}");
    }

    #[test]
    fn unsupported_field_arguments_outside_roots() {
        let e = gen_err("type User { name(upper: Boolean): String } type Query { me: User }");
        assert!(e.contains("type `User` field `name`"), "{e}");
        assert!(e.contains("arguments"), "{e}");
    }

    #[test]
    fn other_unsupported_elements() {
        let cases = [
            (
                "union U = A | B type A { a: Int } type B { b: Int } type Query { u: U }",
                "type `U`",
            ),
            (
                "directive @auth on FIELD_DEFINITION type Query { a: Int }",
                "`@auth`",
            ),
            ("type Query { a: Int @auth }", "`@auth`"),
            (
                "type Query { a: Int } extend type Query { b: Int }",
                "type `Query`",
            ),
            (
                "type Query { a: Int } extend schema { mutation: Query }",
                "extension",
            ),
            ("type Mutation { a: Int }", "query root"),
            ("type Query { a: Missing }", "`Missing`"),
            ("input I { a: Int } type Query { a: I }", "input object `I`"),
            (
                "type T { a: Int } type Query { a(t: T): Int }",
                "object type `T`",
            ),
            ("type Schema { a: Int } type Query { s: Schema }", "clashes"),
            (
                "type T { userId: Int, userID: Int } type Query { t: T }",
                "clashes",
            ),
            ("enum E { A } type Query { a(e: E = B): Int }", "`B`"),
            (
                "input R { a: Int, next: R = {} } type Query { f(r: R): Int }",
                "nests too deeply",
            ),
        ];
        for (sdl, needle) in cases {
            let e = gen_err(sdl);
            assert!(e.starts_with("graphql: "), "{e}");
            assert!(e.contains(needle), "{sdl}\n=> {e}");
        }
    }

    #[test]
    fn root_field_shape() {
        let sdl = r#"
            type Query { "Finds." find(ctx: Int, "Max." limit: Int = 10): [String!]! }
            type Subscription { ticks: Int! }
        "#;
        let out = generate(sdl, &cfg()).unwrap();
        // Compare modulo the formatter's line breaks.
        let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
        let flat = flat
            .replace("( ", "(")
            .replace(" )", ")")
            .replace(",)", ")");
        for needle in [
            "pub trait QueryResolvers: ::std::marker::Send + ::std::marker::Sync + 'static {",
            "fn find(&self, ctx: &crate::Ctx, ctx_: ::std::option::Option<i32>, limit: \
             ::std::option::Option<i32>) -> impl ::std::future::Future<",
            r#"#[graphql(name = "ctx")] ctx_: ::std::option::Option<i32>"#,
            r#"#[graphql(name = "limit", desc = "Max.", default_with = "::std::option::Option::Some(10)")]"#,
            "self.0.find(ctx.data::<crate::Ctx>()?, ctx_, limit).await",
            "::futures::stream::BoxStream<'static, ::async_graphql::Result<i32>>",
            "#[::async_graphql::Subscription(name = \"Subscription\")]",
            "pub type Schema<Q, S> = ::async_graphql::Schema<",
            "::async_graphql::EmptyMutation",
        ] {
            assert!(flat.contains(needle), "missing {needle} in\n{flat}");
        }
        assert!(!out.contains("#!["), "{out}");
    }

    #[test]
    fn schema_description_is_accepted() {
        let sdl = "# comment\n\"\"\"\n  The API.\n  \\\"\"\"\n\"\"\"\nschema { query: Q }\n\
                   type Q { \"d\" schema: Int }";
        let (stripped, d) = take_schema_description(sdl).unwrap();
        // The scanner honours the `\"""` escape; async-graphql-parser keeps it verbatim, as it
        // does in every other block string.
        assert_eq!(d.as_deref(), Some("The API.\n\\\"\"\""));
        assert_eq!(stripped.lines().count(), sdl.lines().count());
        assert!(stripped.contains("schema { query: Q }"));
        assert!(stripped.contains("\"d\" schema: Int"));
        let out = generate(sdl, &cfg()).unwrap();
        assert!(out.contains("/// The API.\n"), "{out}");
        // Nothing to strip when there is no schema description.
        let plain = "\"Q.\" type Q { a: Int } schema { query: Q }";
        assert_eq!(
            take_schema_description(plain).unwrap(),
            (plain.to_string(), None)
        );
    }

    #[test]
    fn the_contract_generates() {
        let sdl = include_str!("../../graphql/schema.graphql");
        let out = generate(sdl, &cfg()).unwrap();
        for needle in [
            "pub struct Time(pub ::serde_json::Value);",
            "pub enum Severity",
            "pub struct EventFilter",
            "pub trait QueryResolvers",
            "pub trait MutationResolvers",
            "pub trait SubscriptionResolvers",
            "pub fn schema_builder<H>",
        ] {
            assert!(out.contains(needle), "missing {needle}");
        }
    }
}
