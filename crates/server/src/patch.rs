//! JSON Merge Patch (RFC 7396) and JSON Patch (RFC 6902, with RFC 6901 pointers) applied to a
//! JSON document.
//!
//! Pure and total: every failure is a [`PatchError`] naming the operation and pointer at fault,
//! nothing panics, and a failed JSON Patch leaves the caller's document untouched (operations
//! run on a copy). What a patch may change, and turning the result back into an order, is the
//! product order API's business (`api::product_order`).

use orderdesk_tmf::common::{JsonPatchOperation, PatchOp};
use serde_json::{Map, Value};

/// Why a patch could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    #[error("operation {index} (`{op}` at `{path}`): {reason}")]
    Operation {
        index: usize,
        op: &'static str,
        path: String,
        reason: String,
    },
    #[error("`test` operation {index} failed: the value at `{path}` differs")]
    TestFailed { index: usize, path: String },
}

impl PatchError {
    /// The RFC 6901 pointer the failure is about.
    pub fn pointer(&self) -> &str {
        match self {
            Self::Operation { path, .. } | Self::TestFailed { path, .. } => path,
        }
    }
}

/// RFC 7396: `patch` merged into `target`. A `null` member removes, an object merges
/// recursively, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(key);
            } else {
                merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// RFC 6902: applies `ops` in order, all or nothing.
pub fn json_patch(target: &Value, ops: &[JsonPatchOperation]) -> Result<Value, PatchError> {
    let mut doc = target.clone();
    for (index, op) in ops.iter().enumerate() {
        apply_one(&mut doc, index, op)?;
    }
    Ok(doc)
}

fn op_name(op: PatchOp) -> &'static str {
    match op {
        PatchOp::Add => "add",
        PatchOp::Remove => "remove",
        PatchOp::Replace => "replace",
        PatchOp::Move => "move",
        PatchOp::Copy => "copy",
        PatchOp::Test => "test",
    }
}

fn apply_one(doc: &mut Value, index: usize, op: &JsonPatchOperation) -> Result<(), PatchError> {
    let fail = |reason: String| PatchError::Operation {
        index,
        op: op_name(op.op),
        path: op.path.clone(),
        reason,
    };
    let path = parse_pointer(&op.path).map_err(&fail)?;
    let value = || {
        op.value
            .clone()
            .ok_or_else(|| fail("`value` is required".to_owned()))
    };
    let from = || -> Result<Vec<String>, PatchError> {
        let from = op
            .from
            .as_deref()
            .ok_or_else(|| fail("`from` is required".to_owned()))?;
        parse_pointer(from).map_err(&fail)
    };
    match op.op {
        PatchOp::Add => add(doc, &path, value()?).map_err(fail),
        PatchOp::Remove => remove(doc, &path).map(drop).map_err(fail),
        PatchOp::Replace => {
            let slot = lookup_mut(doc, &path).map_err(&fail)?;
            *slot = value()?;
            Ok(())
        }
        PatchOp::Move => {
            let from = from()?;
            if path.len() > from.len() && path[..from.len()] == from[..] {
                return Err(fail(
                    "cannot move a value into one of its children".to_owned(),
                ));
            }
            let moved = remove(doc, &from).map_err(&fail)?;
            add(doc, &path, moved).map_err(fail)
        }
        PatchOp::Copy => {
            let copied = lookup(doc, &from()?).map_err(&fail)?.clone();
            add(doc, &path, copied).map_err(fail)
        }
        PatchOp::Test => {
            let found = lookup(doc, &path).map_err(&fail)?;
            if *found == value()? {
                Ok(())
            } else {
                Err(PatchError::TestFailed {
                    index,
                    path: op.path.clone(),
                })
            }
        }
    }
}

/// RFC 6901: `""` is the whole document; `/a/0/b~1c` is `["a", "0", "b/c"]`.
fn parse_pointer(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(format!(
            "`{pointer}` is not a JSON pointer (it must start with `/`)"
        ));
    };
    rest.split('/')
        .map(|token| {
            let mut out = String::with_capacity(token.len());
            let mut chars = token.chars();
            while let Some(c) = chars.next() {
                if c != '~' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('0') => out.push('~'),
                    Some('1') => out.push('/'),
                    _ => return Err(format!("`{token}` has a `~` not followed by 0 or 1")),
                }
            }
            Ok(out)
        })
        .collect()
}

