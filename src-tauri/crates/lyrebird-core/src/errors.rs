//! Error text for people: one formatter for the whole app.

/// "outer: inner: innermost": many libraries keep the useful part of an error in its causes
/// (reqwest's own message is "error sending request", rodio's "decoder error"). A cause whose
/// text the message already holds is not repeated.
#[must_use]
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{text}")]
    struct Layer {
        text: &'static str,
        #[source]
        cause: Option<Box<Layer>>,
    }

    #[test]
    fn causes_follow_the_message_once() {
        let inner = Layer {
            text: "connection refused",
            cause: None,
        };
        let middle = Layer {
            text: "tcp connect error: connection refused",
            cause: Some(Box::new(inner)),
        };
        let outer = Layer {
            text: "error sending request",
            cause: Some(Box::new(middle)),
        };
        assert_eq!(
            error_chain(&outer),
            "error sending request: tcp connect error: connection refused"
        );
    }
}
