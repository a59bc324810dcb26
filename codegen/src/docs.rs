//! Contract → reference documentation.
//!
//! The bundled OpenAPI document becomes one Markdown document ([`rest_markdown`]) or one
//! self-contained HTML page ([`rest_html`]); the GraphQL SDL likewise ([`graphql_markdown`],
//! [`graphql_html`]). Both formats are rendered from one small document model (headings,
//! paragraphs, tables, lists), so the Markdown and the HTML of a contract always carry the same
//! content.
//!
//! Output is deterministic: no timestamps, and every list has a fixed order. REST operations
//! follow the tag order of `spec.tags`, then path, then method; schemas are alphabetical. GraphQL
//! lists the root types first (Query, Mutation, Subscription), then every other type
//! alphabetically.
//!
//! The HTML page needs no network: CSS is inline, there are no images or fonts, and the only
//! script is a small inline filter for the sidebar.

use std::collections::{BTreeMap, HashMap, HashSet};

use async_graphql_parser::types as gql;
use indexmap::IndexMap;
use openapiv3::{
    APIKeyLocation, AdditionalProperties, Components, OpenAPI, Operation, Parameter,
    ParameterSchemaOrContent, PathItem, ReferenceOr, RequestBody, Response, Schema, SchemaKind,
    SecurityRequirement, SecurityScheme, StatusCode, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::{Error, Result};

/// REST reference in Markdown: one document.
pub fn rest_markdown(spec: &OpenAPI) -> Result<String> {
    Ok(render_markdown(&rest_doc(spec)?))
}

/// The same content as [`rest_markdown`], as one self-contained static HTML page.
pub fn rest_html(spec: &OpenAPI) -> Result<String> {
    Ok(render_html(&rest_doc(spec)?))
}

/// GraphQL reference in Markdown from the SDL text.
pub fn graphql_markdown(sdl: &str) -> Result<String> {
    Ok(render_markdown(&graphql_doc(sdl)?))
}

/// The same content as [`graphql_markdown`], as one self-contained static HTML page.
pub fn graphql_html(sdl: &str) -> Result<String> {
    Ok(render_html(&graphql_doc(sdl)?))
}

// ---------------------------------------------------------------------------------------------
// Document model
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Inline {
    /// Plain text; escaped for the target format.
    Text(String),
    /// A code span.
    Code(String),
    /// A description from the contract: CommonMark-ish text, rendered inline.
    Prose(String),
    /// A link to an anchor on the same page.
    Link(String, Vec<Inline>),
    Strong(Vec<Inline>),
    /// Monospace run that may contain links (type expressions such as `array<Event>`).
    Mono(Vec<Inline>),
    /// An HTTP method, shown as a coloured badge in HTML.
    Method(String),
    /// A small label: (CSS class, text).
    Badge(&'static str, String),
    /// An anchor target without visible content.
    Anchor(String),
    Break,
}

#[derive(Debug, Clone)]
enum Block {
    Heading {
        level: u8,
        id: Option<String>,
        content: Vec<Inline>,
    },
    Para(Vec<Inline>),
    /// A description from the contract, rendered as block text.
    Prose(String),
    Table {
        head: Vec<&'static str>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    List(Vec<Vec<Inline>>),
    Code {
        lang: &'static str,
        text: String,
    },
}

struct Doc {
    /// The page title (`<title>` in HTML).
    title: String,
    blocks: Vec<Block>,
}

impl Doc {
    fn new(title: impl Into<String>) -> Self {
        Doc {
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    fn heading(&mut self, level: u8, id: Option<String>, content: Vec<Inline>) {
        self.blocks.push(Block::Heading { level, id, content });
    }

    fn para(&mut self, content: Vec<Inline>) {
        self.blocks.push(Block::Para(content));
    }

    fn prose(&mut self, text: Option<&str>) {
        if let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) {
            self.blocks.push(Block::Prose(t.to_string()));
        }
    }

    fn table(&mut self, head: Vec<&'static str>, rows: Vec<Vec<Vec<Inline>>>) {
        self.blocks.push(Block::Table { head, rows });
    }

    fn list(&mut self, items: Vec<Vec<Inline>>) {
        if !items.is_empty() {
            self.blocks.push(Block::List(items));
        }
    }
}

fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

fn code(s: impl Into<String>) -> Inline {
    Inline::Code(s.into())
}

/// A prose cell, or nothing when the description is absent or blank.
fn prose_cell(s: Option<&str>) -> Vec<Inline> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => vec![Inline::Prose(s.to_string())],
        None => Vec::new(),
    }
}

/// Wraps type pieces in a monospace run, merging adjacent text.
fn mono(pieces: Vec<Inline>) -> Inline {
    let mut out: Vec<Inline> = Vec::new();
    for p in pieces {
        match (out.last_mut(), p) {
            (Some(Inline::Text(prev)), Inline::Text(s)) => prev.push_str(&s),
            (_, p) => out.push(p),
        }
    }
    Inline::Mono(out)
}

/// Joins inline groups with a separator.
fn join(groups: Vec<Vec<Inline>>, sep: Inline) -> Vec<Inline> {
    let mut out = Vec::new();
    for (i, g) in groups.into_iter().enumerate() {
        if i > 0 {
            out.push(sep.clone());
        }
        out.extend(g);
    }
    out
}

/// Appends `extra` to a description cell, separated by a line break.
fn append_line(cell: &mut Vec<Inline>, extra: Vec<Inline>) {
    if extra.is_empty() {
        return;
    }
    if !cell.is_empty() {
        cell.push(Inline::Break);
    }
    cell.extend(extra);
}

/// Hands out unique, URL-safe anchor ids in a deterministic order.
#[derive(Default)]
struct Anchors {
    used: HashSet<String>,
}

impl Anchors {
    fn reserve(&mut self, ids: &[&str]) {
        for id in ids {
            self.used.insert((*id).to_string());
        }
    }

    fn make(&mut self, prefix: &str, name: &str) -> String {
        let base = format!("{prefix}-{}", slug(name));
        let mut id = base.clone();
        let mut n = 2;
        while !self.used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

/// Letters, digits and `_` survive; every other run of characters becomes one `-`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push('x');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------------------

const METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];

fn path_item_op<'a>(item: &'a PathItem, method: &str) -> Option<&'a Operation> {
    match method {
        "get" => item.get.as_ref(),
        "post" => item.post.as_ref(),
        "put" => item.put.as_ref(),
        "patch" => item.patch.as_ref(),
        "delete" => item.delete.as_ref(),
        "head" => item.head.as_ref(),
        "options" => item.options.as_ref(),
        "trace" => item.trace.as_ref(),
        _ => None,
    }
}

/// A schema or a reference to one, whether boxed or not.
#[derive(Clone, Copy)]
enum SRef<'a> {
    Ref(&'a str),
    Item(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for SRef<'a> {
    fn from(r: &'a ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SRef::Ref(reference),
            ReferenceOr::Item(s) => SRef::Item(s),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for SRef<'a> {
    fn from(r: &'a ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SRef::Ref(reference),
            ReferenceOr::Item(s) => SRef::Item(s),
        }
    }
}

/// The last segment of a JSON pointer reference, unescaped.
fn ref_name(reference: &str) -> String {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    last.replace("~1", "/").replace("~0", "~")
}

/// A component name from a local reference of the given kind (`schemas`, `parameters`, ...).
fn local_ref<'r>(reference: &'r str, kind: &str) -> Option<&'r str> {
    reference
        .strip_prefix("#/components/")?
        .strip_prefix(kind)?
        .strip_prefix('/')
}

fn format_name<T: serde::Serialize>(format: &VariantOrUnknownOrEmpty<T>) -> Option<String> {
    match format {
        VariantOrUnknownOrEmpty::Empty => None,
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        VariantOrUnknownOrEmpty::Item(_) => serde_json::to_value(format)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned)),
    }
}

fn with_format(base: &str, format: Option<String>) -> Vec<Inline> {
    match format {
        Some(f) => vec![text(format!("{base}({f})"))],
        None => vec![text(base)],
    }
}

/// A JSON value as a reader would type it: strings without quotes.
fn json_plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn one_of_values(values: Vec<String>) -> Vec<Inline> {
    let mut out = vec![text("one of: ")];
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(text(", "));
        }
        out.push(code(v));
    }
    out
}

fn opt_values<T: ToString>(values: &[Option<T>]) -> Vec<String> {
    values
        .iter()
        .map(|v| v.as_ref().map_or_else(|| "null".to_string(), T::to_string))
        .collect()
}

fn bound(name: &str, value: String, exclusive: bool) -> Vec<Inline> {
    let suffix = if exclusive { " (exclusive)" } else { "" };
    vec![text(format!("{name}: ")), code(value), text(suffix)]
}

fn status_key(status: &StatusCode) -> u32 {
    match status {
        StatusCode::Code(n) => u32::from(*n) * 10,
        StatusCode::Range(n) => u32::from(*n) * 1000 + 999,
    }
}

fn param_location(p: &Parameter) -> &'static str {
    match p {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    }
}

/// One documented field of an object schema.
struct Field {
    name: String,
    ty: Vec<Inline>,
    required: bool,
    description: Vec<Inline>,
}

fn field_table(doc: &mut Doc, fields: Vec<Field>) {
    let rows = fields
        .into_iter()
        .map(|f| {
            vec![
                vec![code(f.name)],
                vec![mono(f.ty)],
                vec![text(if f.required { "yes" } else { "no" })],
                f.description,
            ]
        })
        .collect();
    doc.table(vec!["Field", "Type", "Required", "Description"], rows);
}

/// An operation, placed in its group.
struct OpEntry<'a> {
    path: &'a str,
    method: &'static str,
    item: &'a PathItem,
    op: &'a Operation,
    id: String,
}

struct Group<'a> {
    name: String,
    description: Option<&'a str>,
    id: String,
    ops: Vec<OpEntry<'a>>,
}

/// An entry of the `x-error-codes` extension.
struct ErrorCode {
    code: String,
    status: String,
    title: String,
    description: String,
    remediation: String,
}

/// Reads `x-error-codes`; `None` when the extension is absent.
fn error_codes(spec: &OpenAPI) -> Result<Option<Vec<ErrorCode>>> {
    let Some(value) = spec.extensions.get("x-error-codes") else {
        return Ok(None);
    };
    let Value::Array(entries) = value else {
        return Err(Error(
            "x-error-codes: expected an array of error code objects".into(),
        ));
    };
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let Value::Object(obj) = entry else {
            return Err(Error(format!("x-error-codes[{i}]: expected an object")));
        };
        let Some(code) = obj.get("code").and_then(Value::as_str) else {
            return Err(Error(format!(
                "x-error-codes[{i}]: `code` is missing or not a string"
            )));
        };
        let string = |key: &str| -> String {
            match obj.get(key) {
                None | Some(Value::Null) => String::new(),
                Some(v) => json_plain(v),
            }
        };
        out.push(ErrorCode {
            code: code.to_string(),
            status: string("status"),
            title: string("title"),
            description: string("description"),
            remediation: string("remediation"),
        });
    }
    Ok(Some(out))
}

struct Rest<'a> {
    spec: &'a OpenAPI,
    comps: &'a Components,
    schema_ids: HashMap<String, String>,
    scheme_ids: HashMap<String, String>,
    /// Schema name → operations (anchor, heading) that use it directly.
    used_by: HashMap<String, Vec<(String, Vec<Inline>)>>,
    /// Schema name → component schemas whose fields or items name it, alphabetically.
    referenced_by: HashMap<String, Vec<String>>,
}

impl<'a> Rest<'a> {
    fn schema_link(&self, reference: &str) -> Inline {
        let name = ref_name(reference);
        match local_ref(reference, "schemas").and_then(|n| self.schema_ids.get(n)) {
            Some(id) => Inline::Link(id.clone(), vec![text(name)]),
            None => text(name),
        }
    }