/// An array index token: digits only, no leading zero (RFC 6901 §4).
fn array_index(token: &str, len: usize, allow_end: bool) -> Result<usize, String> {
    if token == "-" && allow_end {
        return Ok(len);
    }
    let valid = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    let index: usize = if valid {
        token
            .parse()
            .map_err(|_| format!("array index `{token}` is too large"))?
    } else {
        return Err(format!("`{token}` is not an array index"));
    };
    let bound = if allow_end {
        len
    } else {
        len.saturating_sub(1)
    };
    if index > bound || (!allow_end && len == 0) {
        return Err(format!(
            "array index {index} is out of bounds (length {len})"
        ));
    }
    Ok(index)
}

fn lookup<'v>(doc: &'v Value, path: &[String]) -> Result<&'v Value, String> {
    let mut at = doc;
    for token in path {
        at = match at {
            Value::Object(map) => map
                .get(token)
                .ok_or_else(|| format!("no member `{token}`"))?,
            Value::Array(items) => &items[array_index(token, items.len(), false)?],
            _ => {
                return Err(format!(
                    "`{token}` is below a value that is not a container"
                ))
            }
        };
    }
    Ok(at)
}

fn lookup_mut<'v>(doc: &'v mut Value, path: &[String]) -> Result<&'v mut Value, String> {
    let mut at = doc;
    for token in path {
        at = match at {
            Value::Object(map) => map
                .get_mut(token)
                .ok_or_else(|| format!("no member `{token}`"))?,
            Value::Array(items) => {
                let i = array_index(token, items.len(), false)?;
                &mut items[i]
            }
            _ => {
                return Err(format!(
                    "`{token}` is below a value that is not a container"
                ))
            }
        };
    }
    Ok(at)
}

