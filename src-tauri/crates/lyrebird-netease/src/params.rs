//! Request parameters: a JSON object that keeps the order its fields were added in.
//!
//! The npm implementation serialises JavaScript objects, which keep insertion order; keeping
//! the same order makes Lyrebird's ciphertexts byte-identical to it for the same input, which
//! the cross-check tests rely on. (`serde_json::Map` sorts its keys unless the crate-wide
//! `preserve_order` feature is on, which would change every other crate's JSON too.)

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// An ordered JSON object of request parameters. A later [`Params::set`] of the same key
/// replaces the value in place.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params(Vec<(String, Value)>);

impl Params {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces `key`, builder style.
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.set(key, value);
        self
    }

    /// Adds `key`, or replaces its value where it already is.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        let key = key.into();
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(at).1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Compact JSON, fields in insertion order (what `JSON.stringify` gives).
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a JSON value always serialises")
    }

    /// `application/x-www-form-urlencoded`, each value turned into a string the way
    /// JavaScript's `String()` does (what `new URLSearchParams(object)` sends).
    #[must_use]
    pub fn to_form(&self) -> String {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            form.append_pair(k, &js_string(v));
        }
        form.finish()
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut params = Self::new();
        for (k, v) in iter {
            params.set(k, v);
        }
        params
    }
}

impl Serialize for Params {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// JavaScript's `String(value)` for JSON values: arrays join their items with commas, objects
/// become `[object Object]`, `null` becomes `"null"`.
pub(crate) fn js_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items
            .iter()
            .map(|v| {
                if v.is_null() {
                    String::new()
                } else {
                    js_string(v)
                }
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_insertion_order_and_replaces_in_place() {
        let mut p = Params::new().with("z", 1).with("a", "x");
        p.set("z", 2);
        assert_eq!(p.to_json(), r#"{"z":2,"a":"x"}"#);
    }

    #[test]
    fn form_values_are_javascript_strings() {
        let p = Params::new()
            .with("ids", "[1 2]")
            .with("b", true)
            .with("arr", json!([1, "a", null]))
            .with("o", json!({"k": 1}))
            .with("n", json!(null));
        assert_eq!(
            p.to_form(),
            "ids=%5B1+2%5D&b=true&arr=1%2Ca%2C&o=%5Bobject+Object%5D&n=null"
        );
    }
}
