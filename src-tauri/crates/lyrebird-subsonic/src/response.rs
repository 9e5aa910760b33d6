//! The `subsonic-response` envelope: read from raw bytes so that an HTML page (a login portal,
//! a wrong address) or garbage is reported as such instead of as a JSON syntax error.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::error::SubsonicError;

/// A list element read leniently (see `model::de::list`): absent, `null` or a lone object
/// are fine, entries that do not fit are skipped.
pub(crate) struct ListOf<T>(pub(crate) Vec<T>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for ListOf<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::model::de::list(deserializer).map(ListOf)
    }
}

#[derive(Deserialize)]
struct ErrorElement {
    code: u32,
    #[serde(default)]
    message: Option<String>,
}

/// `subsonic-response` as read in one pass: the status, the error element, and the one payload
/// element the call wants, typed. Everything else is skipped without being built (an unknown
/// element of megabytes costs no memory), so a reply is never held as a tree of values.
struct Body<T> {
    status: Option<String>,
    error: Option<ErrorElement>,
    payload: Option<T>,
}

/// Reads `{"subsonic-response": {...}}` with the body's seed; `None` when the outer object has
/// no such member.
struct EnvelopeSeed<'a, T>(BodySeed<'a, T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for EnvelopeSeed<'_, T> {
    type Value = Option<Body<T>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for EnvelopeSeed<'_, T> {
    type Value = Option<Body<T>>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a Subsonic reply")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut body = None;
        while let Some(name) = map.next_key::<String>()? {
            if name == "subsonic-response" && body.is_none() {
                body = Some(map.next_value_seed(self.0)?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(body)
    }
}

/// Reads the body, and of its payload elements only `key`.
struct BodySeed<'a, T> {
    key: Option<&'a str>,
    /// Set while the payload element is being read, so that a syntax or type error there is
    /// reported as a malformed element rather than as a reply that is not Subsonic at all.
    in_payload: &'a Cell<bool>,
    payload: PhantomData<T>,
}