    /// Follows references to a schema (bounded, so cycles end).
    fn resolve(&self, s: SRef<'a>) -> Option<&'a Schema> {
        let mut cur = s;
        for _ in 0..16 {
            match cur {
                SRef::Item(s) => return Some(s),
                SRef::Ref(r) => {
                    let name = local_ref(r, "schemas")?;
                    cur = self.comps.schemas.get(name)?.into();
                }
            }
        }
        None
    }

    /// Type expression pieces, such as `array<` [Event] `>`.
    fn ty(&self, s: SRef<'a>) -> Vec<Inline> {
        match s {
            SRef::Ref(r) => vec![self.schema_link(r)],
            SRef::Item(s) => self.ty_schema(s),
        }
    }

    fn ty_opt(&self, s: Option<SRef<'a>>) -> Vec<Inline> {
        match s {
            Some(s) => self.ty(s),
            None => vec![text("any")],
        }
    }

    fn wrap(&self, name: &str, inner: Vec<Inline>) -> Vec<Inline> {
        let mut out = vec![text(format!("{name}<"))];
        out.extend(inner);
        out.push(text(">"));
        out
    }

    fn combo(&self, name: &str, members: &'a [ReferenceOr<Schema>]) -> Vec<Inline> {
        let parts = members.iter().map(|m| self.ty(m.into())).collect();
        self.wrap(name, join(parts, text(", ")))
    }

    fn map_or_object(
        &self,
        has_properties: bool,
        additional: Option<&'a AdditionalProperties>,
    ) -> Vec<Inline> {
        match (has_properties, additional) {
            (false, Some(AdditionalProperties::Schema(s))) => {
                let mut inner = vec![text("string, ")];
                inner.extend(self.ty(s.as_ref().into()));
                self.wrap("map", inner)
            }
            (false, Some(AdditionalProperties::Any(true))) => vec![text("map<string, any>")],
            _ => vec![text("object")],
        }
    }

    fn ty_schema(&self, s: &'a Schema) -> Vec<Inline> {
        match &s.schema_kind {
            SchemaKind::Type(Type::String(t)) => with_format("string", format_name(&t.format)),
            SchemaKind::Type(Type::Number(t)) => with_format("number", format_name(&t.format)),
            SchemaKind::Type(Type::Integer(t)) => with_format("integer", format_name(&t.format)),
            SchemaKind::Type(Type::Boolean(_)) => vec![text("boolean")],
            SchemaKind::Type(Type::Array(a)) => {
                self.wrap("array", self.ty_opt(a.items.as_ref().map(SRef::from)))
            }
            SchemaKind::Type(Type::Object(o)) => {
                self.map_or_object(!o.properties.is_empty(), o.additional_properties.as_ref())
            }
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => self.ty((&all_of[0]).into()),
            SchemaKind::AllOf { all_of } => self.combo("allOf", all_of),
            SchemaKind::OneOf { one_of } => self.combo("oneOf", one_of),
            SchemaKind::AnyOf { any_of } => self.combo("anyOf", any_of),
            SchemaKind::Not { not } => self.wrap("not", self.ty(not.as_ref().into())),
            SchemaKind::Any(a) => {
                let typ = a.typ.as_deref();
                if typ == Some("array") || (typ.is_none() && a.items.is_some()) {
                    self.wrap("array", self.ty_opt(a.items.as_ref().map(SRef::from)))
                } else if typ == Some("object")
                    || (typ.is_none()
                        && (!a.properties.is_empty() || a.additional_properties.is_some()))
                {
                    self.map_or_object(!a.properties.is_empty(), a.additional_properties.as_ref())
                } else if let Some(t) = typ {
                    with_format(t, a.format.clone())
                } else if a.all_of.len() == 1 {
                    self.ty((&a.all_of[0]).into())
                } else if !a.all_of.is_empty() {
                    self.combo("allOf", &a.all_of)
                } else if !a.one_of.is_empty() {
                    self.combo("oneOf", &a.one_of)
                } else if !a.any_of.is_empty() {
                    self.combo("anyOf", &a.any_of)
                } else {
                    vec![text("any")]
                }
            }
        }
    }

    /// Validation facts about an inline schema: enum values, bounds, pattern, default, flags.
    fn constraints(&self, s: SRef<'a>) -> Vec<Vec<Inline>> {
        let SRef::Item(s) = s else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let d = &s.schema_data;
        for (on, flag) in [
            (d.nullable, "nullable"),
            (d.read_only, "read-only"),
            (d.write_only, "write-only"),
            (d.deprecated, "deprecated"),
        ] {
            if on {
                out.push(vec![text(flag)]);
            }
        }
        match &s.schema_kind {
            SchemaKind::Type(Type::String(t)) => {
                if !t.enumeration.is_empty() {
                    out.push(one_of_values(opt_values(&t.enumeration)));
                }
                if let Some(n) = t.min_length {
                    out.push(bound("min length", n.to_string(), false));
                }
                if let Some(n) = t.max_length {
                    out.push(bound("max length", n.to_string(), false));
                }
                if let Some(p) = &t.pattern {
                    out.push(vec![text("pattern: "), code(p.clone())]);
                }
            }
            SchemaKind::Type(Type::Number(t)) => {
                if !t.enumeration.is_empty() {
                    out.push(one_of_values(opt_values(&t.enumeration)));
                }
                if let Some(n) = t.minimum {
                    out.push(bound("minimum", n.to_string(), t.exclusive_minimum));
                }
                if let Some(n) = t.maximum {
                    out.push(bound("maximum", n.to_string(), t.exclusive_maximum));
                }
                if let Some(n) = t.multiple_of {
                    out.push(bound("multiple of", n.to_string(), false));
                }
            }
            SchemaKind::Type(Type::Integer(t)) => {
                if !t.enumeration.is_empty() {
                    out.push(one_of_values(opt_values(&t.enumeration)));
                }
                if let Some(n) = t.minimum {
                    out.push(bound("minimum", n.to_string(), t.exclusive_minimum));
                }
                if let Some(n) = t.maximum {
                    out.push(bound("maximum", n.to_string(), t.exclusive_maximum));
                }
                if let Some(n) = t.multiple_of {
                    out.push(bound("multiple of", n.to_string(), false));
                }
            }
            SchemaKind::Type(Type::Boolean(t)) if !t.enumeration.is_empty() => {
                out.push(one_of_values(opt_values(&t.enumeration)));
            }
            SchemaKind::Type(Type::Array(a)) => {
                if let Some(n) = a.min_items {
                    out.push(bound("min items", n.to_string(), false));
                }
                if let Some(n) = a.max_items {
                    out.push(bound("max items", n.to_string(), false));
                }
                if a.unique_items {
                    out.push(vec![text("unique items")]);
                }
                if let Some(items) = &a.items {
                    for c in self.constraints(items.into()) {
                        let mut item = vec![text("items: ")];
                        item.extend(c);
                        out.push(item);
                    }
                }
            }
            SchemaKind::Type(Type::Object(o)) => {
                if let Some(n) = o.min_properties {
                    out.push(bound("min properties", n.to_string(), false));
                }
                if let Some(n) = o.max_properties {
                    out.push(bound("max properties", n.to_string(), false));
                }
            }
            SchemaKind::Any(a) => {
                if !a.enumeration.is_empty() {
                    out.push(one_of_values(
                        a.enumeration.iter().map(json_plain).collect(),
                    ));
                }
                let exclusive = |b: Option<bool>| b.unwrap_or(false);
                if let Some(n) = a.minimum {
                    out.push(bound(
                        "minimum",
                        n.to_string(),
                        exclusive(a.exclusive_minimum),
                    ));
                }
                if let Some(n) = a.maximum {
                    out.push(bound(
                        "maximum",
                        n.to_string(),
                        exclusive(a.exclusive_maximum),
                    ));
                }
                if let Some(n) = a.min_length {
                    out.push(bound("min length", n.to_string(), false));
                }
                if let Some(n) = a.max_length {
                    out.push(bound("max length", n.to_string(), false));
                }
                if let Some(p) = &a.pattern {
                    out.push(vec![text("pattern: "), code(p.clone())]);
                }
                if let Some(n) = a.min_items {
                    out.push(bound("min items", n.to_string(), false));
                }
                if let Some(n) = a.max_items {
                    out.push(bound("max items", n.to_string(), false));
                }
            }
            _ => {}
        }
        if let Some(def) = &d.default {
            out.push(vec![text("default: "), code(json_plain(def))]);
        }
        out
    }

    /// Collects the properties of an object-like schema (objects and `allOf` compositions).
    /// Returns false when the schema is not object-like.
    fn props(
        &self,
        s: SRef<'a>,
        depth: usize,
        props: &mut IndexMap<&'a str, SRef<'a>>,
        required: &mut Vec<&'a str>,
    ) -> bool {
        if depth > 8 {
            return false;
        }
        let Some(schema) = self.resolve(s) else {
            return false;
        };
        let mut add = |p: &'a IndexMap<String, ReferenceOr<Box<Schema>>>, r: &'a [String]| {
            for (name, s) in p {
                props.insert(name.as_str(), s.into());
            }
            required.extend(r.iter().map(String::as_str));
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => {
                add(&o.properties, &o.required);
                true
            }
            SchemaKind::AllOf { all_of } => {
                let mut any = false;
                for m in all_of {
                    any |= self.props(m.into(), depth + 1, props, required);
                }
                any
            }
            SchemaKind::Any(a)
                if !a.properties.is_empty()
                    || a.typ.as_deref() == Some("object")
                    || !a.all_of.is_empty() =>
            {
                add(&a.properties, &a.required);
                for m in &a.all_of {
                    self.props(m.into(), depth + 1, props, required);
                }
                true
            }
            _ => false,
        }
    }

    /// Field rows of an object-like schema; inline nested objects become `a.b` / `a[].b` rows.
    /// Returns false when the schema is not object-like.
    fn field_rows(&self, s: SRef<'a>, prefix: &str, depth: usize, out: &mut Vec<Field>) -> bool {
        let mut props = IndexMap::new();
        let mut required = Vec::new();
        if !self.props(s, 0, &mut props, &mut required) {
            return false;
        }
        for (name, p) in props {
            let full = format!("{prefix}{name}");
            let mut description = Vec::new();
            if let SRef::Item(ps) = p {
                description = prose_cell(ps.schema_data.description.as_deref());
            }
            for c in self.constraints(p) {
                append_line(&mut description, c);
            }
            out.push(Field {
                name: full.clone(),
                ty: self.ty(p),
                required: required.contains(&name),
                description,
            });
            if depth >= 3 {
                continue;
            }
            if let SRef::Item(ps) = p {
                if inline_object(ps) {
                    self.field_rows(p, &format!("{full}."), depth + 1, out);
                } else if let Some(items @ SRef::Item(is)) = array_items(ps)
                    && inline_object(is)
                {
                    self.field_rows(items, &format!("{full}[]."), depth + 1, out);
                }
            }
        }
        true
    }

    /// Component schemas named directly by a body, response or parameter schema.
    fn direct_refs(&self, s: SRef<'a>, out: &mut Vec<String>, depth: usize) {
        if depth > 4 {
            return;
        }
        let schema = match s {
            SRef::Ref(r) => {
                if let Some(name) = local_ref(r, "schemas") {
                    out.push(ref_name(&format!("/{name}")));
                }
                return;
            }
            SRef::Item(s) => s,
        };
        let mut members: Vec<SRef<'a>> = Vec::new();
        match &schema.schema_kind {
            SchemaKind::Type(Type::Array(a)) => members.extend(a.items.as_ref().map(SRef::from)),
            SchemaKind::Type(Type::Object(o)) => {
                if let Some(AdditionalProperties::Schema(s)) = &o.additional_properties {
                    members.push(s.as_ref().into());
                }
            }
            SchemaKind::OneOf { one_of: m }
            | SchemaKind::AllOf { all_of: m }
            | SchemaKind::AnyOf { any_of: m } => members.extend(m.iter().map(SRef::from)),
            SchemaKind::Any(a) => {
                members.extend(a.items.as_ref().map(SRef::from));
                members.extend(a.one_of.iter().map(SRef::from));
                members.extend(a.all_of.iter().map(SRef::from));
                members.extend(a.any_of.iter().map(SRef::from));
            }
            _ => {}
        }
        for m in members {
            self.direct_refs(m, out, depth + 1);
        }
    }

    fn note_usage(&mut self, s: SRef<'a>, entry: &OpEntry<'a>) {
        let mut names = Vec::new();
        self.direct_refs(s, &mut names, 0);
        for name in names {
            let users = self.used_by.entry(name).or_default();
            if !users.iter().any(|(id, _)| id == &entry.id) {
                users.push((entry.id.clone(), op_title(entry)));
            }
        }
    }

    fn scheme_link(&self, name: &str) -> Inline {
        match self.scheme_ids.get(name) {
            Some(id) => Inline::Link(id.clone(), vec![code(name)]),
            None => code(name),
        }
    }

    /// The effective security requirement of an operation.
    fn auth_requirement(&self, op_security: Option<&Vec<SecurityRequirement>>) -> Vec<Inline> {
        let reqs = op_security.or(self.spec.security.as_ref());
        let public = |why: Vec<Inline>| {
            let mut v = vec![Inline::Badge("public", "Public".into()), text(" — ")];
            v.extend(why);
            v
        };
        let Some(reqs) = reqs else {
            return public(vec![text(
                "no credentials needed (the contract declares no security requirement).",
            )]);
        };
        if reqs.is_empty() {
            return public(vec![
                text("no credentials needed ("),
                code("security: []"),
                text(")."),
            ]);
        }
        let optional = reqs.iter().any(|r| r.is_empty());
        let mut out = vec![if optional {
            Inline::Badge("optional", "Optional credentials".into())
        } else {
            Inline::Badge("secured", "Requires credentials".into())
        }];
        out.push(text(": "));
        out.extend(self.alternatives(reqs));
        out.push(text(
            " — under a remote provider; the Local provider needs none.",
        ));
        out
    }

    /// `a or b and c`: requirements are alternatives, schemes inside one are all needed.
    fn alternatives(&self, reqs: &[SecurityRequirement]) -> Vec<Inline> {
        let alternatives: Vec<Vec<Inline>> = reqs
            .iter()
            .filter(|r| !r.is_empty())
            .map(|req| {
                let schemes = req
                    .iter()
                    .map(|(name, scopes)| {
                        let mut s = vec![self.scheme_link(name)];
                        if !scopes.is_empty() {
                            s.push(text(" (scopes: "));
                            s.extend(join(
                                scopes.iter().map(|sc| vec![code(sc.clone())]).collect(),
                                text(", "),
                            ));
                            s.push(text(")"));
                        }
                        s
                    })
                    .collect();
                join(schemes, text(" and "))
            })
            .collect();
        join(alternatives, text(" or "))
    }

    fn parameter(&self, p: &'a ReferenceOr<Parameter>, ctx: &str) -> Result<&'a Parameter> {
        let mut cur = p;
        for _ in 0..16 {
            match cur {
                ReferenceOr::Item(p) => return Ok(p),
                ReferenceOr::Reference { reference } => {
                    cur = local_ref(reference, "parameters")
                        .and_then(|n| self.comps.parameters.get(n))
                        .ok_or_else(|| {
                            Error(format!(
                                "{ctx}: cannot resolve parameter reference `{reference}`"
                            ))
                        })?;
                }
            }
        }
        Err(Error(format!("{ctx}: parameter references form a cycle")))
    }

    fn request_body(&self, b: &'a ReferenceOr<RequestBody>, ctx: &str) -> Result<&'a RequestBody> {
        let mut cur = b;
        for _ in 0..16 {
            match cur {
                ReferenceOr::Item(b) => return Ok(b),
                ReferenceOr::Reference { reference } => {
                    cur = local_ref(reference, "requestBodies")
                        .and_then(|n| self.comps.request_bodies.get(n))
                        .ok_or_else(|| {
                            Error(format!(
                                "{ctx}: cannot resolve request body reference `{reference}`"
                            ))
                        })?;
                }
            }
        }
        Err(Error(format!(
            "{ctx}: request body references form a cycle"
        )))
    }

    fn response(&self, r: &'a ReferenceOr<Response>, ctx: &str) -> Result<&'a Response> {
        let mut cur = r;
        for _ in 0..16 {
            match cur {
                ReferenceOr::Item(r) => return Ok(r),
                ReferenceOr::Reference { reference } => {
                    cur = local_ref(reference, "responses")
                        .and_then(|n| self.comps.responses.get(n))
                        .ok_or_else(|| {
                            Error(format!(
                                "{ctx}: cannot resolve response reference `{reference}`"
                            ))
                        })?;
                }
            }
        }
        Err(Error(format!("{ctx}: response references form a cycle")))
    }

    fn operation(&mut self, doc: &mut Doc, entry: &OpEntry<'a>) -> Result<()> {
        let op = entry.op;
        let ctx = format!("{} {}", entry.method.to_uppercase(), entry.path);
        doc.heading(3, Some(entry.id.clone()), op_title(entry));
        if let Some(s) = op
            .summary
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            doc.para(vec![Inline::Strong(vec![text(s)])]);
        }
        doc.prose(op.description.as_deref());

        let mut facts = Vec::new();
        if let Some(id) = &op.operation_id {
            facts.push(vec![text("Operation ID: "), code(id.clone())]);
        }
        let mut auth = vec![text("Authentication: ")];
        auth.extend(self.auth_requirement(op.security.as_ref()));
        facts.push(auth);
        if op.deprecated {
            facts.push(vec![
                Inline::Badge("deprecated", "Deprecated".into()),
                text(" — avoid in new clients."),
            ]);
        }
        doc.list(facts);

        // Parameters: path-level first, overridden by operation-level ones of the same name+in.
        let mut params: Vec<&'a Parameter> = Vec::new();
        for p in entry.item.parameters.iter().chain(op.parameters.iter()) {
            let p = self.parameter(p, &ctx)?;
            let key = (p.parameter_data_ref().name.as_str(), param_location(p));
            match params
                .iter()
                .position(|q| (q.parameter_data_ref().name.as_str(), param_location(q)) == key)
            {
                Some(i) => params[i] = p,
                None => params.push(p),
            }
        }
        if !params.is_empty() {
            doc.heading(4, None, vec![text("Parameters")]);
            let mut rows = Vec::new();
            for p in params {
                let data = p.parameter_data_ref();
                let (ty, cons) = match &data.format {
                    ParameterSchemaOrContent::Schema(s) => {
                        self.note_usage(s.into(), entry);
                        (self.ty(s.into()), self.constraints(s.into()))
                    }
                    ParameterSchemaOrContent::Content(c) => match c.iter().next() {
                        Some((media, mt)) => (
                            self.ty_opt(mt.schema.as_ref().map(SRef::from)),
                            vec![vec![text("encoded as "), code(media.clone())]],
                        ),
                        None => (vec![text("any")], Vec::new()),
                    },
                };
                let mut description = prose_cell(data.description.as_deref());
                if data.deprecated == Some(true) {
                    append_line(
                        &mut description,
                        vec![Inline::Badge("deprecated", "Deprecated".into())],
                    );
                }
                rows.push(vec![
                    vec![code(data.name.clone())],
                    vec![text(param_location(p))],
                    vec![mono(ty)],
                    vec![text(if data.required { "yes" } else { "no" })],
                    description,
                    join(cons, text("; ")),
                ]);
            }
            doc.table(
                vec![
                    "Name",
                    "In",
                    "Type",
                    "Required",
                    "Description",
                    "Constraints",
                ],
                rows,
            );
        }

        if let Some(body) = &op.request_body {
            let body = self.request_body(body, &ctx)?;
            doc.heading(4, None, vec![text("Request body")]);
            doc.prose(body.description.as_deref());
            if body.content.is_empty() {
                doc.para(vec![text("No content is defined.")]);
            }
            for (media, mt) in &body.content {
                let mut line = vec![code(media.clone())];
                if let Some(s) = &mt.schema {
                    line.push(text(" — "));
                    line.push(mono(self.ty(s.into())));
                    self.note_usage(s.into(), entry);
                }
                line.push(text(if body.required {
                    " (required)"
                } else {
                    " (optional)"
                }));
                doc.para(line);
                if let Some(s) = &mt.schema {
                    let mut fields = Vec::new();
                    if self.field_rows(s.into(), "", 0, &mut fields) && !fields.is_empty() {
                        field_table(doc, fields);
                    }
                }
            }
        }

        doc.heading(4, None, vec![text("Responses")]);
        let mut responses: Vec<(u32, String, &'a ReferenceOr<Response>)> = op
            .responses
            .responses
            .iter()
            .map(|(status, r)| (status_key(status), status.to_string(), r))
            .collect();
        if let Some(r) = &op.responses.default {
            responses.push((u32::MAX, "default".into(), r));
        }
        responses.sort_by_key(|(key, _, _)| *key);
        if responses.is_empty() {
            doc.para(vec![text("No responses are defined.")]);
        } else {
            let mut rows = Vec::new();
            for (_, status, r) in responses {
                let r = self.response(r, &format!("{ctx} response {status}"))?;
                let mut media = Vec::new();
                let mut schemas = Vec::new();
                for (m, mt) in &r.content {
                    media.push(vec![code(m.clone())]);
                    schemas.push(match &mt.schema {
                        Some(s) => {
                            self.note_usage(s.into(), entry);
                            vec![mono(self.ty(s.into()))]
                        }
                        None => vec![text("—")],
                    });
                }
                if media.is_empty() {
                    media.push(vec![text("—")]);
                    schemas.push(vec![text("—")]);
                }
                rows.push(vec![
                    vec![code(status)],
                    prose_cell(Some(&r.description)),
                    join(media, Inline::Break),
                    join(schemas, Inline::Break),
                ]);
            }
            doc.table(vec!["Status", "Description", "Media type", "Schema"], rows);
        }
        Ok(())
    }

    fn authentication(&self, doc: &mut Doc) {
        doc.heading(
            2,
            Some("authentication".into()),
            vec![text("Authentication")],
        );
        doc.para(vec![
            text("Operations marked "),
            Inline::Badge("public", "Public".into()),
            text(" declare "),
            code("security: []"),
            text(
                " and need no credentials. Every other operation needs credentials when the \
                 server runs with a remote provider; with the Local provider no credentials are \
                 needed.",
            ),
        ]);
        let schemes = &self.comps.security_schemes;
        if schemes.is_empty() {
            doc.para(vec![text("The contract defines no security schemes.")]);
            return;
        }
        let mut intro = vec![text(
            "Where schemes are joined by \"or\", any one of them is enough.",
        )];
        if let Some(global) = self.spec.security.as_ref().filter(|g| !g.is_empty()) {
            intro.push(text(" Unless an operation says otherwise, it accepts "));
            intro.extend(self.alternatives(global));
            if global.iter().any(|r| r.is_empty()) {
                intro.push(text(", or no credentials at all"));
            }
            intro.push(text("."));
        }
        doc.para(intro);
        let mut rows = Vec::new();
        for (name, scheme) in schemes {
            let id = self.scheme_ids.get(name).cloned().unwrap_or_default();
            let resolved = match scheme {
                ReferenceOr::Item(s) => Some(s),
                ReferenceOr::Reference { reference } => local_ref(reference, "securitySchemes")
                    .and_then(|n| schemes.get(n))
                    .and_then(ReferenceOr::as_item),
            };
            let (kind, how, description): (Vec<Inline>, Vec<Inline>, Option<&str>) = match resolved
            {
                Some(SecurityScheme::HTTP {
                    scheme,
                    bearer_format,
                    description,
                    ..
                }) => {
                    let lower = scheme.to_ascii_lowercase();
                    let kind = match (lower.as_str(), bearer_format) {
                        ("bearer", Some(f)) => format!("HTTP bearer ({f})"),
                        ("bearer", None) => "HTTP bearer".to_string(),
                        ("basic", _) => "HTTP basic".to_string(),
                        (other, _) => format!("HTTP {other}"),
                    };
                    let how = match lower.as_str() {
                        "bearer" => vec![text("header "), code("Authorization: Bearer <token>")],
                        "basic" => {
                            vec![text("header "), code("Authorization: Basic <credentials>")]
                        }
                        _ => vec![text("header "), code("Authorization")],
                    };
                    (vec![text(kind)], how, description.as_deref())
                }
                Some(SecurityScheme::APIKey {
                    location,
                    name,
                    description,
                    ..
                }) => {
                    let (kind, place) = match location {
                        APIKeyLocation::Cookie => ("API key in a cookie", "cookie "),
                        APIKeyLocation::Header => ("API key in a header", "header "),
                        APIKeyLocation::Query => ("API key in the query", "query parameter "),
                    };
                    (
                        vec![text(kind)],
                        vec![text(place), code(name.clone())],
                        description.as_deref(),
                    )
                }
                Some(SecurityScheme::OAuth2 {
                    flows, description, ..
                }) => {
                    let mut names = Vec::new();
                    for (on, n) in [
                        (flows.implicit.is_some(), "implicit"),
                        (flows.password.is_some(), "password"),
                        (flows.client_credentials.is_some(), "client credentials"),
                        (flows.authorization_code.is_some(), "authorization code"),
                    ] {
                        if on {
                            names.push(n);
                        }
                    }
                    (
                        vec![text("OAuth 2.0")],
                        vec![text(format!("flows: {}", names.join(", ")))],
                        description.as_deref(),
                    )
                }
                Some(SecurityScheme::OpenIDConnect {
                    open_id_connect_url,
                    description,
                    ..
                }) => (
                    vec![text("OpenID Connect")],
                    vec![code(open_id_connect_url.clone())],
                    description.as_deref(),
                ),
                None => (vec![text("unresolved reference")], Vec::new(), None),
            };
            rows.push(vec![
                vec![Inline::Anchor(id), code(name.clone())],
                kind,
                how,
                prose_cell(description),
            ]);
        }
        doc.table(vec!["Scheme", "Type", "How to send", "Description"], rows);
    }

    fn schemas(&self, doc: &mut Doc, names: &[&'a String]) {
        doc.heading(2, Some("schemas".into()), vec![text("Schemas")]);
        if names.is_empty() {
            doc.para(vec![text("The contract defines no schemas.")]);
            return;
        }
        for name in names {
            let entry = &self.comps.schemas[name.as_str()];
            doc.heading(
                3,
                self.schema_ids.get(name.as_str()).cloned(),
                vec![code(name.as_str())],
            );
            match entry {
                ReferenceOr::Reference { reference } => {
                    doc.para(vec![
                        text("Alias of "),
                        mono(vec![self.schema_link(reference)]),
                    ]);
                }
                ReferenceOr::Item(s) => self.schema_body(doc, s),
            }
            if let Some(users) = self.used_by.get(name.as_str()) {
                let mut line = vec![text("Used by: ")];
                let links = users
                    .iter()
                    .map(|(id, title)| vec![Inline::Link(id.clone(), title.clone())])
                    .collect();
                line.extend(join(links, text(", ")));
                doc.para(line);
            }
            let referrers: Vec<Vec<Inline>> = self
                .referenced_by
                .get(name.as_str())
                .into_iter()
                .flatten()
                .filter(|r| r != name)
                .map(|r| {
                    vec![mono(vec![
                        self.schema_link(&format!("#/components/schemas/{r}")),
                    ])]
                })
                .collect();
            if !referrers.is_empty() {
                let mut line = vec![text("Referenced by: ")];
                line.extend(join(referrers, text(", ")));
                doc.para(line);
            }
        }
    }

    fn schema_body(&self, doc: &mut Doc, s: &'a Schema) {
        let d = &s.schema_data;
        if let Some(t) = d.title.as_deref().filter(|t| !t.trim().is_empty()) {
            doc.para(vec![Inline::Strong(vec![text(t.trim())])]);
        }
        doc.prose(d.description.as_deref());
        let mut fields = Vec::new();
        if self.field_rows(SRef::Item(s), "", 0, &mut fields) {
            let parts: &[ReferenceOr<Schema>] = match &s.schema_kind {
                SchemaKind::AllOf { all_of } => all_of,
                SchemaKind::Any(a) => &a.all_of,
                _ => &[],
            };
            let refs: Vec<Vec<Inline>> = parts
                .iter()
                .filter_map(|p| match p {
                    ReferenceOr::Reference { reference } => {
                        Some(vec![mono(vec![self.schema_link(reference)])])
                    }
                    ReferenceOr::Item(_) => None,
                })
                .collect();
            if !refs.is_empty() {
                let mut line = vec![text("Includes the fields of ")];
                line.extend(join(refs, text(", ")));
                line.push(text("."));
                doc.para(line);
            }
            if fields.is_empty() {
                doc.para(vec![text("Type: "), mono(self.ty_schema(s))]);
            } else {
                field_table(doc, fields);
            }
            let additional = match &s.schema_kind {
                SchemaKind::Type(Type::Object(o)) if !o.properties.is_empty() => {
                    o.additional_properties.as_ref()
                }
                SchemaKind::Any(a) if !a.properties.is_empty() => a.additional_properties.as_ref(),
                _ => None,
            };
            match additional {
                Some(AdditionalProperties::Schema(v)) => {
                    let mut line = vec![text("Other keys are allowed, with values of type ")];
                    line.push(mono(self.ty(v.as_ref().into())));
                    line.push(text("."));
                    doc.para(line);
                }
                Some(AdditionalProperties::Any(true)) => {
                    doc.para(vec![text("Other keys are allowed.")]);
                }
                _ => {}
            }
        } else {
            let members: Option<(&str, &[ReferenceOr<Schema>])> = match &s.schema_kind {
                SchemaKind::OneOf { one_of } => Some(("One of:", one_of)),
                SchemaKind::AnyOf { any_of } => Some(("Any of:", any_of)),
                _ => None,
            };
            match members {
                Some((label, members)) => {
                    doc.para(vec![text(label)]);
                    doc.list(
                        members
                            .iter()
                            .map(|m| vec![mono(self.ty(m.into()))])
                            .collect(),
                    );
                }
                None => doc.para(vec![text("Type: "), mono(self.ty_schema(s))]),
            }
            doc.list(self.constraints(SRef::Item(s)));
        }
        if let Some(disc) = &d.discriminator {
            doc.para(vec![
                text("Discriminator: "),
                code(disc.property_name.clone()),
            ]);
        }
    }

    fn error_section(&self, doc: &mut Doc) -> Result<()> {
        doc.heading(2, Some("error-codes".into()), vec![text("Error codes")]);
        let mut shape = vec![
            text("Every error response body has the shape "),
            code("{error, code, severity, probableCause, suggestedRemediation}"),
        ];
        if let Some(id) = self.schema_ids.get("Error") {
            shape.push(text(" (see "));
            shape.push(Inline::Link(id.clone(), vec![code("Error")]));
            shape.push(text(")"));
        }
        shape.push(text(". "));
        shape.push(code("code"));
        shape.push(text(
            " is one of the codes below; GraphQL errors carry the same code in ",
        ));
        shape.push(code("extensions.code"));
        shape.push(text("."));
        doc.para(shape);
        match error_codes(self.spec)? {
            None => doc.para(vec![
                text("No error codes are defined: the contract has no "),
                code("x-error-codes"),
                text(" extension."),
            ]),
            Some(codes) if codes.is_empty() => {
                doc.para(vec![text("No error codes are defined.")]);
            }
            Some(codes) => {
                let mut anchors = Anchors::default();
                let rows = codes
                    .into_iter()
                    .map(|c| {
                        let id = anchors.make("error", &c.code);
                        let opt = |s: String| -> Vec<Inline> {
                            if s.is_empty() {
                                Vec::new()
                            } else {
                                vec![text(s)]
                            }
                        };
                        vec![
                            vec![Inline::Anchor(id), code(c.code)],
                            opt(c.status),
                            opt(c.title),
                            prose_cell(Some(&c.description)),
                            prose_cell(Some(&c.remediation)),
                        ]
                    })
                    .collect();
                doc.table(
                    vec!["Code", "HTTP status", "Title", "Description", "Remediation"],
                    rows,
                );
            }
        }
        Ok(())
    }
}

/// Whether `name` still has to be added to the (sorted, deduplicated) referrer list.
fn target_differs(name: &str, users: &[String]) -> bool {
    users.last().is_none_or(|last| last != name)
}

fn inline_object(s: &Schema) -> bool {
    match &s.schema_kind {
        SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
        SchemaKind::Any(a) => !a.properties.is_empty(),
        _ => false,
    }
}

fn array_items(s: &Schema) -> Option<SRef<'_>> {
    match &s.schema_kind {
        SchemaKind::Type(Type::Array(a)) => a.items.as_ref().map(SRef::from),
        SchemaKind::Any(a) if a.typ.as_deref() == Some("array") => a.items.as_ref().map(SRef::from),
        _ => None,
    }
}

fn op_title(entry: &OpEntry<'_>) -> Vec<Inline> {
    vec![
        Inline::Method(entry.method.to_uppercase()),
        text(" "),
        code(entry.path),
    ]
}

fn rest_doc(spec: &OpenAPI) -> Result<Doc> {
    let fallback = Components::default();
    let comps = spec.components.as_ref().unwrap_or(&fallback);
    let mut anchors = Anchors::default();
    anchors.reserve(&[
        "top",
        "contents",
        "authentication",
        "schemas",
        "error-codes",
    ]);

    // Groups: declared tags in order, then undeclared tags alphabetically, then untagged.
    let mut groups: Vec<Group<'_>> = spec
        .tags
        .iter()
        .map(|t| Group {
            name: t.name.clone(),
            description: t.description.as_deref(),
            id: anchors.make("tag", &t.name),
            ops: Vec::new(),
        })
        .collect();
    let mut undeclared: BTreeMap<String, Vec<OpEntry<'_>>> = BTreeMap::new();
    let mut untagged = Vec::new();
    for (path, item) in spec.paths.iter() {
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { reference } => {
                return Err(Error(format!(
                    "path {path}: path item references (`{reference}`) are not supported; \
                     bundle the document first"
                )));
            }
        };
        for method in METHODS {
            let Some(op) = path_item_op(item, method) else {
                continue;
            };
            let entry = OpEntry {
                path,
                method,
                item,
                op,
                id: String::new(),
            };
            let declared = op
                .tags
                .iter()
                .find_map(|t| groups.iter().position(|g| &g.name == t));
            match (declared, op.tags.first()) {
                (Some(g), _) => groups[g].ops.push(entry),
                (None, Some(t)) => undeclared.entry(t.clone()).or_default().push(entry),
                (None, None) => untagged.push(entry),
            }
        }
    }
    for (name, ops) in undeclared {
        groups.push(Group {
            id: anchors.make("tag", &name),
            name,
            description: None,
            ops,
        });
    }
    if !untagged.is_empty() {
        groups.push(Group {
            name: "Other operations".into(),
            description: None,
            id: anchors.make("tag", "other-operations"),
            ops: untagged,
        });
    }
    let method_rank = |m: &str| {
        METHODS
            .iter()
            .position(|x| *x == m)
            .unwrap_or(METHODS.len())
    };
    for g in &mut groups {
        g.ops
            .sort_by(|a, b| (a.path, method_rank(a.method)).cmp(&(b.path, method_rank(b.method))));
        for e in &mut g.ops {
            e.id = match &e.op.operation_id {
                Some(id) => anchors.make("op", id),
                None => anchors.make("op", &format!("{}-{}", e.method, e.path)),
            };
        }
    }

    let mut schema_names: Vec<&String> = comps.schemas.keys().collect();
    schema_names.sort_by(|a, b| a.to_lowercase().cmp(&b.to_lowercase()).then(a.cmp(b)));
    let schema_ids = schema_names
        .iter()
        .map(|n| ((*n).clone(), anchors.make("schema", n)))
        .collect();
    let scheme_ids = comps
        .security_schemes
        .keys()
        .map(|n| (n.clone(), anchors.make("auth", n)))
        .collect();

    let mut rest = Rest {
        spec,
        comps,
        schema_ids,
        scheme_ids,
        used_by: HashMap::new(),
        referenced_by: HashMap::new(),
    };
    for name in &schema_names {
        let mut refs = Vec::new();
        let entry: SRef<'_> = (&comps.schemas[name.as_str()]).into();
        let mut props = IndexMap::new();
        if rest.props(entry, 0, &mut props, &mut Vec::new()) {
            for p in props.values() {
                rest.direct_refs(*p, &mut refs, 0);
            }
        }
        rest.direct_refs(entry, &mut refs, 0);
        for target in refs {
            let users = rest.referenced_by.entry(target).or_default();
            if target_differs(name, users) {
                users.push((*name).clone());
            }
        }
    }

    let info = &spec.info;
    let title = if info.title.trim().is_empty() {
        "REST API reference".to_string()
    } else {
        info.title.trim().to_string()
    };
    let mut doc = Doc::new(format!("{title} {}", info.version).trim().to_string());
    doc.heading(1, None, vec![text(title)]);
    doc.para(vec![
        text("Version "),
        code(info.version.clone()),
        text(" · OpenAPI "),
        code(spec.openapi.clone()),
    ]);
    doc.prose(info.description.as_deref());
    if !spec.servers.is_empty() {
        doc.para(vec![text("Servers:")]);
        doc.list(
            spec.servers
                .iter()
                .map(|s| {
                    let mut item = vec![code(s.url.clone())];
                    if let Some(d) = s.description.as_deref().filter(|d| !d.trim().is_empty()) {
                        item.push(text(" — "));
                        item.push(Inline::Prose(d.trim().to_string()));
                    }
                    item
                })
                .collect(),
        );
    }

    rest.authentication(&mut doc);

    for g in &groups {
        doc.heading(2, Some(g.id.clone()), vec![text(g.name.clone())]);
        doc.prose(g.description);
        if g.ops.is_empty() {
            doc.para(vec![text("No operations.")]);
        }
        for e in &g.ops {
            rest.operation(&mut doc, e)?;
        }
    }

    rest.schemas(&mut doc, &schema_names);
    rest.error_section(&mut doc)?;
    Ok(doc)
}

// ---------------------------------------------------------------------------------------------
// GraphQL
// ---------------------------------------------------------------------------------------------

const BUILTIN_SCALARS: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];

struct GType {
    name: String,
    description: Option<String>,
    kind: gql::TypeKind,
}

fn kind_label(kind: &gql::TypeKind) -> (&'static str, &'static str) {
    match kind {
        gql::TypeKind::Scalar => ("scalar", "scalar"),
        gql::TypeKind::Object(_) => ("object", "object"),
        gql::TypeKind::Interface(_) => ("interface", "interface"),
        gql::TypeKind::Union(_) => ("union", "union"),
        gql::TypeKind::Enum(_) => ("enum", "enum"),
        gql::TypeKind::InputObject(_) => ("input", "input"),
    }
}

/// Merges an `extend` definition into the base type.
fn merge_kind(base: &mut gql::TypeKind, ext: gql::TypeKind) {
    match (base, ext) {
        (gql::TypeKind::Object(b), gql::TypeKind::Object(e)) => {
            b.implements.extend(e.implements);
            b.fields.extend(e.fields);
        }
        (gql::TypeKind::Interface(b), gql::TypeKind::Interface(e)) => {
            b.implements.extend(e.implements);
            b.fields.extend(e.fields);
        }
        (gql::TypeKind::Union(b), gql::TypeKind::Union(e)) => b.members.extend(e.members),
        (gql::TypeKind::Enum(b), gql::TypeKind::Enum(e)) => b.values.extend(e.values),
        (gql::TypeKind::InputObject(b), gql::TypeKind::InputObject(e)) => b.fields.extend(e.fields),
        _ => {}
    }
}

/// `Some(reason)` when a `@deprecated` directive is present.
fn deprecation(
    directives: &[async_graphql_parser::Positioned<gql::ConstDirective>],
) -> Option<String> {
    let d = directives
        .iter()
        .find(|d| d.node.name.node.as_str() == "deprecated")?;
    let reason = d
        .node
        .arguments
        .iter()
        .find(|(n, _)| n.node.as_str() == "reason")
        .map(|(_, v)| match &v.node {
            async_graphql_value::ConstValue::String(s) => s.clone(),
            other => other.to_string(),
        });
    Some(reason.unwrap_or_default())
}

fn deprecated_line(reason: Option<String>) -> Vec<Inline> {
    match reason {
        None => Vec::new(),
        Some(r) => {
            let mut v = vec![Inline::Badge("deprecated", "Deprecated".into())];
            if !r.trim().is_empty() {
                v.push(text(": "));
                v.push(Inline::Prose(r.trim().to_string()));
            }
            v
        }
    }
}

struct Gql {
    ids: HashMap<String, String>,
}

impl Gql {
    fn ty(&self, ty: &gql::Type, out: &mut Vec<Inline>) {
        match &ty.base {
            gql::BaseType::Named(n) => match self.ids.get(n.as_str()) {
                Some(id) => out.push(Inline::Link(id.clone(), vec![text(n.as_str())])),
                None => out.push(text(n.as_str())),
            },
            gql::BaseType::List(inner) => {
                out.push(text("["));
                self.ty(inner, out);
                out.push(text("]"));
            }
        }
        if !ty.nullable {
            out.push(text("!"));
        }
    }

    fn mono_ty(&self, ty: &gql::Type) -> Inline {
        let mut pieces = Vec::new();
        self.ty(ty, &mut pieces);
        mono(pieces)
    }

    fn input_rows(
        &self,
        values: &[async_graphql_parser::Positioned<gql::InputValueDefinition>],
    ) -> Vec<Vec<Vec<Inline>>> {
        values
            .iter()
            .map(|v| {
                let v = &v.node;
                let mut description = prose_cell(v.description.as_ref().map(|d| d.node.as_str()));
                append_line(
                    &mut description,
                    deprecated_line(deprecation(&v.directives)),
                );
                vec![
                    vec![code(v.name.node.as_str())],
                    vec![self.mono_ty(&v.ty.node)],
                    match &v.default_value {
                        Some(d) => vec![code(d.node.to_string())],
                        None => Vec::new(),
                    },
                    description,
                ]
            })
            .collect()
    }

    fn signature(
        &self,
        args: &[async_graphql_parser::Positioned<gql::InputValueDefinition>],
    ) -> Vec<Inline> {
        let parts = args
            .iter()
            .map(|a| {
                let a = &a.node;
                let mut pieces = vec![text(format!("{}: ", a.name.node.as_str()))];
                self.ty(&a.ty.node, &mut pieces);
                if let Some(d) = &a.default_value {
                    pieces.push(text(format!(" = {}", d.node)));
                }
                vec![mono(pieces)]
            })
            .collect();
        join(parts, Inline::Break)
    }
}

fn graphql_doc(sdl: &str) -> Result<Doc> {
    let parsed = async_graphql_parser::parse_schema(sdl)
        .map_err(|e| Error(format!("GraphQL schema does not parse: {e}")))?;

    let mut roots: [Option<String>; 3] = [None, None, None];
    let mut types: IndexMap<String, GType> = IndexMap::new();
    for def in parsed.definitions {
        match def {
            gql::TypeSystemDefinition::Schema(s) => {
                let s = s.node;
                for (slot, name) in roots.iter_mut().zip([s.query, s.mutation, s.subscription]) {
                    if let Some(n) = name {
                        *slot = Some(n.node.to_string());
                    }
                }
            }
            gql::TypeSystemDefinition::Type(t) => {
                let t = t.node;
                let name = t.name.node.to_string();
                let description = t.description.map(|d| d.node);
                match types.get_mut(&name) {
                    Some(existing) => {
                        if existing.description.is_none() {
                            existing.description = description;
                        }
                        merge_kind(&mut existing.kind, t.kind);
                    }
                    None => {
                        types.insert(
                            name.clone(),
                            GType {
                                name,
                                description,
                                kind: t.kind,
                            },
                        );
                    }
                }
            }
            gql::TypeSystemDefinition::Directive(_) => {}
        }
    }
    const ROOT_LABELS: [&str; 3] = ["Query", "Mutation", "Subscription"];
    for (slot, label) in roots.iter_mut().zip(ROOT_LABELS) {
        if slot.is_none() && types.contains_key(label) {
            *slot = Some(label.to_string());
        }
    }

    let mut anchors = Anchors::default();
    anchors.reserve(&[
        "top",
        "contents",
        "authentication",
        "errors",
        "query",
        "mutation",
        "subscription",
        "types",
    ]);
    let mut ids = HashMap::new();
    for (root, label) in roots.iter().zip(ROOT_LABELS) {
        if let Some(r) = root {
            ids.insert(r.clone(), label.to_lowercase());
        }
    }
    let is_root = |n: &str| roots.iter().flatten().any(|r| r == n);
    let mut others: Vec<&GType> = types.values().filter(|t| !is_root(&t.name)).collect();
    others.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.name.cmp(&b.name))
    });
    for t in &others {
        ids.insert(t.name.clone(), anchors.make("type", &t.name));
    }
    let g = Gql { ids };

    let mut doc = Doc::new("GraphQL API reference");
    doc.heading(1, None, vec![text("GraphQL API reference")]);
    doc.para(vec![text(
        "Generated from the GraphQL schema (SDL). The root operation types come first, then every \
         other type in alphabetical order.",
    )]);

    doc.heading(
        2,
        Some("authentication".into()),
        vec![text("Authentication")],
    );
    doc.para(vec![text(
        "GraphQL uses the same sessions as the REST API. When the server runs with a remote \
         provider every operation needs credentials; with the Local provider none are needed.",
    )]);
    doc.list(vec![
        vec![
            Inline::Strong(vec![text("HTTP")]),
            text(": the session cookie "),
            code("token"),
            text(", or the header "),
            code("Authorization: Bearer <token>"),
            text("."),
        ],
        vec![
            Inline::Strong(vec![text("WebSocket")]),
            text(" (subscriptions): the "),
            code("connection_init"),
            text(" payload, either "),
            code(r#"{"Authorization": "Bearer …"}"#),
            text(" or "),
            code(r#"{"token": "…"}"#),
            text("."),
        ],
    ]);
    doc.blocks.push(Block::Code {
        lang: "json",
        text: r#"{"type": "connection_init", "payload": {"Authorization": "Bearer <token>"}}"#
            .into(),
    });

    doc.heading(2, Some("errors".into()), vec![text("Errors")]);
    doc.para(vec![
        text("Every GraphQL error carries a Meshery error code in "),
        code("extensions.code"),
        text(
            ", taken from the same code table as the REST API (see the \"Error codes\" section of \
             the REST reference). The REST error body field ",
        ),
        code("code"),
        text(" and this extension always agree."),
    ]);
    let first_query_field =
        roots[0]
            .as_ref()
            .and_then(|q| types.get(q))
            .and_then(|t| match &t.kind {
                gql::TypeKind::Object(o) => o.fields.first().map(|f| f.node.name.node.to_string()),
                _ => None,
            });
    let path = first_query_field
        .map(|f| format!("\n      \"path\": [\"{f}\"],"))
        .unwrap_or_default();
    doc.blocks.push(Block::Code {
        lang: "json",
        text: format!(
            "{{\n  \"errors\": [\n    {{\n      \"message\": \"…\",{path}\n      \
             \"extensions\": {{ \"code\": \"meshery-server-…\" }}\n    }}\n  ]\n}}"
        ),
    });

    for (root, label) in roots.iter().zip(ROOT_LABELS) {
        let Some(root) = root else { continue };
        let Some(t) = types.get(root) else {
            return Err(Error(format!(
                "GraphQL schema: root {label} type `{root}` is not defined"
            )));
        };
        let section = label.to_lowercase();
        doc.heading(2, Some(section.clone()), vec![text(label)]);
        if root != label {
            doc.para(vec![text("Root type: "), code(root.as_str())]);
        }
        doc.prose(t.description.as_deref());
        let gql::TypeKind::Object(obj) = &t.kind else {
            return Err(Error(format!(
                "GraphQL schema: root {label} type `{root}` is not an object type"
            )));
        };
        if obj.fields.is_empty() {
            doc.para(vec![text("No fields.")]);
        }
        for f in &obj.fields {
            let f = &f.node;
            let name = f.name.node.as_str();
            let id = anchors.make(&section, name);
            doc.heading(3, Some(id), vec![code(name)]);
            doc.para(vec![text("Returns "), g.mono_ty(&f.ty.node)]);
            let dep = deprecated_line(deprecation(&f.directives));
            if !dep.is_empty() {
                doc.para(dep);
            }
            doc.prose(f.description.as_ref().map(|d| d.node.as_str()));
            if f.arguments.is_empty() {
                doc.para(vec![text("No arguments.")]);
            } else {
                doc.heading(4, None, vec![text("Arguments")]);
                doc.table(
                    vec!["Name", "Type", "Default", "Description"],
                    g.input_rows(&f.arguments),
                );
            }
        }
    }

    // Interface → implementing types, for "Implemented by".
    let mut implementors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in types.values() {
        let implements = match &t.kind {
            gql::TypeKind::Object(o) => &o.implements,
            gql::TypeKind::Interface(i) => &i.implements,
            _ => continue,
        };
        for i in implements {
            implementors
                .entry(i.node.to_string())
                .or_default()
                .push(t.name.clone());
        }
    }
    let type_links = |names: &[String]| -> Vec<Inline> {
        let parts = names
            .iter()
            .map(|n| {
                let mut pieces = Vec::new();
                match g.ids.get(n) {
                    Some(id) => pieces.push(Inline::Link(id.clone(), vec![text(n.clone())])),
                    None => pieces.push(text(n.clone())),
                }
                vec![mono(pieces)]
            })
            .collect();
        join(parts, text(", "))
    };

    doc.heading(2, Some("types".into()), vec![text("Types")]);
    if others.is_empty() {
        doc.para(vec![text("No other types are defined.")]);
    }
    for t in &others {
        let (class, label) = kind_label(&t.kind);
        doc.heading(
            3,
            g.ids.get(&t.name).cloned(),
            vec![
                code(t.name.clone()),
                text(" "),
                Inline::Badge(class, label.into()),
            ],
        );
        doc.prose(t.description.as_deref());
        match &t.kind {
            gql::TypeKind::Scalar => {
                if BUILTIN_SCALARS.contains(&t.name.as_str()) {
                    doc.para(vec![text("Built-in scalar.")]);
                } else {
                    doc.para(vec![text("Custom scalar.")]);
                }
            }
            gql::TypeKind::Object(gql::ObjectType { implements, fields })
            | gql::TypeKind::Interface(gql::InterfaceType { implements, fields }) => {
                if !implements.is_empty() {
                    let names: Vec<String> =
                        implements.iter().map(|i| i.node.to_string()).collect();
                    let mut line = vec![text("Implements ")];
                    line.extend(type_links(&names));
                    doc.para(line);
                }
                if let Some(impls) = implementors.get(&t.name) {
                    let mut line = vec![text("Implemented by ")];
                    line.extend(type_links(impls));
                    doc.para(line);
                }
                let with_args = fields.iter().any(|f| !f.node.arguments.is_empty());
                let rows = fields
                    .iter()
                    .map(|f| {
                        let f = &f.node;
                        let mut description =
                            prose_cell(f.description.as_ref().map(|d| d.node.as_str()));
                        append_line(
                            &mut description,
                            deprecated_line(deprecation(&f.directives)),
                        );
                        let mut row = vec![
                            vec![code(f.name.node.as_str())],
                            vec![g.mono_ty(&f.ty.node)],
                        ];
                        if with_args {
                            row.push(g.signature(&f.arguments));
                        }
                        row.push(description);
                        row
                    })
                    .collect();
                if fields.is_empty() {
                    doc.para(vec![text("No fields.")]);
                } else if with_args {
                    doc.table(vec!["Field", "Type", "Arguments", "Description"], rows);
                } else {
                    doc.table(vec!["Field", "Type", "Description"], rows);
                }
            }
            gql::TypeKind::Union(u) => {
                let names: Vec<String> = u.members.iter().map(|m| m.node.to_string()).collect();
                let mut line = vec![text("One of ")];
                line.extend(type_links(&names));
                doc.para(line);
            }
            gql::TypeKind::Enum(e) => {
                let rows = e
                    .values
                    .iter()
                    .map(|v| {
                        let v = &v.node;
                        let mut description =
                            prose_cell(v.description.as_ref().map(|d| d.node.as_str()));
                        append_line(
                            &mut description,
                            deprecated_line(deprecation(&v.directives)),
                        );
                        vec![vec![code(v.value.node.as_str())], description]
                    })
                    .collect();
                doc.table(vec!["Value", "Description"], rows);
            }
            gql::TypeKind::InputObject(i) => {
                if i.fields.is_empty() {
                    doc.para(vec![text("No fields.")]);
                } else {
                    doc.table(
                        vec!["Field", "Type", "Default", "Description"],
                        g.input_rows(&i.fields),
                    );
                }
            }
        }
    }
    Ok(doc)
}

// ---------------------------------------------------------------------------------------------
// Description text ("prose"): a small CommonMark subset
// ---------------------------------------------------------------------------------------------

enum Seg<'a> {
    Text(&'a str),
    /// A code span: the raw text with its backtick fences, and the content between them.
    Code {
        raw: &'a str,
        inner: &'a str,
    },
}

/// Splits text into plain runs and code spans (a backtick run closed by a run of equal length).
fn segments(s: &str) -> Vec<Seg<'_>> {
    let b = s.as_bytes();
    let run = |mut i: usize| {
        let start = i;
        while i < b.len() && b[i] == b'`' {
            i += 1;
        }
        i - start
    };
    let mut out = Vec::new();
    let (mut i, mut start) = (0, 0);
    while i < b.len() {
        if b[i] != b'`' {
            i += 1;
            continue;
        }
        let n = run(i);
        let mut k = i + n;
        let mut close = None;
        while k < b.len() {
            if b[k] == b'`' {
                let m = run(k);
                if m == n {
                    close = Some(k);
                    break;
                }
                k += m;
            } else {
                k += 1;
            }
        }
        match close {
            Some(k) => {
                if start < i {
                    out.push(Seg::Text(&s[start..i]));
                }
                out.push(Seg::Code {
                    raw: &s[i..k + n],
                    inner: &s[i + n..k],
                });
                i = k + n;
                start = i;
            }
            None => i += n,
        }
    }
    if start < b.len() {
        out.push(Seg::Text(&s[start..]));
    }
    out
}

