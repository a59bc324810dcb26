//! Joins the multi-file OpenAPI contract into one document.
//!
//! The contract is split by tag (`openapi/paths/<tag>.yaml`) with shared schemas in their own
//! file, joined by `$ref`. Generators and the served `/api/openapi.json` want one document, so
//! this module resolves every external reference: a reference to a schema that the root
//! document lists under `components.schemas` becomes `#/components/schemas/<Name>`, and any
//! other external reference is inlined. Only relative file references are supported; a
//! reference that escapes the contract's folder or points at a URL is an error.

use crate::{Error, Result};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The bundled document and every file it was read from (for `cargo:rerun-if-changed`).
pub struct Bundle {
    pub document: Value,
    pub files: Vec<PathBuf>,
}

impl Bundle {
    /// The bundled document as an `openapiv3` model.
    pub fn openapi(&self) -> Result<openapiv3::OpenAPI> {
        serde_json::from_value(self.document.clone()).map_err(|e| {
            Error(format!(
                "openapi: the bundled document is not OpenAPI 3.0: {e}"
            ))
        })
    }
}

struct Loader {
    base: PathBuf,
    root: PathBuf,
    files: BTreeMap<PathBuf, Value>,
    /// (file, pointer) → component schema name.
    components: BTreeMap<(PathBuf, String), String>,
}

/// Reads `root` and every file it references, and returns one self-contained document.
pub fn load(root: &Path) -> Result<Bundle> {
    let root = root
        .canonicalize()
        .map_err(|e| Error(format!("openapi: cannot read {}: {e}", root.display())))?;
    let base = root.parent().unwrap_or(Path::new("/")).to_path_buf();
    let mut loader = Loader {
        base,
        root: root.clone(),
        files: BTreeMap::new(),
        components: BTreeMap::new(),
    };
    let mut doc = loader.file(&root)?.clone();

    // Component schemas that live in other files keep their names.
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            if let Some(r) = schema.get("$ref").and_then(Value::as_str)
                && !r.starts_with('#')
            {
                let key = loader.target(&root, r)?;
                loader.components.insert(key, name.clone());
            }
        }
    }
    let mut out = Map::new();
    for (key, value) in doc.as_object_mut().into_iter().flatten() {
        let resolved = if key == "components" {
            let mut comps = value.clone();
            if let Some(schemas) = comps.get_mut("schemas").and_then(Value::as_object_mut) {
                for (name, schema) in schemas.iter_mut() {
                    *schema = loader.component(&root, name, schema)?;
                }
            }
            loader.walk(&root, &comps, &mut BTreeSet::new())?
        } else {
            loader.walk(&root, value, &mut BTreeSet::new())?
        };
        out.insert(key.clone(), resolved);
    }
    Ok(Bundle {
        document: Value::Object(out),
        files: loader.files.keys().cloned().collect(),
    })
}

