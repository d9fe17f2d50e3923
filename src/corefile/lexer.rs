//! Corefile text → tokens, by the rules of CoreDNS's Caddyfile lexer (`coredns/caddy`,
//! `caddyfile/lexer.go next`): words separated by white space; a word that *starts* with `"`
//! runs to the next unescaped `"` (line breaks included); inside quotes `\` escapes only `"`
//! and is kept before any other character; `#` outside quotes ends the line, even mid-word; a
//! carriage return is dropped wherever it stands outside quotes; a leading byte order mark is
//! discarded. Quoting does not make a word special: a quoted `{` opens a block as a bare one
//! does, because the parser compares only the text. The lexer never fails: a quote still open
//! at the end of the text yields what it has read, as CoreDNS's does.

/// One word of a Corefile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The word, with quotes removed and escaped quotes resolved.
    pub text: String,
    /// The 1-based line it starts on.
    pub line: usize,
}

impl Token {
    /// The line the token ends on: a quoted word may span line breaks, and the dispenser counts
    /// them when it decides whether the next word is on the same line (`numLineBreaks`).
    pub fn end_line(&self) -> usize {
        self.line + self.text.matches('\n').count()
    }
}

/// Splits Corefile text into tokens.
pub fn tokenize(input: &str) -> Vec<Token> {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut tokens = Vec::new();
    let mut line = 1;
    // The word being read, the line it started on, and whether it is quoted.
    let mut word: Option<(String, usize)> = None;
    let mut quoted = false;
    let mut escaped = false;
    let mut comment = false;
    for ch in input.chars() {
        if quoted {
            let Some((text, _)) = word.as_mut() else {
                continue;
            };
            if !escaped {
                if ch == '\\' {
                    escaped = true;
                    continue;
                }
                if ch == '"' {
                    quoted = false;
                    if let Some((text, start)) = word.take() {
                        tokens.push(Token { text, line: start });
                    }
                    continue;
                }
            }
            if ch == '\n' {
                line += 1;
            }
            // Only a quote is escaped: any other character keeps the backslash before it.
            if escaped && ch != '"' {
                text.push('\\');
            }
            text.push(ch);
            escaped = false;
            continue;
        }
        if ch.is_whitespace() {
            // Outside quotes a carriage return is skipped without ending the word.
            if ch == '\r' {
                continue;
            }
            if ch == '\n' {
                line += 1;
                comment = false;
            }
            if let Some((text, start)) = word.take() {
                tokens.push(Token { text, line: start });
            }
            continue;
        }
        if ch == '#' {
            comment = true;
        }
        if comment {
            continue;
        }
        match word.as_mut() {
            Some((text, _)) => text.push(ch),
            None if ch == '"' => {
                word = Some((String::new(), line));
                quoted = true;
            }
            None => word = Some((ch.to_string(), line)),
        }
    }
    // At the end of the text the word read so far is a token, even inside an open quote; an
    // open quote that has read nothing yields none (`len(val) > 0`).
    if let Some((text, start)) = word
        && !(quoted && text.is_empty())
    {
        tokens.push(Token { text, line: start });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    /// coredns/caddy `caddyfile/lexer_test.go TestLexer` and `parse_test.go TestAllTokens`,
    /// restated as (input, [(line, text)]) rows, plus the rows the tables leave implicit.
    #[test]
    fn the_caddy_lexer_table() {
        let table: &[(&str, &[(usize, &str)])] = &[
            ("host:123", &[(1, "host:123")]),
            (
                "host:123\n\n\t\t\tdirective",
                &[(1, "host:123"), (3, "directive")],
            ),
            (
                "host:123 {\n\tdirective\n}",
                &[(1, "host:123"), (1, "{"), (2, "directive"), (3, "}")],
            ),
            (
                "host:123 { directive }",
                &[(1, "host:123"), (1, "{"), (1, "directive"), (1, "}")],
            ),
            (
                "host:123 {\n#comment\ndirective\n# comment\nfoobar # another comment\n}",
                &[
                    (1, "host:123"),
                    (1, "{"),
                    (3, "directive"),
                    (5, "foobar"),
                    (6, "}"),
                ],
            ),
            (
                "a \"quoted value\" b\nfoobar",
                &[(1, "a"), (1, "quoted value"), (1, "b"), (2, "foobar")],
            ),
            (
                r#"A "quoted \"value\" inside" B"#,
                &[(1, "A"), (1, r#"quoted "value" inside"#), (1, "B")],
            ),
            (r#""don't\escape""#, &[(1, r"don't\escape")]),
            (r#""don't\\escape""#, &[(1, r"don't\\escape")]),
            (
                "A \"quoted value with line\n\tbreak inside\" {\n\tfoobar\n}",
                &[
                    (1, "A"),
                    (1, "quoted value with line\n\tbreak inside"),
                    (2, "{"),
                    (3, "foobar"),
                    (4, "}"),
                ],
            ),
            (r#""C:\php\php-cgi.exe""#, &[(1, r"C:\php\php-cgi.exe")]),
            ("empty \"\" string", &[(1, "empty"), (1, ""), (1, "string")]),
            (
                "skip those\r\nCR characters",
                &[(1, "skip"), (1, "those"), (2, "CR"), (2, "characters")],
            ),
            ("\u{feff}:8080", &[(1, ":8080")]),
            (
                "a b c\nd e",
                &[(1, "a"), (1, "b"), (1, "c"), (2, "d"), (2, "e")],
            ),
            ("", &[]),
            ("\n", &[]),
            (" ", &[]),
            ("\t\n", &[]),
            // A `#` inside a word ends it; a carriage return inside a word does not.
            ("ttl 30#seconds\nlog", &[(1, "ttl"), (1, "30"), (2, "log")]),
            ("a\rb", &[(1, "ab")]),
            // Quotes open a word only at its start; backticks are ordinary characters.
            ("a\"b c\"", &[(1, "a\"b"), (1, "c\"")]),
            ("`a b`", &[(1, "`a"), (1, "b`")]),
            // The end of the text inside a quote: what was read is the token.
            ("x \"open\nmore", &[(1, "x"), (1, "open\nmore")]),
            ("x \"", &[(1, "x")]),
            // Only a leading byte order mark is dropped.
            ("a \u{feff}b", &[(1, "a"), (1, "\u{feff}b")]),
            // A quoted `#` is text, and `\\"` ends the quote after two backslashes.
            ("\"a # b\"", &[(1, "a # b")]),
            (r#""a\\" b"#, &[(1, r"a\\"), (1, "b")]),
        ];
        for (input, expected) in table {
            let actual: Vec<(usize, String)> = tokenize(input)
                .into_iter()
                .map(|t| (t.line, t.text))
                .collect();
            let expected: Vec<(usize, String)> = expected
                .iter()
                .map(|(line, text)| (*line, (*text).to_string()))
                .collect();
            assert_eq!(actual, expected, "input {input:?}");
        }
    }

    #[test]
    fn a_quoted_word_spanning_lines_ends_on_a_later_line() {
        let tokens = tokenize("\"a\nb\nc\" d");
        assert_eq!(tokens[0].end_line(), 3);
        assert_eq!(tokens[1].line, 3);
    }
}