/// `<https://…>` style autolink at the start of `s`: returns (url, length consumed).
fn autolink(s: &str) -> Option<(&str, usize)> {
    let rest = s.strip_prefix('<')?;
    let end = rest.find('>')?;
    let url = &rest[..end];
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && !url.contains(|c: char| c.is_whitespace() || c == '<');
    ok.then_some((url, end + 2))
}

/// Markdown: keeps the author's markup but neutralises raw HTML (`<` outside code spans and
/// autolinks becomes `&lt;`).
fn md_escape_prose(s: &str) -> String {
    let mut out = String::new();
    for seg in segments(s) {
        match seg {
            Seg::Code { raw, .. } => out.push_str(raw),
            Seg::Text(t) => {
                let mut i = 0;
                while i < t.len() {
                    let rest = &t[i..];
                    if let Some((_, len)) = autolink(rest) {
                        out.push_str(&rest[..len]);
                        i += len;
                    } else {
                        let c = rest.chars().next().unwrap_or(' ');
                        if c == '<' {
                            out.push_str("&lt;");
                        } else {
                            out.push(c);
                        }
                        i += c.len_utf8();
                    }
                }
            }
        }
    }
    out
}

fn is_fence(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("```") || t.starts_with("~~~")
}

fn list_item(line: &str) -> Option<&str> {
    let t = line.trim_start();
    t.strip_prefix("- ").or_else(|| t.strip_prefix("* "))
}

