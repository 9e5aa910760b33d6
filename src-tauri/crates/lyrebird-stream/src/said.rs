//! What a server said when it sent a document instead of audio: an API's error message
//! (Subsonic's `{"subsonic-response":{"error":{"code":70,"message":"Track not found"}}}`, its XML
//! form, `NetEase`'s `{"code":-460,"message":"…"}`) or a web page's title (a login page, a
//! captive portal). The body is untrusted: only a short, single-line, printable excerpt is
//! kept, and only what was read within the cap.

/// How much of the body is read to find the message.
pub const MAX_BODY: usize = 16 * 1024;
/// How much of the message is kept.
const MAX_SAID: usize = 200;

/// The server's own words in `body` (of Content-Type `essence`), if they can be found.
#[must_use]
pub fn server_message(essence: &str, body: &[u8]) -> Option<String> {
    let body = &body[..body.len().min(MAX_BODY)];
    let text = String::from_utf8_lossy(body);
    let found = match essence {
        "application/json" => json_message(&text),
        "text/xml" | "application/xml" => xml_error(&text),
        _ => html_title(&text),
    }?;
    let clean: String = found
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if clean.is_empty() {
        return None;
    }
    Some(if clean.chars().count() > MAX_SAID {
        let cut: String = clean.chars().take(MAX_SAID).collect();
        format!("{cut}…")
    } else {
        clean
    })
}

fn json_message(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let root = value.get("subsonic-response").unwrap_or(&value);
    let error = root.get("error").unwrap_or(root);
    let message = ["message", "msg"]
        .iter()
        .find_map(|key| error.get(key).and_then(serde_json::Value::as_str))
        .or_else(|| error.as_str())?;
    Some(match error.get("code") {
        Some(code) if code.is_i64() || code.is_u64() => format!("{message} (error {code})"),
        _ => message.to_owned(),
    })
}

/// `<error code="70" message="Track not found"/>`.
fn xml_error(text: &str) -> Option<String> {
    let start = text.find("<error")?;
    let element = &text[start..text[start..].find('>').map_or(text.len(), |e| start + e)];
    let attribute = |name: &str| {
        let at = element.find(&format!("{name}=\""))? + name.len() + 2;
        let end = element[at..].find('"')? + at;
        Some(unescape(&element[at..end]))
    };
    let message = attribute("message")?;
    Some(match attribute("code") {
        Some(code) => format!("{message} (error {code})"),
        None => message,
    })
}

fn html_title(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    Some(unescape(&text[start..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsonic_errors_in_json_and_xml() {
        let json = br#"{"subsonic-response":{"status":"failed","version":"1.16.1","error":{"code":70,"message":"Track not found"}}}"#;
        assert_eq!(
            server_message("application/json", json).as_deref(),
            Some("Track not found (error 70)")
        );
        // supysonic 0.7's stream endpoint leaves out the envelope.
        let bare = br#"{"error": {"code": 70, "message": "Track not found"}}"#;
        assert_eq!(
            server_message("application/json", bare).as_deref(),
            Some("Track not found (error 70)")
        );
        let xml = br#"<?xml version="1.0"?><subsonic-response status="failed"><error code="40" message="Wrong &amp; bad"/></subsonic-response>"#;
        assert_eq!(
            server_message("text/xml", xml).as_deref(),
            Some("Wrong & bad (error 40)")
        );
    }

    #[test]
    fn other_apis_and_pages() {
        let netease = br#"{"code": -460, "message": "Cheating"}"#;
        assert_eq!(
            server_message("application/json", netease).as_deref(),
            Some("Cheating (error -460)")
        );
        let page = b"<html><head><TITLE>\n  Sign in \x07 to Wi-Fi</TITLE></head></html>";
        assert_eq!(
            server_message("text/html", page).as_deref(),
            Some("Sign in to Wi-Fi")
        );
        assert_eq!(server_message("application/json", b"{}"), None);
        assert_eq!(server_message("application/json", b"not json"), None);
        assert_eq!(server_message("text/html", b"<p>no title</p>"), None);
    }

    #[test]
    fn hostile_bodies_give_a_short_line() {
        let long = format!(r#"{{"message": "{}"}}"#, "x".repeat(10_000));
        let said = server_message("application/json", long.as_bytes()).unwrap_or_default();
        // Cut at the read cap, the JSON does not parse: nothing, rather than a guess.
        assert!(said.chars().count() <= MAX_SAID + 1, "{}", said.len());
        let medium = format!(r#"{{"message": "{}"}}"#, "y".repeat(1_000));
        let said = server_message("application/json", medium.as_bytes()).unwrap();
        assert_eq!(said.chars().count(), MAX_SAID + 1);
        assert!(server_message("text/html", &[0xff; 100]).is_none());
    }
}