fn add(doc: &mut Value, path: &[String], value: Value) -> Result<(), String> {
    let Some((last, parent)) = path.split_last() else {
        *doc = value;
        return Ok(());
    };
    match lookup_mut(doc, parent)? {
        Value::Object(map) => {
            map.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(items) => {
            let i = array_index(last, items.len(), true)?;
            items.insert(i, value);
            Ok(())
        }
        _ => Err("the parent of the target is not a container".to_owned()),
    }
}

fn remove(doc: &mut Value, path: &[String]) -> Result<Value, String> {
    let Some((last, parent)) = path.split_last() else {
        return Err("the whole document cannot be removed".to_owned());
    };
    match lookup_mut(doc, parent)? {
        Value::Object(map) => map
            .remove(last)
            .ok_or_else(|| format!("no member `{last}`")),
        Value::Array(items) => {
            let i = array_index(last, items.len(), false)?;
            Ok(items.remove(i))
        }
        _ => Err("the parent of the target is not a container".to_owned()),
    }
}

/// A JSON pointer as the dotted path the error bodies use (`/productOrderItem/0/state` →
/// `productOrderItem[0].state`).
pub fn pointer_to_path(pointer: &str) -> String {
    let Ok(tokens) = parse_pointer(pointer) else {
        return pointer.to_owned();
    };
    let mut out = String::new();
    for token in tokens {
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(v: Value) -> Vec<JsonPatchOperation> {
        orderdesk_tmf::from_value(v).unwrap()
    }

    /// The examples of RFC 7396 appendix A.
    #[test]
    fn merge_patch_follows_rfc_7396() {
        let cases = [
            (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
            (json!({"a":"b"}), json!({"a":null}), json!({})),
            (
                json!({"a":"b","b":"c"}),
                json!({"a":null}),
                json!({"b":"c"}),
            ),
            (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
            (
                json!({"a":{"b":"c"}}),
                json!({"a":{"b":"d","c":null}}),
                json!({"a":{"b":"d"}}),
            ),
            (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a":"b"}), json!(["c"]), json!(["c"])),
            (json!({"a":"foo"}), json!(null), json!(null)),
            (json!({"a":"foo"}), json!("bar"), json!("bar")),
            (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
            (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
            (
                json!({}),
                json!({"a":{"bb":{"ccc":null}}}),
                json!({"a":{"bb":{}}}),
            ),
        ];
        for (target, patch, expected) in cases {
            let mut doc = target.clone();
            merge_patch(&mut doc, &patch);
            assert_eq!(doc, expected, "{target} + {patch}");
        }
    }

    /// Examples of RFC 6902 appendix A.
    #[test]
    fn json_patch_follows_rfc_6902() {
        let cases = [
            (
                json!({"foo":"bar"}),
                json!([{"op":"add","path":"/baz","value":"qux"}]),
                json!({"baz":"qux","foo":"bar"}),
            ),
            (
                json!({"foo":["bar","baz"]}),
                json!([{"op":"add","path":"/foo/1","value":"qux"}]),
                json!({"foo":["bar","qux","baz"]}),
            ),
            (
                json!({"baz":"qux","foo":"bar"}),
                json!([{"op":"remove","path":"/baz"}]),
                json!({"foo":"bar"}),
            ),
            (
                json!({"foo":["bar","qux","baz"]}),
                json!([{"op":"remove","path":"/foo/1"}]),
                json!({"foo":["bar","baz"]}),
            ),
            (
                json!({"baz":"qux","foo":"bar"}),
                json!([{"op":"replace","path":"/baz","value":"boo"}]),
                json!({"baz":"boo","foo":"bar"}),
            ),
            (
                json!({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}),
                json!([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]),
                json!({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}),
            ),
            (
                json!({"foo":["all","grass","cows","eat"]}),
                json!([{"op":"move","from":"/foo/1","path":"/foo/3"}]),
                json!({"foo":["all","cows","eat","grass"]}),
            ),
            (
                json!({"foo":["bar"]}),
                json!([{"op":"add","path":"/foo/-","value":["abc","def"]}]),
                json!({"foo":["bar",["abc","def"]]}),
            ),
            (
                json!({"foo":"bar"}),
                json!([{"op":"add","path":"/child","value":{"grandchild":{}}}]),
                json!({"foo":"bar","child":{"grandchild":{}}}),
            ),
            (
                json!({"/":9,"~1":10}),
                json!([{"op":"test","path":"/~01","value":10}]),
                json!({"/":9,"~1":10}),
            ),
            (
                json!({"a":{"b":1}}),
                json!([{"op":"copy","from":"/a","path":"/c"}]),
                json!({"a":{"b":1},"c":{"b":1}}),
            ),
        ];
        for (target, patch, expected) in cases {
            let got = json_patch(&target, &ops(patch.clone()));
            assert_eq!(got, Ok(expected), "{target} + {patch}");
        }
    }

    #[test]
    fn json_patch_errors_name_the_operation_and_leave_the_document_alone() {
        let target = json!({"foo":"bar","list":[1,2]});
        let cases = [
            (
                json!([{"op":"add","path":"/baz/bat","value":"qux"}]),
                "/baz/bat",
            ),
            (json!([{"op":"remove","path":"/nope"}]), "/nope"),
            (
                json!([{"op":"replace","path":"/list/2","value":0}]),
                "/list/2",
            ),
            (
                json!([{"op":"add","path":"/list/01","value":0}]),
                "/list/01",
            ),
            (json!([{"op":"add","path":"list","value":0}]), "list"),
            (json!([{"op":"test","path":"/foo","value":"baz"}]), "/foo"),
            (json!([{"op":"replace","path":"/foo"}]), "/foo"),
            (json!([{"op":"move","path":"/a"}]), "/a"),
            (
                json!([{"op":"move","from":"/list","path":"/list/0"}]),
                "/list/0",
            ),
            (json!([{"op":"remove","path":""}]), ""),
            (
                json!([{"op":"add","path":"/list/99999999999999999999999","value":0}]),
                "/list/",
            ),
        ];
        for (patch, pointer) in cases {
            let err = json_patch(&target, &ops(patch.clone())).unwrap_err();
            assert!(err.pointer().starts_with(pointer), "{patch}: {err}");
        }
        let err = json_patch(
            &target,
            &ops(json!([
                {"op":"add","path":"/x","value":1},
                {"op":"remove","path":"/nope"}
            ])),
        )
        .unwrap_err();
        assert!(
            matches!(err, PatchError::Operation { index: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn pointers_read_as_dotted_paths() {
        assert_eq!(
            pointer_to_path("/productOrderItem/0/state"),
            "productOrderItem[0].state"
        );
        assert_eq!(pointer_to_path("/state"), "state");
        assert_eq!(pointer_to_path("/a~1b/c"), "a/b.c");
        assert_eq!(pointer_to_path(""), "");
    }
}