/// Block-level Markdown for a description: fenced code kept verbatim, the rest escaped.
fn md_prose_block(s: &str) -> String {
    let mut out = String::new();
    let mut buf = String::new();
    let mut in_fence = false;
    for line in s.lines() {
        if in_fence {
            out.push_str(line);
            out.push('\n');
            if is_fence(line) {
                in_fence = false;
            }
        } else if is_fence(line) {
            out.push_str(&md_escape_prose(&buf));
            buf.clear();
            out.push_str(line);
            out.push('\n');
            in_fence = true;
        } else {
            buf.push_str(line);
            buf.push('\n');
        }
    }
    out.push_str(&md_escape_prose(&buf));
    out.trim_end().to_string()
}

enum Part {
    Para(String),
    List(Vec<String>),
    Code(String),
}

/// Paragraphs, bullet lists and fenced code blocks of a description.
fn prose_parts(s: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut items: Vec<String> = Vec::new();
    let mut fence: Option<String> = None;
    let flush = |parts: &mut Vec<Part>, para: &mut Vec<&str>, items: &mut Vec<String>| {
        if !para.is_empty() {
            parts.push(Part::Para(para.join("\n")));
            para.clear();
        }
        if !items.is_empty() {
            parts.push(Part::List(std::mem::take(items)));
        }
    };
    for line in s.lines() {
        if let Some(f) = fence.as_mut() {
            if is_fence(line) {
                parts.push(Part::Code(std::mem::take(f)));
                fence = None;
            } else {
                f.push_str(line);
                f.push('\n');
            }
            continue;
        }
        if is_fence(line) {
            flush(&mut parts, &mut para, &mut items);
            fence = Some(String::new());
        } else if line.trim().is_empty() {
            flush(&mut parts, &mut para, &mut items);
        } else if let Some(item) = list_item(line) {
            if !para.is_empty() {
                parts.push(Part::Para(para.join("\n")));
                para.clear();
            }
            items.push(item.trim().to_string());
        } else if let (Some(last), true) = (items.last_mut(), line.starts_with(' ')) {
            last.push(' ');
            last.push_str(line.trim());
        } else {
            if !items.is_empty() {
                parts.push(Part::List(std::mem::take(&mut items)));
            }
            para.push(line.trim());
        }
    }
    if let Some(f) = fence {
        parts.push(Part::Code(f));
    }
    flush(&mut parts, &mut para, &mut items);
    parts
}

