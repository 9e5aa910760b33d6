//! The text of a track-change notification.
//!
//! Titles and artists come from tags and servers: they are untrusted. On Linux and the BSDs
//! notifications go to a freedesktop notification server, which reads the *body* as a subset
//! of HTML (`<b>`, `<i>`, `<a href>`, `<img>`, entities): a tag like `<a href="…">` would become
//! a link, `<img src="file:///…">` would load a file. So the body is escaped there, as
//! `g_markup_escape_text` does. The summary (title) is plain text by the specification and is
//! left as it is; elsewhere (Windows, macOS) nothing interprets markup and the text is shown as
//! written.

/// What a notification says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationText {
    /// The summary: plain text.
    pub title: String,
    /// The body, ready for this OS's notification server (escaped where it reads markup).
    pub body: String,
}

/// The notification for a track that started.
#[must_use]
pub fn track_notification(title: &str, artists: &[String]) -> NotificationText {
    let body = artists.join(", ");
    NotificationText {
        title: title.to_owned(),
        body: if BODY_IS_MARKUP {
            escape_markup(&body)
        } else {
            body
        },
    }
}

/// Whether this OS's notification server reads the body as markup (the freedesktop servers).
const BODY_IS_MARKUP: bool = cfg!(all(unix, not(target_os = "macos")));

/// `text` with the characters markup gives meaning to (`& < > " '`) written as entities, so a
/// markup-reading notification server shows it literally.
#[must_use]
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_tags_is_shown_literally() {
        assert_eq!(
            escape_markup(r#"<b>x</b>&<a href="file:///etc/passwd">'y'</a>"#),
            "&lt;b&gt;x&lt;/b&gt;&amp;&lt;a href=&quot;file:///etc/passwd&quot;&gt;&#39;y&#39;&lt;/a&gt;"
        );
        // Already escaped text is escaped again: it must show as typed, `&amp;` included.
        assert_eq!(escape_markup("AC&amp;DC"), "AC&amp;amp;DC");
        assert_eq!(escape_markup("周杰伦 — plain"), "周杰伦 — plain");
    }

    #[test]
    fn the_body_is_escaped_where_the_server_reads_markup() {
        let text = track_notification(
            "<i>Title</i>",
            &[
                "<b>x</b>&<a href=https://evil.example>".into(),
                "Ann".into(),
            ],
        );
        assert_eq!(text.title, "<i>Title</i>", "the summary is plain text");
        if cfg!(all(unix, not(target_os = "macos"))) {
            assert_eq!(
                text.body,
                "&lt;b&gt;x&lt;/b&gt;&amp;&lt;a href=https://evil.example&gt;, Ann"
            );
            assert!(!text.body.contains('<'));
        } else {
            assert_eq!(text.body, "<b>x</b>&<a href=https://evil.example>, Ann");
        }
    }
}