impl Loader {
    fn file(&mut self, path: &Path) -> Result<&Value> {
        if !self.files.contains_key(path) {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error(format!("openapi: cannot read {}: {e}", path.display())))?;
            let value: Value = serde_yaml::from_str(&text).map_err(|e| {
                Error(format!(
                    "openapi: {} is not valid YAML: {e}",
                    path.display()
                ))
            })?;
            self.files.insert(path.to_path_buf(), value);
        }
        Ok(&self.files[path])
    }

    /// Splits `file#/pointer` relative to `from` into a canonical (file, pointer) pair.
    fn target(&self, from: &Path, reference: &str) -> Result<(PathBuf, String)> {
        let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        if file.contains("://") {
            return Err(Error(format!(
                "openapi: remote reference `{reference}` is not supported"
            )));
        }
        let path = if file.is_empty() {
            from.to_path_buf()
        } else {
            let dir = from.parent().unwrap_or(Path::new("/"));
            dir.join(file)
                .canonicalize()
                .map_err(|e| Error(format!("openapi: `{reference}` in {}: {e}", from.display())))?
        };
        if !path.starts_with(&self.base) {
            return Err(Error(format!(
                "openapi: `{reference}` in {} leaves the contract folder",
                from.display()
            )));
        }
        Ok((path, pointer.to_string()))
    }

    /// A root `components.schemas` entry: the referenced schema itself, resolved.
    fn component(&mut self, root: &Path, name: &str, schema: &Value) -> Result<Value> {
        let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
            return Ok(schema.clone());
        };
        if r.starts_with('#') {
            return Ok(schema.clone());
        }
        let (file, pointer) = self.target(root, r)?;
        let value = self.lookup(&file, &pointer, r)?;
        let mut seen = BTreeSet::new();
        seen.insert(name.to_string());
        self.walk(&file, &value, &mut seen)
    }

    fn lookup(&mut self, file: &Path, pointer: &str, reference: &str) -> Result<Value> {
        let doc = self.file(file)?;
        doc.pointer(pointer)
            .cloned()
            .ok_or_else(|| Error(format!("openapi: `{reference}` points at nothing")))
    }

    /// Resolves references inside `value`, which was read from `file`.
    fn walk(
        &mut self,
        file: &Path,
        value: &Value,
        inlining: &mut BTreeSet<String>,
    ) -> Result<Value> {
        match value {
            Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                    let root_local = r.starts_with("#/") && file == self.root_file();
                    if root_local {
                        return Ok(value.clone());
                    }
                    let key = self.target(file, r)?;
                    if let Some(name) = self.components.get(&key) {
                        return Ok(
                            serde_json::json!({ "$ref": format!("#/components/schemas/{name}") }),
                        );
                    }
                    let id = format!("{}#{}", key.0.display(), key.1);
                    if !inlining.insert(id.clone()) {
                        return Err(Error(format!(
                            "openapi: `{r}` is recursive; list the schema under components.schemas"
                        )));
                    }
                    let target = self.lookup(&key.0, &key.1, r)?;
                    let resolved = self.walk(&key.0.clone(), &target, inlining)?;
                    inlining.remove(&id);
                    return Ok(resolved);
                }
                let mut out = Map::new();
                for (k, v) in map {
                    out.insert(k.clone(), self.walk(file, v, inlining)?);
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => items
                .iter()
                .map(|v| self.walk(file, v, inlining))
                .collect::<Result<Vec<_>>>()
                .map(Value::Array),
            other => Ok(other.clone()),
        }
    }

    fn root_file(&self) -> &Path {
        &self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn temp() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "bundle-test-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn references_outside_the_contract_folder_are_refused() {
        let d = temp();
        write(
            &d,
            "api/root.yaml",
            "paths:\n  /x:\n    $ref: ../outside.yaml#/x\n",
        );
        write(&d, "outside.yaml", "x: {}\n");
        let err = load(&d.join("api/root.yaml")).err().unwrap();
        assert!(err.0.contains("leaves the contract folder"), "{err}");
    }

    #[test]
    fn remote_and_dangling_references_are_errors() {
        let d = temp();
        write(
            &d,
            "root.yaml",
            "paths:\n  /x:\n    $ref: 'https://example.com/a.yaml#/x'\n",
        );
        assert!(
            load(&d.join("root.yaml"))
                .err()
                .unwrap()
                .0
                .contains("remote reference")
        );
        write(
            &d,
            "root.yaml",
            "paths:\n  /x:\n    $ref: 'p.yaml#/missing'\n",
        );
        write(&d, "p.yaml", "x: {}\n");
        assert!(
            load(&d.join("root.yaml"))
                .err()
                .unwrap()
                .0
                .contains("points at nothing")
        );
    }

    #[test]
    fn recursive_inline_references_are_errors() {
        let d = temp();
        write(&d, "root.yaml", "paths:\n  /x:\n    $ref: 'p.yaml#/a'\n");
        write(&d, "p.yaml", "a:\n  b:\n    $ref: '#/a'\n");
        assert!(
            load(&d.join("root.yaml"))
                .err()
                .unwrap()
                .0
                .contains("recursive")
        );
    }
}
