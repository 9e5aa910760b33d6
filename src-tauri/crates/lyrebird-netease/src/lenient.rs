//! Tolerant, bounded reading of NetEase's JSON: unknown fields are ignored, a field of the
//! wrong type reads as missing, a malformed list item is skipped, lists stop at
//! [`MAX_LIST_ITEMS`] and text is cut at a length. NetEase changes its replies without notice
//! and many fields are `null` more often than not; one odd song must not lose a playlist.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The most items any list in a reply is read to; the rest are skipped. (NetEase caps a
/// playlist at 10,000 songs; the reply itself is capped at [`crate::MAX_REPLY_BYTES`].)
pub const MAX_LIST_ITEMS: usize = 10_000;
/// The most characters a name (song, artist, album, playlist, user) keeps.
pub const MAX_NAME_CHARS: usize = 1_024;
/// The most characters a URL keeps; a longer one is dropped, not cut.
pub const MAX_URL_CHARS: usize = 4_096;
/// The most characters one lyrics text keeps.
pub const MAX_LYRICS_CHARS: usize = 512 * 1024;

/// A list: `null`, a missing field or anything that is not an array reads as empty; items
/// that do not read as `T` are skipped; at most [`MAX_LIST_ITEMS`] are kept.
pub(crate) fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    struct ListVisitor<T>(std::marker::PhantomData<T>);

    impl<'de, T: DeserializeOwned> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while out.len() < MAX_LIST_ITEMS {
                match seq.next_element::<Value>()? {
                    Some(item) => {
                        if let Ok(item) = T::deserialize(item) {
                            out.push(item);
                        }
                    }
                    None => return Ok(out),
                }
            }
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(out)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Vec::new())
        }

        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }

        fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }

        fn visit_str<E: de::Error>(self, _: &str) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
    }

    d.deserialize_any(ListVisitor(std::marker::PhantomData))
}

/// An object that reads as `T`, or `None` (for `null`, a missing field or anything else).
pub(crate) fn object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(d)? {
        v @ Value::Object(_) => T::deserialize(v).ok(),
        _ => None,
    })
}

/// A whole number given as a number or a numeric string; `None` otherwise.
pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(as_int(&Value::deserialize(d)?))
}

/// A non-negative whole number (ids, durations, sizes); `None` otherwise.
pub(crate) fn uint<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(as_uint(&Value::deserialize(d)?))
}

/// An id: a positive whole number, 0 when missing or unreadable (and then unusable).
pub(crate) fn id<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(uint(d)?.unwrap_or(0))
}

/// A true/false flag, also given as 0/1 or "true"/"false"; `false` otherwise.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::Number(n) => n.as_i64().is_some_and(|n| n != 0),
        Value::String(s) => s == "true" || s == "1",
        _ => false,
    })
}

/// A name: a string (or a number, shown as one) of at most [`MAX_NAME_CHARS`] characters,
/// control characters removed; `None` when missing or empty.
pub(crate) fn name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(text_of(&Value::deserialize(d)?, MAX_NAME_CHARS).map(|s| clean(&s)))
}

/// A lyrics text of at most [`MAX_LYRICS_CHARS`] characters; `None` when missing or empty.
pub(crate) fn long_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(text_of(&Value::deserialize(d)?, MAX_LYRICS_CHARS))
}

/// An http(s) URL of at most [`MAX_URL_CHARS`] characters; `None` for anything else.
pub(crate) fn url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => http_url(&s),
        _ => None,
    })
}

/// `s` when it is an http(s) URL short enough to keep.
pub(crate) fn http_url(s: &str) -> Option<String> {
    let s = s.trim();
    let ok = s.len() <= MAX_URL_CHARS
        && (s.starts_with("https://") || s.starts_with("http://"))
        && url::Url::parse(s).is_ok_and(|u| u.host_str().is_some());
    ok.then(|| s.to_owned())
}

pub(crate) fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| {
                    #[allow(clippy::cast_possible_truncation)]
                    let i = f as i64;
                    i
                })
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(crate) fn as_uint(v: &Value) -> Option<u64> {
    as_int(v)
        .and_then(|i| u64::try_from(i).ok())
        .or_else(|| v.as_u64())
}

fn text_of(v: &Value, max_chars: usize) -> Option<String> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let s = match s.char_indices().nth(max_chars) {
        Some((cut, _)) => s[..cut].to_owned(),
        None => s,
    };
    (!s.trim().is_empty()).then_some(s)
}

/// Control characters out of a name (they would only garble a line in the UI).
fn clean(s: &str) -> String {
    if s.chars().any(char::is_control) {
        s.chars().filter(|c| !c.is_control()).collect()
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Probe {
        #[serde(deserialize_with = "list")]
        items: Vec<u32>,
        #[serde(deserialize_with = "name")]
        name: Option<String>,
        #[serde(deserialize_with = "uint")]
        n: Option<u64>,
        #[serde(deserialize_with = "url")]
        link: Option<String>,
        #[serde(deserialize_with = "flag")]
        on: bool,
    }

    fn probe(v: Value) -> Probe {
        Probe::deserialize(v).unwrap()
    }

    #[test]
    fn wrong_types_read_as_missing() {
        let p = probe(json!({"items": "x", "name": {"a": 1}, "n": "abc", "link": 5, "on": "yes"}));
        assert!(p.items.is_empty() && p.name.is_none() && p.n.is_none() && p.link.is_none());
        assert!(!p.on);
        let p = probe(json!({"items": null, "name": null, "n": null}));
        assert!(p.items.is_empty() && p.name.is_none() && p.n.is_none());
        let p = probe(json!({"items": {"0": 1}}));
        assert!(p.items.is_empty());
    }

    #[test]
    fn numbers_as_strings_and_bad_items_skipped() {
        let p = probe(json!({"items": [1, "two", 3, -4, null, 5], "n": "42", "on": 1}));
        assert_eq!(p.items, [1, 3, 5]);
        assert_eq!(p.n, Some(42));
        assert!(p.on);
        assert_eq!(probe(json!({"n": -1})).n, None);
        assert_eq!(probe(json!({"n": 3.0})).n, Some(3));
        assert_eq!(probe(json!({"n": 3.5})).n, None);
    }

    #[test]
    fn lists_and_names_are_capped() {
        let items: Vec<u32> = (0..20_000).collect();
        let p = probe(json!({"items": items, "name": "x".repeat(5000)}));
        assert_eq!(p.items.len(), MAX_LIST_ITEMS);
        assert_eq!(p.name.unwrap().chars().count(), MAX_NAME_CHARS);
        let p = probe(json!({"name": "a\u{0}b\nc", "items": []}));
        assert_eq!(p.name.as_deref(), Some("abc"));
        assert_eq!(probe(json!({"name": "   "})).name, None);
    }

    #[test]
    fn only_http_urls() {
        assert_eq!(
            probe(json!({"link": "https://p1.music.126.net/a.jpg"}))
                .link
                .as_deref(),
            Some("https://p1.music.126.net/a.jpg")
        );
        for bad in ["javascript:alert(1)", "file:///etc/passwd", "", "http://"] {
            assert_eq!(probe(json!({ "link": bad })).link, None, "{bad}");
        }
        let long = format!("https://x.com/{}", "a".repeat(MAX_URL_CHARS));
        assert_eq!(probe(json!({ "link": long })).link, None);
    }
}