/// Inline Markdown (table cells, list items): paragraphs and list items joined with `<br>`.
fn md_prose_inline(s: &str) -> String {
    let rendered: Vec<String> = prose_parts(s)
        .into_iter()
        .map(|p| match p {
            Part::Para(t) => md_escape_prose(&t.replace('\n', " ")),
            Part::List(items) => items
                .iter()
                .map(|i| format!("• {}", md_escape_prose(i)))
                .collect::<Vec<_>>()
                .join("<br>"),
            Part::Code(c) => md_code_span(c.trim_end()),
        })
        .collect();
    rendered.join("<br><br>")
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn safe_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || lower.starts_with('#')
        || (lower.starts_with('/') && !lower.starts_with("//"))
}

/// HTML for a plain run of a description: `**strong**`, `[text](url)` and autolinks.
fn html_prose_text(t: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < t.len() {
        let rest = &t[i..];
        if let Some(inner) = rest.strip_prefix("**")
            && let Some(end) = inner.find("**").filter(|e| *e > 0)
        {
            out.push_str("<strong>");
            out.push_str(&html_prose_text(&inner[..end]));
            out.push_str("</strong>");
            i += end + 4;
            continue;
        }
        if let Some(inner) = rest.strip_prefix('[')
            && let Some(mid) = inner.find("](")
            && let Some(close) = inner[mid + 2..].find(')')
        {
            let label = &inner[..mid];
            let url = &inner[mid + 2..mid + 2 + close];
            if safe_url(url) && !label.contains('[') {
                out.push_str(&format!(
                    "<a href=\"{}\">{}</a>",
                    html_escape(url),
                    html_prose_text(label)
                ));
                i += 1 + mid + 2 + close + 1;
                continue;
            }
        }
        if let Some((url, len)) = autolink(rest) {
            let u = html_escape(url);
            out.push_str(&format!("<a href=\"{u}\">{u}</a>"));
            i += len;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push_str(&html_escape(c.encode_utf8(&mut [0; 4])));
        i += c.len_utf8();
    }
    out
}

fn html_code_inner(inner: &str) -> String {
    let inner = inner.replace('\n', " ");
    let trimmed = if inner.len() >= 2
        && inner.starts_with(' ')
        && inner.ends_with(' ')
        && !inner.trim().is_empty()
    {
        &inner[1..inner.len() - 1]
    } else {
        inner.as_str()
    };
    format!("<code>{}</code>", html_escape(trimmed))
}

fn html_prose_run(s: &str) -> String {
    segments(s)
        .into_iter()
        .map(|seg| match seg {
            Seg::Text(t) => html_prose_text(t),
            Seg::Code { inner, .. } => html_code_inner(inner),
        })
        .collect()
}

fn html_prose_block(s: &str) -> String {
    let mut out = String::new();
    for part in prose_parts(s) {
        match part {
            Part::Para(t) => {
                out.push_str(&format!("<p>{}</p>\n", html_prose_run(&t)));
            }
            Part::List(items) => {
                out.push_str("<ul>\n");
                for i in items {
                    out.push_str(&format!("<li>{}</li>\n", html_prose_run(&i)));
                }
                out.push_str("</ul>\n");
            }
            Part::Code(c) => {
                out.push_str(&format!("<pre><code>{}</code></pre>\n", html_escape(&c)));
            }
        }
    }
    out
}

fn html_prose_inline(s: &str) -> String {
    let rendered: Vec<String> = prose_parts(s)
        .into_iter()
        .map(|p| match p {
            Part::Para(t) => html_prose_run(&t),
            Part::List(items) => items
                .iter()
                .map(|i| format!("• {}", html_prose_run(i)))
                .collect::<Vec<_>>()
                .join("<br>"),
            Part::Code(c) => html_code_inner(c.trim_end()),
        })
        .collect();
    rendered.join("<br><br>")
}

// ---------------------------------------------------------------------------------------------
// Markdown rendering
// ---------------------------------------------------------------------------------------------

/// A code span whose fence is longer than any backtick run inside.
fn md_code_span(s: &str) -> String {
    let s = s.replace('\n', " ");
    let mut longest = 0;
    let mut cur = 0;
    for c in s.chars() {
        if c == '`' {
            cur += 1;
            longest = longest.max(cur);
        } else {
            cur = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Plain text of inline content (for code spans around links, and for tests).
fn plain(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text(s) | Inline::Code(s) | Inline::Prose(s) | Inline::Method(s) => {
                out.push_str(s)
            }
            Inline::Badge(_, s) => out.push_str(s),
            Inline::Link(_, inner) | Inline::Strong(inner) | Inline::Mono(inner) => {
                out.push_str(&plain(inner))
            }
            Inline::Anchor(_) => {}
            Inline::Break => out.push(' '),
        }
    }
    out
}

fn md_inlines(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text(s) => out.push_str(&md_text(s)),
            Inline::Code(s) => out.push_str(&md_code_span(s)),
            Inline::Prose(s) => out.push_str(&md_prose_inline(s)),
            Inline::Link(id, inner) => {
                out.push_str(&format!("[{}](#{id})", md_inlines(inner)));
            }
            Inline::Strong(inner) => out.push_str(&format!("**{}**", md_inlines(inner))),
            Inline::Mono(inner) => {
                for piece in inner {
                    match piece {
                        Inline::Link(id, label) => {
                            out.push_str(&format!("[{}](#{id})", md_code_span(&plain(label))))
                        }
                        other => out.push_str(&md_code_span(&plain(std::slice::from_ref(other)))),
                    }
                }
            }
            Inline::Method(m) => out.push_str(&md_text(m)),
            Inline::Badge(_, s) => out.push_str(&format!("*{}*", md_text(s))),
            Inline::Anchor(id) => out.push_str(&format!("<a id=\"{id}\"></a>")),
            Inline::Break => out.push_str("<br>"),
        }
    }
    out
}