// By hand: derived, they would ask `T: Copy`, and `T` is only a marker here.
impl<T> Clone for BodySeed<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for BodySeed<'_, T> {}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for BodySeed<'_, T> {
    type Value = Body<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for BodySeed<'_, T> {
    type Value = Body<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("the subsonic-response object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Body<T>, A::Error> {
        let mut body = Body {
            status: None,
            error: None,
            payload: None,
        };
        while let Some(name) = map.next_key::<String>()? {
            match name.as_str() {
                "status" => body.status = Some(map.next_value()?),
                "error" => body.error = Some(map.next_value()?),
                name if Some(name) == self.key => {
                    self.in_payload.set(true);
                    body.payload = Some(map.next_value()?);
                    self.in_payload.set(false);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(body)
    }
}

/// Reads one API reply and its payload element `key` (none for calls that answer nothing but
/// their status). `status` is the HTTP status; Subsonic servers answer errors with 200 (or,
/// like supysonic for unknown methods, 404) and an error element, so the body decides.
/// `Ok(None)`: a successful reply without that element.
pub(crate) fn parse<T: DeserializeOwned>(
    status: u16,
    body: &[u8],
    host: &str,
    key: Option<&str>,
) -> Result<Option<T>, SubsonicError> {
    let in_payload = Cell::new(false);
    let mut json = serde_json::Deserializer::from_slice(body);
    let read = EnvelopeSeed(BodySeed {
        key,
        in_payload: &in_payload,
        payload: PhantomData::<T>,
    })
    .deserialize(&mut json)
    .and_then(|envelope| json.end().map(|()| envelope));
    let reply = match read {
        Ok(Some(reply)) if reply.status.is_some() => reply,
        Err(error) if in_payload.get() => {
            return Err(SubsonicError::NotSubsonic {
                what: format!("a malformed `{}` ({error})", key.unwrap_or_default()),
            });
        }
        _ => {
            if matches!(status, 502..=504) {
                return Err(SubsonicError::ServerDown {
                    host: host.to_owned(),
                    reason: format!("HTTP {status} from the proxy in front of it"),
                });
            }
            let what = if (300..400).contains(&status) {
                // Redirects are followed to the same server only (see `same_server_redirects`).
                format!("a redirect to another address (HTTP {status}), which is not followed")
            } else if (200..300).contains(&status) {
                describe(body).to_owned()
            } else {
                format!("{} (HTTP {status})", describe(body))
            };
            return Err(SubsonicError::NotSubsonic { what });
        }
    };
    if reply.status.as_deref() == Some("ok") {
        return Ok(reply.payload);
    }
    Err(match reply.error {
        Some(error) => SubsonicError::from_api(error.code, error.message),
        None => SubsonicError::Api {
            code: 0,
            message: format!(
                "status {:?} with no error",
                reply.status.unwrap_or_default()
            ),
        },
    })
}

/// What a body that is not Subsonic JSON looks like, in words.
fn describe(body: &[u8]) -> &'static str {
    let start = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = start.trim_ascii_start();
    let head = String::from_utf8_lossy(&start[..start.len().min(512)]).to_ascii_lowercase();
    if start.is_empty() {
        "an empty reply"
    } else if head.starts_with("<!doctype html") || head.contains("<html") {
        "an HTML page"
    } else if head.starts_with('<') {
        "XML or other markup"
    } else if head.starts_with('{') {
        "JSON that is not a Subsonic reply"
    } else {
        "data that is not Subsonic JSON"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_reply_gives_its_payload() {
        let body = br#"{"subsonic-response":{"status":"ok","version":"1.16.1","ping2":{"n":3}}}"#;
        let value: serde_json::Value = parse(200, body, "h", Some("ping2")).unwrap().unwrap();
        assert_eq!(value["n"], 3);
        assert!(
            parse::<serde_json::Value>(200, body, "h", Some("other"))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn failed_reply_is_its_error() {
        let body = br#"{"subsonic-response":{"status":"failed","version":"1.10.2","error":{"code":40,"message":"Wrong username or password."}}}"#;
        assert_eq!(
            parse::<IgnoredAny>(200, body, "h", None).unwrap_err(),
            SubsonicError::WrongCredentials
        );
        // supysonic answers unknown methods with 404 and a proper error element.
        let body = br#"{"subsonic-response":{"error":{"code":0,"message":"Unknown method"},"status":"failed","version":"1.10.2"}}"#;
        assert!(matches!(
            parse::<IgnoredAny>(404, body, "h", None).unwrap_err(),
            SubsonicError::Api { code: 0, .. }
        ));
    }

    #[test]
    fn non_json_bodies_are_named() {
        let html = b"\n<!DOCTYPE html><html><body>Sign in</body></html>";
        let error = parse::<IgnoredAny>(200, html, "h", None).unwrap_err();
        assert!(error.to_string().contains("an HTML page"), "{error}");
        let error = parse::<IgnoredAny>(404, b"<html>nope</html>", "h", None).unwrap_err();
        assert!(error.to_string().contains("HTTP 404"), "{error}");
        let error = parse::<IgnoredAny>(200, b"\x00\x01garbage", "h", None).unwrap_err();
        assert!(error.to_string().contains("not Subsonic JSON"), "{error}");
        let error = parse::<IgnoredAny>(200, b"", "h", None).unwrap_err();
        assert!(error.to_string().contains("empty"), "{error}");
        let error = parse::<IgnoredAny>(302, b"", "h", None).unwrap_err();
        assert!(
            error.to_string().contains("a redirect to another address"),
            "{error}"
        );
        let error = parse::<IgnoredAny>(502, b"Bad Gateway", "h", None).unwrap_err();
        assert!(
            matches!(error, SubsonicError::ServerDown { .. }),
            "{error:?}"
        );
    }

    /// A hostile reply hides gigabytes in elements nobody asked for, or nests arrays until a
    /// recursive reader overflows its stack. The call's element is still read; the rest is
    /// skipped without being built (it used to become a tree of `Value`s: a 63 MB `ping` reply
    /// took the app to 2.4 GB), and deep nesting is skipped or refused, never a crash.
    #[test]
    fn unwanted_elements_cost_no_memory_and_deep_nesting_is_an_error() {
        use std::fmt::Write as _;
        let mut body = String::from(r#"{"subsonic-response":{"status":"ok","junk":["#);
        for i in 0..400_000 {
            write!(body, r#"{{"k{i}":"v{i}"}},"#).unwrap();
        }
        body.push_str(r#"0],"ping2":{"n":3}}}"#);
        assert!(body.len() > 8 << 20);
        let (value, peak) = allocation::peak_during(|| {
            parse::<serde_json::Value>(200, body.as_bytes(), "h", Some("ping2"))
        });
        assert_eq!(value.unwrap().unwrap()["n"], 3);
        assert!(
            peak < 64 << 10,
            "parsing allocated {peak} bytes at its peak"
        );

        // Skipped nesting is walked without recursion; nesting in the element read is an
        // error at serde_json's depth limit, not a stack overflow.
        let nested = format!("{}0{}", "[".repeat(100_000), "]".repeat(100_000));
        let deep = format!(r#"{{"subsonic-response":{{"status":"ok","x":{nested}}}}}"#);
        assert!(parse::<IgnoredAny>(200, deep.as_bytes(), "h", None).is_ok());
        let deep = format!(r#"{{"subsonic-response":{{"status":"ok","x":{nested}}}}}"#);
        let error = parse::<serde_json::Value>(200, deep.as_bytes(), "h", Some("x")).unwrap_err();
        assert!(error.to_string().contains("a malformed `x`"), "{error}");
    }

    #[test]
    fn a_malformed_payload_is_named_and_a_missing_status_is_not_subsonic() {
        #[derive(Debug, serde::Deserialize)]
        struct Ping2 {
            #[allow(dead_code)]
            n: u32,
        }
        let body = br#"{"subsonic-response":{"status":"ok","ping2":{"n":"three"}}}"#;
        let error = parse::<Ping2>(200, body, "h", Some("ping2")).unwrap_err();
        assert!(error.to_string().contains("a malformed `ping2`"), "{error}");
        let body = br#"{"subsonic-response":{"version":"1.16.1"}}"#;
        let error = parse::<IgnoredAny>(200, body, "h", None).unwrap_err();
        assert!(
            error.to_string().contains("not a Subsonic reply"),
            "{error}"
        );
        let body = br#"{"subsonic-response":{"status":"ok"}} trailing"#;
        assert!(parse::<IgnoredAny>(200, body, "h", None).is_err());
    }

    /// Counts this thread's live heap bytes, to measure what one parse holds at its peak.
    /// Test-only; a global allocator cannot be written without `unsafe`, and wrapping `System`
    /// per thread is what no allocation-counting crate offers (they count every thread, and
    /// the other tests run beside this one).
    #[allow(unsafe_code)]
    mod allocation {
        use std::alloc::{GlobalAlloc, Layout, System};
        use std::cell::Cell;

        struct Counting;

        thread_local! {
            static LIVE: Cell<isize> = const { Cell::new(0) };
            static PEAK: Cell<isize> = const { Cell::new(0) };
        }

        fn add(bytes: isize) {
            // `try_with`: the allocator also runs while thread-locals are torn down.
            let _ = LIVE.try_with(|live| {
                live.set(live.get() + bytes);
                let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
            });
        }

        #[allow(clippy::cast_possible_wrap)] // allocations are far below isize::MAX
        unsafe impl GlobalAlloc for Counting {
            unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
                add(layout.size() as isize);
                // SAFETY: the caller's contract for `alloc` is passed on unchanged.
                unsafe { System.alloc(layout) }
            }

            unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
                add(-(layout.size() as isize));
                // SAFETY: `ptr` was allocated by `System` with `layout` (see `alloc`).
                unsafe { System.dealloc(ptr, layout) }
            }
        }

        #[global_allocator]
        static COUNTING: Counting = Counting;

        /// Runs `work`; returns its result and the most bytes it held at once (on this thread).
        pub(super) fn peak_during<T>(work: impl FnOnce() -> T) -> (T, usize) {
            let base = LIVE.with(Cell::get);
            PEAK.with(|peak| peak.set(base));
            let result = work();
            let peak = PEAK.with(Cell::get) - base;
            (result, usize::try_from(peak).unwrap_or(0))
        }
    }
}
