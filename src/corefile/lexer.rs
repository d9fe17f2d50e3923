//! Corefile text → tokens, the way CoreDNS's Caddy-derived lexer splits it: words separated by
//! white space, `"…"` and `` `…` `` quoting, `#` comments, and line numbers kept because a
//! directive's arguments end at the end of its line.

use super::CorefileError;

/// One word of a Corefile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The word, with quotes removed and escapes resolved.
    pub text: String,
    /// The 1-based line it starts on.
    pub line: usize,
    /// True when it was quoted: a quoted `{` is a word, not a block.
    pub quoted: bool,
}

impl Token {
    /// True for an unquoted `{`.
    pub fn is_open(&self) -> bool {
        !self.quoted && self.text == "{"
    }

    /// True for an unquoted `}`.
    pub fn is_close(&self) -> bool {
        !self.quoted && self.text == "}"
    }
}

/// Splits Corefile text into tokens.
pub fn tokenize(input: &str) -> Result<Vec<Token>, CorefileError> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    let mut line = 1;
    while let Some(&ch) = chars.peek() {
        if ch == '\n' {
            line += 1;
            chars.next();
            continue;
        }
        if ch.is_whitespace() {
            chars.next();
            continue;
        }
        if ch == '#' {
            while chars.peek().is_some_and(|&c| c != '\n') {
                chars.next();
            }
            continue;
        }
        let start_line = line;
        if ch == '"' || ch == '`' {
            chars.next();
            let mut text = String::new();
            let mut closed = false;
            while let Some(c) = chars.next() {
                if c == '\n' {
                    line += 1;
                }
                if ch == '"' && c == '\\' && matches!(chars.peek(), Some('"') | Some('\\')) {
                    if let Some(escaped) = chars.next() {
                        text.push(escaped);
                    }
                    continue;
                }
                if c == ch {
                    closed = true;
                    break;
                }
                text.push(c);
            }
            if !closed {
                return Err(CorefileError::Syntax {
                    line: start_line,
                    message: format!("unterminated {ch}-quoted string"),
                });
            }
            tokens.push(Token {
                text,
                line: start_line,
                quoted: true,
            });
            continue;
        }
        let mut text = String::new();
        while let Some(&c) = chars.peek() {
            // An unquoted `#` starts a comment even inside a word, as Caddy's lexer has it.
            if c.is_whitespace() || c == '#' {
                break;
            }
            text.push(c);
            chars.next();
        }
        tokens.push(Token {
            text,
            line: start_line,
            quoted: false,
        });
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_quotes_comments_lines() {
        let tokens = tokenize(".:53 {\n  # comment { }\n  log \"a b\" `c`\n}\n").unwrap();
        let texts: Vec<(&str, usize, bool)> = tokens
            .iter()
            .map(|t| (t.text.as_str(), t.line, t.quoted))
            .collect();
        assert_eq!(
            texts,
            vec![
                (".:53", 1, false),
                ("{", 1, false),
                ("log", 3, false),
                ("a b", 3, true),
                ("c", 3, true),
                ("}", 4, false)
            ]
        );
    }

    #[test]
    fn a_hash_inside_a_word_starts_a_comment() {
        let tokens = tokenize("ttl 30#seconds\nlog").unwrap();
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, vec!["ttl", "30", "log"]);
    }

    #[test]
    fn unterminated_quote_is_an_error() {
        assert!(matches!(
            tokenize("x \"open\n"),
            Err(CorefileError::Syntax { line: 1, .. })
        ));
    }
}