fn md_cell(inlines: &[Inline]) -> String {
    md_inlines(inlines).replace('|', "\\|").replace('\n', " ")
}

/// Level-2 headings with their level-3 children: the table of contents.
/// A table-of-contents entry: anchor id and heading content.
type TocEntry<'d> = (&'d String, &'d Vec<Inline>);

fn toc(doc: &Doc) -> Vec<(TocEntry<'_>, Vec<TocEntry<'_>>)> {
    let mut groups: Vec<(TocEntry<'_>, Vec<TocEntry<'_>>)> = Vec::new();
    for b in &doc.blocks {
        if let Block::Heading {
            level,
            id: Some(id),
            content,
        } = b
        {
            match (level, groups.last_mut()) {
                (2, _) => groups.push(((id, content), Vec::new())),
                (3, Some(g)) => g.1.push((id, content)),
                _ => {}
            }
        }
    }
    groups
}

fn strip_links(inlines: &[Inline]) -> Vec<Inline> {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Link(_, inner) => Inline::Strong(strip_links(inner)),
            Inline::Mono(inner) => Inline::Mono(strip_links(inner)),
            Inline::Strong(inner) => Inline::Strong(strip_links(inner)),
            other => other.clone(),
        })
        .collect()
}

fn render_markdown(doc: &Doc) -> String {
    let mut out = String::new();
    let mut toc_done = false;
    for b in &doc.blocks {
        if let (false, Block::Heading { level: 2, .. }) = (toc_done, b) {
            toc_done = true;
            out.push_str("## Contents\n\n");
            for ((id, content), children) in toc(doc) {
                out.push_str(&format!(
                    "- [{}](#{id})\n",
                    md_inlines(&strip_links(content))
                ));
                for (cid, c) in children {
                    out.push_str(&format!("  - [{}](#{cid})\n", md_inlines(&strip_links(c))));
                }
            }
            out.push('\n');
        }
        match b {
            Block::Heading { level, id, content } => {
                out.push_str(&"#".repeat(usize::from(*level)));
                out.push(' ');
                if let Some(id) = id {
                    out.push_str(&format!("<a id=\"{id}\"></a>"));
                }
                out.push_str(&md_inlines(content));
                out.push_str("\n\n");
            }
            Block::Para(content) => {
                out.push_str(&md_inlines(content));
                out.push_str("\n\n");
            }
            Block::Prose(s) => {
                out.push_str(&md_prose_block(s));
                out.push_str("\n\n");
            }
            Block::Table { head, rows } => {
                out.push_str(&format!("| {} |\n", head.join(" | ")));
                out.push_str(&format!(
                    "|{}\n",
                    head.iter().map(|_| " --- |").collect::<String>()
                ));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            }
            Block::List(items) => {
                for item in items {
                    out.push_str(&format!("- {}\n", md_inlines(item)));
                }
                out.push('\n');
            }
            Block::Code { lang, text } => {
                let mut fence = "```".to_string();
                while text.contains(&fence) {
                    fence.push('`');
                }
                out.push_str(&format!("{fence}{lang}\n{}\n{fence}\n\n", text.trim_end()));
            }
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------------
// HTML rendering
// ---------------------------------------------------------------------------------------------

const CSS: &str = r#"
:root{--fg:#1f2328;--muted:#59636e;--bg:#fff;--side:#f6f8fa;--line:#d1d9e0;--accent:#0969da;--code:#eff1f3}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--side:#151b23;--line:#3d444d;--accent:#4493f8;--code:#262c36}}
*{box-sizing:border-box}
html{scroll-padding-top:12px}
body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
#sidebar{position:fixed;top:0;left:0;bottom:0;width:300px;overflow-y:auto;padding:18px 14px;background:var(--side);border-right:1px solid var(--line);font-size:13.5px}
#sidebar .brand{display:block;font-weight:650;font-size:16px;color:var(--fg);margin:0 4px 12px}
#filter{width:100%;padding:6px 9px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg);font:inherit;margin-bottom:10px}
.toc,.toc ul{list-style:none;margin:0;padding:0}
.toc ul{margin:2px 0 6px}
.toc a{display:block;padding:2px 6px;border-radius:5px;color:var(--fg);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.toc a:hover{background:var(--line);text-decoration:none}
.toc>li>a{font-weight:600;margin-top:8px}
.toc ul a{padding-left:14px}
.toc code{background:none;padding:0;font-size:12.5px}
.toc .method{min-width:52px;font-size:10px;padding:0 4px;margin-right:4px}
main{margin-left:300px;padding:28px 44px 96px;max-width:1180px}
h1{font-size:30px;margin:0 0 6px}
h2{font-size:23px;margin:44px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:17px;margin:0 0 10px}
h3 code{font-size:15px;font-weight:600}
h4{font-size:12.5px;margin:18px 0 6px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
h2 .anchor,h3 .anchor{margin-left:8px;color:var(--muted);visibility:hidden;font-weight:400}
h2:hover .anchor,h3:hover .anchor{visibility:visible}
section.s3{border:1px solid var(--line);border-radius:10px;padding:16px 20px 8px;margin:18px 0}
p{margin:8px 0}
ul{margin:8px 0;padding-left:22px}
code{font:13px/1.45 ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,monospace;background:var(--code);padding:1px 5px;border-radius:4px}
code a{font:inherit}
pre{background:var(--code);padding:12px 14px;border-radius:8px;overflow-x:auto}
pre code{padding:0;background:none}
.table{overflow-x:auto;margin:8px 0 14px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border:1px solid var(--line);padding:6px 10px;text-align:left;vertical-align:top}
th{background:var(--side);font-weight:600}
td code{white-space:nowrap}
.method{display:inline-block;min-width:66px;text-align:center;font:700 12px/1.7 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:0 6px;border-radius:5px;color:#fff;background:#6e7781;margin-right:8px;vertical-align:1px}
.method.get{background:#1a7f37}.method.post{background:#0969da}.method.put{background:#9a6700}.method.patch{background:#8250df}.method.delete{background:#cf222e}
.badge{display:inline-block;font-size:12px;line-height:1.6;padding:0 8px;border-radius:10px;border:1px solid var(--line);color:var(--muted);vertical-align:1px}
.badge.public{color:#1a7f37;border-color:#1a7f37}
.badge.secured,.badge.optional{color:#9a6700;border-color:#9a6700}
.badge.deprecated{color:#cf222e;border-color:#cf222e}
@media (max-width:860px){#sidebar{position:static;width:auto;border-right:0;border-bottom:1px solid var(--line);max-height:50vh}main{margin-left:0;padding:18px}}
@media print{#sidebar{display:none}main{margin:0}}
"#;

const SCRIPT: &str = r#"
(function () {
  var box = document.getElementById('filter');
  box.addEventListener('input', function () {
    var q = box.value.trim().toLowerCase();
    document.querySelectorAll('#sidebar .toc > li').forEach(function (group) {
      var own = group.firstElementChild.textContent.toLowerCase().indexOf(q) >= 0;
      var any = false;
      group.querySelectorAll('li').forEach(function (item) {
        var hit = !q || own || item.textContent.toLowerCase().indexOf(q) >= 0;
        item.hidden = !hit;
        any = any || hit;
      });
      group.hidden = !(own || any);
    });
  });
})();
"#;

fn html_inlines(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text(s) => out.push_str(&html_escape(s)),
            Inline::Code(s) => out.push_str(&format!("<code>{}</code>", html_escape(s))),
            Inline::Prose(s) => out.push_str(&html_prose_inline(s)),
            Inline::Link(id, inner) => {
                out.push_str(&format!("<a href=\"#{id}\">{}</a>", html_inlines(inner)))
            }
            Inline::Strong(inner) => {
                out.push_str(&format!("<strong>{}</strong>", html_inlines(inner)))
            }
            Inline::Mono(inner) => out.push_str(&format!(
                "<code class=\"type\">{}</code>",
                html_inlines(inner)
            )),
            Inline::Method(m) => out.push_str(&format!(
                "<span class=\"method {}\">{}</span>",
                html_escape(&m.to_lowercase()),
                html_escape(m)
            )),
            Inline::Badge(class, s) => out.push_str(&format!(
                "<span class=\"badge {class}\">{}</span>",
                html_escape(s)
            )),
            Inline::Anchor(id) => out.push_str(&format!("<span id=\"{id}\"></span>")),
            Inline::Break => out.push_str("<br>"),
        }
    }
    out
}

fn render_html(doc: &Doc) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", html_escape(&doc.title)));
    out.push_str(&format!("<style>{CSS}</style>\n</head>\n<body>\n"));

    out.push_str("<nav id=\"sidebar\" aria-label=\"Contents\">\n");
    out.push_str(&format!(
        "<a class=\"brand\" href=\"#top\">{}</a>\n",
        html_escape(&doc.title)
    ));
    out.push_str(
        "<input id=\"filter\" type=\"search\" placeholder=\"Filter…\" aria-label=\"Filter the \
         contents\" autocomplete=\"off\">\n",
    );
    out.push_str("<ul class=\"toc\">\n");
    for ((id, content), children) in toc(doc) {
        out.push_str(&format!(
            "<li><a href=\"#{id}\" title=\"{}\">{}</a>",
            html_escape(&plain(content)),
            html_inlines(&strip_links(content))
        ));
        if !children.is_empty() {
            out.push_str("\n<ul>\n");
            for (cid, c) in children {
                out.push_str(&format!(
                    "<li><a href=\"#{cid}\" title=\"{}\">{}</a></li>\n",
                    html_escape(&plain(c)),
                    html_inlines(&strip_links(c))
                ));
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n</nav>\n<main id=\"top\">\n");

    let mut open: Vec<u8> = Vec::new();
    for b in &doc.blocks {
        match b {
            Block::Heading { level, id, content } => {
                if matches!(level, 2 | 3) {
                    while open.last().is_some_and(|l| l >= level) {
                        open.pop();
                        out.push_str("</section>\n");
                    }
                    open.push(*level);
                    out.push_str(&format!("<section class=\"s{level}\">\n"));
                }
                let id_attr = id
                    .as_ref()
                    .map(|id| format!(" id=\"{id}\""))
                    .unwrap_or_default();
                let anchor = match id {
                    Some(id) if *level > 1 => format!(
                        "<a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this \
                         section\">#</a>"
                    ),
                    _ => String::new(),
                };
                out.push_str(&format!(
                    "<h{level}{id_attr}>{}{anchor}</h{level}>\n",
                    html_inlines(content)
                ));
            }
            Block::Para(content) => {
                out.push_str(&format!("<p>{}</p>\n", html_inlines(content)));
            }
            Block::Prose(s) => out.push_str(&html_prose_block(s)),
            Block::Table { head, rows } => {
                out.push_str("<div class=\"table\"><table>\n<thead><tr>");
                for h in head {
                    out.push_str(&format!("<th>{}</th>", html_escape(h)));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        out.push_str(&format!("<td>{}</td>", html_inlines(cell)));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table></div>\n");
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str(&format!("<li>{}</li>\n", html_inlines(item)));
                }
                out.push_str("</ul>\n");
            }
            Block::Code { lang, text } => {
                out.push_str(&format!(
                    "<pre><code class=\"language-{lang}\">{}</code></pre>\n",
                    html_escape(text.trim_end())
                ));
            }
        }
    }
    for _ in open {
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n");
    out.push_str(&format!("<script>{SCRIPT}</script>\n</body>\n</html>\n"));
    out
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> OpenAPI {
        serde_yaml::from_str(yaml).expect("test spec parses")
    }

    const BASE: &str = r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths: {}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer, bearerFormat: JWT}
    cookieAuth: {type: apiKey, in: cookie, name: token}
  schemas:
    Event:
      type: object
      required: [id]
      properties:
        id: {type: string, format: uuid}
        kind: {type: string, enum: [a, b]}
    Holder:
      type: object
      properties:
        events: {type: array, items: {$ref: "#/components/schemas/Event"}}
        labels: {type: object, additionalProperties: {type: string}}
        byId: {type: object, additionalProperties: {$ref: "#/components/schemas/Event"}}
        matrix: {type: array, items: {type: array, items: {type: integer, format: int64}}}
        nested: {type: object, properties: {inner: {type: boolean}}}
"##;

    fn with_rest<R>(s: &OpenAPI, f: impl FnOnce(&Rest<'_>) -> R) -> R {
        let comps = s.components.as_ref().unwrap();
        let mut anchors = Anchors::default();
        let rest = Rest {
            spec: s,
            comps,
            schema_ids: comps
                .schemas
                .keys()
                .map(|k| (k.clone(), anchors.make("schema", k)))
                .collect(),
            scheme_ids: comps
                .security_schemes
                .keys()
                .map(|k| (k.clone(), anchors.make("auth", k)))
                .collect(),
            used_by: HashMap::new(),
            referenced_by: HashMap::new(),
        };
        f(&rest)
    }

    fn prop<'a>(s: &'a OpenAPI, schema: &str, name: &str) -> SRef<'a> {
        let ReferenceOr::Item(sc) = &s.components.as_ref().unwrap().schemas[schema] else {
            panic!("not an item")
        };
        let SchemaKind::Type(Type::Object(o)) = &sc.schema_kind else {
            panic!("not an object")
        };
        (&o.properties[name]).into()
    }

    #[test]
    fn type_rendering() {
        let s = spec(BASE);
        with_rest(&s, |r| {
            let ty = |schema: &str, p: &str| plain(&r.ty(prop(&s, schema, p)));
            assert_eq!(ty("Holder", "events"), "array<Event>");
            assert_eq!(ty("Holder", "labels"), "map<string, string>");
            assert_eq!(ty("Holder", "byId"), "map<string, Event>");
            assert_eq!(ty("Holder", "matrix"), "array<array<integer(int64)>>");
            assert_eq!(ty("Holder", "nested"), "object");
            assert_eq!(ty("Event", "id"), "string(uuid)");
            assert_eq!(ty("Event", "kind"), "string");

            // References link to the schema's anchor, also inside arrays.
            let events = r.ty(prop(&s, "Holder", "events"));
            assert!(events.contains(&Inline::Link("schema-Event".into(), vec![text("Event")])));
            let md = md_inlines(&[mono(events)]);
            assert_eq!(md, "`array<`[`Event`](#schema-Event)`>`");
            let html = html_inlines(&[mono(r.ty(prop(&s, "Holder", "events")))]);
            assert_eq!(
                html,
                "<code class=\"type\">array&lt;<a href=\"#schema-Event\">Event</a>&gt;</code>"
            );

            // Enum values are listed as constraints.
            let cons = r.constraints(prop(&s, "Event", "kind"));
            assert_eq!(plain(&cons[0]), "one of: a, b");

            // Nested inline objects are flattened into dotted field rows.
            let mut fields = Vec::new();
            assert!(r.field_rows(SRef::Ref("#/components/schemas/Holder"), "", 0, &mut fields));
            let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(
                names,
                [
                    "events",
                    "labels",
                    "byId",
                    "matrix",
                    "nested",
                    "nested.inner"
                ]
            );
            let mut fields = Vec::new();
            r.field_rows(SRef::Ref("#/components/schemas/Event"), "", 0, &mut fields);
            assert!(fields[0].required && !fields[1].required);
        });
    }

    #[test]
    fn graphql_type_rendering() {
        let md = graphql_markdown(
            "type Query { events(first: Int = 10): [Event!]! }\n\
             \"An event.\" type Event { id: ID! }",
        )
        .unwrap();
        assert!(
            md.contains("Returns `[`[`Event`](#type-Event)`!]!`"),
            "{md}"
        );
        assert!(md.contains("| `first` | `Int` | `10` |  |"), "{md}");
        assert!(
            md.contains("### <a id=\"type-Event\"></a>`Event` *object*"),
            "{md}"
        );
        assert!(graphql_markdown("type Query {").is_err());
    }

    #[test]
    fn escaping() {
        let s = spec(
            r##"
openapi: 3.0.3
info: {title: "A <b>", version: "1"}
paths:
  /x:
    get:
      operationId: getX
      security: []
      parameters:
        - name: q
          in: query
          description: "a | b <script>alert(1)</script> `x|y`"
          schema: {type: string, pattern: "^(a|b)$"}
      responses:
        "200": {description: "ok | fine"}
"##,
        );
        let md = rest_markdown(&s).unwrap();
        assert!(md.contains("# A &lt;b&gt;"), "{md}");
        assert!(
            md.contains(r"| a \| b &lt;script>alert(1)&lt;/script> `x\|y` | pattern: `^(a\|b)$` |"),
            "{md}"
        );
        assert!(md.contains(r"| `200` | ok \| fine |"), "{md}");
        assert!(!md.contains("<script>"));

        let html = rest_html(&s).unwrap();
        assert!(html.contains("<title>A &lt;b&gt; 1</title>"));
        assert!(html.contains("a | b &lt;script&gt;alert(1)&lt;/script&gt; <code>x|y</code>"));
        assert!(!html.contains("<script>alert"));
        assert_eq!(
            html.matches("<script>").count(),
            1,
            "only the filter script"
        );

        assert_eq!(md_text("a_b*[c]`<&"), r"a\_b\*\[c\]\`&lt;&amp;");
        assert_eq!(md_code_span("a`b"), "``a`b``");
        assert_eq!(
            md_escape_prose("<https://x.io> <b>"),
            "<https://x.io> &lt;b>"
        );
        assert_eq!(
            html_prose_text("[x](javascript:alert(1)) [y](https://y.io)"),
            "[x](javascript:alert(1)) <a href=\"https://y.io\">y</a>"
        );
    }

    #[test]
    fn public_and_secured_operations() {
        let s = spec(
            r##"
openapi: 3.0.3
info: {title: T, version: "1"}
security: [{bearerAuth: []}, {cookieAuth: []}]
paths:
  /open:
    get:
      operationId: open
      security: []
      responses: {"200": {description: ok}}
  /closed:
    get:
      operationId: closed
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer, bearerFormat: JWT}
    cookieAuth: {type: apiKey, in: cookie, name: token}
"##,
        );
        with_rest(&s, |r| {
            let open = plain(&r.auth_requirement(Some(&vec![])));
            assert!(open.starts_with("Public"), "{open}");
            let closed = plain(&r.auth_requirement(None));
            assert!(
                closed.starts_with("Requires credentials: bearerAuth or cookieAuth"),
                "{closed}"
            );
            assert!(closed.contains("Local provider needs none"));
        });
        let md = rest_markdown(&s).unwrap();
        let section = |id: &str| {
            let start = md.find(&format!("<a id=\"{id}\"></a>")).unwrap();
            let rest = &md[start..];
            rest[..rest[1..].find("\n### ").map_or(rest.len(), |e| e + 1)].to_string()
        };
        assert!(section("op-open").contains("Authentication: *Public*"));
        assert!(section("op-closed").contains(
            "Authentication: *Requires credentials*: [`bearerAuth`](#auth-bearerAuth) or \
             [`cookieAuth`](#auth-cookieAuth)"
        ));
        assert!(md.contains(
            "| <a id=\"auth-cookieAuth\"></a>`cookieAuth` | API key in a cookie | cookie `token` |"
        ));
        assert!(md.contains("HTTP bearer (JWT)"));
    }

    #[test]
    fn error_code_table() {
        let missing = rest_markdown(&spec(BASE)).unwrap();
        assert!(missing.contains(
            "No error codes are defined: the contract has no `x-error-codes` extension."
        ));

        let mut s = spec(BASE);
        s.extensions.insert(
            "x-error-codes".into(),
            serde_json::json!([
                {"code": "meshery-server-1001", "status": 400, "title": "Bad | input",
                 "description": "The body is not valid.", "remediation": "Fix the body."},
                {"code": "meshery-server-1002", "status": 401, "title": "No session"}
            ]),
        );
        let md = rest_markdown(&s).unwrap();
        assert!(md.contains("| Code | HTTP status | Title | Description | Remediation |"));
        assert!(md.contains(
            "| <a id=\"error-meshery-server-1001\"></a>`meshery-server-1001` | 400 | Bad \\| input \
             | The body is not valid. | Fix the body. |"
        ), "{md}");
        assert!(md.contains("| <a id=\"error-meshery-server-1002\"></a>`meshery-server-1002` | 401 | No session |  |  |"));
        assert!(md.contains("`extensions.code`"));

        s.extensions
            .insert("x-error-codes".into(), serde_json::json!([]));
        assert!(
            rest_markdown(&s)
                .unwrap()
                .contains("No error codes are defined.")
        );

        s.extensions
            .insert("x-error-codes".into(), serde_json::json!({"code": 1}));
        assert!(rest_markdown(&s).unwrap_err().0.contains("x-error-codes"));
        s.extensions
            .insert("x-error-codes".into(), serde_json::json!([{"status": 400}]));
        assert!(
            rest_markdown(&s)
                .unwrap_err()
                .0
                .contains("x-error-codes[0]")
        );
    }

    #[test]
    fn unresolved_parameter_names_the_operation() {
        let s = spec(
            r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /x:
    post:
      parameters: [{$ref: "#/components/parameters/Nope"}]
      responses: {"200": {description: ok}}
"##,
        );
        let err = rest_markdown(&s).unwrap_err().0;
        assert!(err.contains("POST /x") && err.contains("Nope"), "{err}");
    }

    #[test]
    fn anchors_are_unique_and_safe() {
        let mut a = Anchors::default();
        assert_eq!(a.make("op", "get /api/x/{id}"), "op-get-api-x-id");
        assert_eq!(a.make("op", "get /api/x/{id}"), "op-get-api-x-id-2");
        assert_eq!(a.make("schema", "<\">"), "schema-x");
    }
}
