//! Tokens → server blocks and their directives, by the rules of CoreDNS's Caddyfile parser
//! (`coredns/caddy`, `caddyfile/parse.go`: `parseAll`, `addresses`, `directives`, `directive`,
//! `doImport`, `snippetTokens`) and of the dispenser its plugins read their arguments with
//! (`caddyfile/dispenser.go`: `NextArg`, `RemainingArgs`, `NextBlock`).
//!
//! What carries over: keys run to the end of their line unless a key ends in `,`; a block
//! without `{` runs to the end of the text; a directive takes the tokens of its line, and a `{`
//! anywhere in it (even on a later line) keeps it open up to the matching `}`; a `}` with
//! nothing open is an error; `import` at the start of a line splices a `(snippet)` defined
//! earlier (in keys, between blocks, in a block and inside a directive's block alike); `{$VAR}`
//! and `{%VAR%}` are replaced in keys, directive names and directive tokens. What the tool
//! cannot do offline: read imported files (they are listed, their directives are missing) and
//! know the CoreDNS container's environment (values come from the caller; an unknown one reads
//! as unset, the empty string, and is listed).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::CorefileError;
use super::lexer::Token;

/// CoreDNS's `plugin.cfg` order (`core/dnsserver/zdirectives.go Directives`): the directives
/// a stock build knows. Any other name stops CoreDNS with "Unknown directive".
pub const DIRECTIVES: &[&str] = &[
    "root",
    "metadata",
    "geoip",
    "cancel",
    "proxyproto",
    "quic",
    "grpc_server",
    "https",
    "https3",
    "timeouts",
    "multisocket",
    "reload",
    "nsid",
    "bufsize",
    "bind",
    "debug",
    "trace",
    "ready",
    "health",
    "pprof",
    "shed",
    "prometheus",
    "errors",
    "log",
    "dnstap",
    "local",
    "dns64",
    "any",
    "chaos",
    "loadbalance",
    "tsig",
    "rewrite",
    "autopath",
    "acl",
    "cache",
    "header",
    "dnssec",
    "tls",
    "minimal",
    "template",
    "transfer",
    "hosts",
    "route53",
    "azure",
    "clouddns",
    "k8s_external",
    "kubernetes",
    "file",
    "auto",
    "secondary",
    "etcd",
    "loop",
    "forward",
    "grpc",
    "erratic",
    "whoami",
    "on",
    "sign",
    "view",
    "nomad",
];

/// CoreDNS's cap on snippet expansions in one parse (`maxSnippetExpansions`): a cycle of
/// imports reaches it.
const MAX_SNIPPET_EXPANSIONS: usize = 10_000;

/// The tool's own cap on the tokens a Corefile may expand to. CoreDNS has none (only the
/// expansion count); without one, snippets importing each other twice grow exponentially.
const MAX_TOKENS: usize = 20_000;

/// One directive (`kubernetes cluster.local { … }`), read as a plugin's setup reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The directive's name.
    pub name: String,
    /// Its arguments: the words on its line up to a `{` (`RemainingArgs`). A `}` on the same
    /// line is an argument too, as the dispenser has it.
    pub args: Vec<String>,
    /// The entries of its `{ … }` when the `{` is on the directive's line (`NextBlock`).
    pub block: Vec<Directive>,
    /// Whether a `{` followed the arguments on their line, even for an empty block.
    pub braced: bool,
    /// Words the directive's tokens hold after its arguments and block (a `{` on a later line,
    /// words after the closing `}`): a plugin's `for c.Next()` loop reads them as another use.
    pub trailing: Vec<String>,
    /// The line it starts on.
    pub line: usize,
}

/// One server block: its keys (`.:53`, `cluster.local:53`) and directives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerBlock {
    /// The keys before the `{`, environment replaced, trailing commas removed.
    pub keys: Vec<String>,
    /// The plugins configured in it, in the order they appear.
    pub directives: Vec<Directive>,
    /// The line the block starts on.
    pub line: usize,
}

/// The parsed Corefile: server blocks, plus what the tool could not resolve offline.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Corefile {
    /// Server blocks in order.
    pub blocks: Vec<ServerBlock>,
    /// Arguments of `import` directives that named files rather than snippets.
    pub file_imports: Vec<String>,
    /// Environment variables the Corefile reads that the caller gave no value for.
    pub unknown_env: BTreeSet<String>,
}

/// Parses tokens into server blocks; `env` holds the values of `{$VAR}` references.
pub fn parse_blocks(
    tokens: Vec<Token>,
    env: &BTreeMap<String, String>,
) -> Result<Corefile, CorefileError> {
    let later_snippets = snippet_names(&tokens);
    let mut parser = Parser {
        tokens,
        cursor: -1,
        env,
        snippets: HashMap::new(),
        later_snippets,
        expansions: 0,
        corefile: Corefile::default(),
    };
    while parser.next() {
        let line = parser.line();
        if let Some(block) = parser.parse_one(line)? {
            parser.corefile.blocks.push(block);
        }
    }
    Ok(parser.corefile)
}

/// The names of every `(name) {` the text defines, so that an import before its snippet's
/// definition can be told from a file import.
fn snippet_names(tokens: &[Token]) -> BTreeSet<String> {
    tokens
        .windows(2)
        .filter(|pair| pair[1].text == "{")
        .filter_map(|pair| {
            let text = pair[0].text.strip_prefix('(')?.strip_suffix(')')?;
            Some(text.to_string())
        })
        .collect()
}

struct Parser<'a> {
    tokens: Vec<Token>,
    cursor: isize,
    env: &'a BTreeMap<String, String>,
    snippets: HashMap<String, Vec<Token>>,
    later_snippets: BTreeSet<String>,
    expansions: usize,
    corefile: Corefile,
}

/// What `addresses` ended on.
enum KeysEnd {
    Brace,
    Line,
    Eof,
}

impl Parser<'_> {
    fn token(&self, index: isize) -> Option<&Token> {
        usize::try_from(index).ok().and_then(|i| self.tokens.get(i))
    }

    fn next(&mut self) -> bool {
        if self.cursor + 1 < self.tokens.len() as isize {
            self.cursor += 1;
            true
        } else {
            false
        }
    }

    fn val(&self) -> &str {
        self.token(self.cursor).map_or("", |t| t.text.as_str())
    }

    fn line(&self) -> usize {
        self.token(self.cursor)
            .or_else(|| self.tokens.last())
            .map_or(1, |t| t.line)
    }

    /// Whether the current token starts a line (`isNewLine`).
    fn is_new_line(&self) -> bool {
        if self.cursor < 1 {
            return true;
        }
        match (self.token(self.cursor - 1), self.token(self.cursor)) {
            (Some(prev), Some(cur)) => prev.end_line() < cur.line,
            _ => false,
        }
    }

    /// Advances to the next token when it is on the same line (`NextArg`).
    fn next_arg(&mut self) -> bool {
        match (self.token(self.cursor), self.token(self.cursor + 1)) {
            (Some(cur), Some(next)) if cur.end_line() == next.line => {
                self.cursor += 1;
                true
            }
            _ => false,
        }
    }

    fn syntax(&self, message: impl Into<String>) -> CorefileError {
        CorefileError::Syntax {
            line: self.line(),
            message: message.into(),
        }
    }

    fn replace_env(&mut self, text: &str) -> String {
        let (replaced, unknown) = replace_env_vars(text, self.env);
        self.corefile.unknown_env.extend(unknown);
        replaced
    }

    /// One server block or snippet definition, starting at the current token.
    fn parse_one(&mut self, line: usize) -> Result<Option<ServerBlock>, CorefileError> {
        let (keys, end) = self.addresses()?;
        if matches!(end, KeysEnd::Eof) {
            // A Corefile that is only a line of keys: a block without directives.
            return Ok((!keys.is_empty()).then_some(ServerBlock {
                keys,
                directives: Vec::new(),
                line,
            }));
        }
        if let [key] = keys.as_slice()
            && let Some(name) = key.strip_prefix('(').and_then(|k| k.strip_suffix(')'))
        {
            self.define_snippet(name.to_string())?;
            return Ok(None);
        }
        // The `{` may also start the line after the keys.
        let braced = self.val() == "{";
        if !braced {
            // A block without braces runs to the end of the text (or a stray `}`).
            self.cursor -= 1;
        }
        let directives = self.directives()?;
        if braced && self.val() != "}" {
            return Err(self.syntax(format!("unexpected token '{}', expecting '}}'", self.val())));
        }
        Ok((!keys.is_empty()).then_some(ServerBlock {
            keys,
            directives,
            line,
        }))
    }

    /// The keys of a block (`addresses`).
    fn addresses(&mut self) -> Result<(Vec<String>, KeysEnd), CorefileError> {
        let mut keys = Vec::new();
        let mut expecting_another = false;
        loop {
            let raw = self.val().to_string();
            if raw == "import" && self.is_new_line() {
                self.import()?;
                // The cursor stands on the first imported token: read it as a key.
                continue;
            }
            let token = self.replace_env(&raw);
            if token == "{" {
                if expecting_another {
                    return Err(
                        self.syntax("expected another address but had '{' - check for extra comma")
                    );
                }
                return Ok((keys, KeysEnd::Brace));
            }
            // An empty token (`""`, or an unset variable) is no key.
            if !token.is_empty() {
                match token.strip_suffix(',') {
                    Some(key) => {
                        expecting_another = true;
                        keys.push(key.to_string());
                    }
                    None => {
                        expecting_another = false;
                        keys.push(token);
                    }
                }
            }
            let has_next = self.next();
            if !has_next {
                if expecting_another {
                    return Err(self.syntax("unexpected EOF"));
                }
                return Ok((keys, KeysEnd::Eof));
            }
            if !expecting_another && self.is_new_line() {
                return Ok((keys, KeysEnd::Line));
            }
        }
    }

    /// Stores `(name) { … }`'s tokens for later imports (`snippetTokens`).
    fn define_snippet(&mut self, name: String) -> Result<(), CorefileError> {
        if self.snippets.contains_key(&name) {
            return Err(self.syntax(format!(
                "redeclaration of previously declared snippet {name}"
            )));
        }
        if self.val() != "{" {
            return Err(self.syntax(format!("unexpected token '{}', expecting '{{'", self.val())));
        }
        let mut depth = 1;
        let mut body = Vec::new();
        while self.next() {
            match self.val() {
                "}" => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                "{" => depth += 1,
                _ => {}
            }
            if let Some(token) = self.token(self.cursor) {
                body.push(token.clone());
            }
        }
        if depth != 0 {
            return Err(self.syntax(format!("unexpected token '{}', expecting '}}'", self.val())));
        }
        // CoreDNS refuses a snippet that imports itself at the start of one of its lines.
        for (i, pair) in body.windows(2).enumerate() {
            let at_line_start = i == 0 || body[i - 1].end_line() < pair[0].line;
            if pair[0].text == "import" && at_line_start && self.replace_env(&pair[1].text) == name
            {
                return Err(self.syntax(format!(
                    "maximum snippet import depth ({MAX_SNIPPET_EXPANSIONS}) exceeded"
                )));
            }
        }
        self.snippets.insert(name, body);
        Ok(())
    }

    /// The directives of a block up to its `}` or the end of the text (`directives`).
    fn directives(&mut self) -> Result<Vec<Directive>, CorefileError> {
        let mut directives = Vec::new();
        while self.next() {
            if self.val() == "}" {
                break;
            }
            if self.val() == "import" {
                self.import()?;
                self.cursor -= 1;
                continue;
            }
            directives.push(self.directive()?);
        }
        Ok(directives)
    }

    /// One directive's tokens: its line, and everything up to the `}` matching a `{` in it.
    fn directive(&mut self) -> Result<Directive, CorefileError> {
        let raw = self.val().to_string();
        let name = self.replace_env(&raw);
        let line = self.line();
        if !DIRECTIVES.contains(&name.as_str()) {
            return Err(self.syntax(format!("unknown directive '{name}'")));
        }
        let mut tokens = vec![Token { text: name, line }];
        let mut nesting = 0usize;
        while self.next() {
            let text = self.val().to_string();
            if text == "{" {
                nesting += 1;
            } else if self.is_new_line() && nesting == 0 {
                self.cursor -= 1;
                break;
            } else if text == "}" && nesting > 0 {
                nesting -= 1;
            } else if text == "}" {
                return Err(self.syntax("unexpected '}' because no matching opening brace"));
            } else if text == "import" && self.is_new_line() {
                self.import()?;
                self.cursor -= 1;
                continue;
            }
            let replaced = self.replace_env(&text);
            if let Some(token) = self.token(self.cursor) {
                tokens.push(Token {
                    text: replaced,
                    line: token.line,
                });
            }
        }
        if nesting > 0 {
            return Err(self.syntax("unexpected EOF"));
        }
        Ok(dispense(&tokens))
    }

    /// `import PATTERN` at the cursor: a snippet's tokens replace the two words; a file cannot
    /// be read offline and is listed instead (`doImport`). Leaves the cursor on the first
    /// imported token, as CoreDNS's does.
    fn import(&mut self) -> Result<(), CorefileError> {
        if !self.next_arg() {
            return Err(
                self.syntax("wrong argument count or unexpected line ending after 'import'")
            );
        }
        let raw = self.val().to_string();
        let pattern = self.replace_env(&raw);
        if pattern.is_empty() {
            return Err(self.syntax("import requires a non-empty filepath"));
        }
        if self.next_arg() {
            return Err(self.syntax("import takes only one argument (glob pattern or file)"));
        }
        let imported = match self.snippets.get(&pattern) {
            Some(body) => {
                if self.expansions >= MAX_SNIPPET_EXPANSIONS {
                    return Err(self.syntax(format!(
                        "maximum snippet import depth ({MAX_SNIPPET_EXPANSIONS}) exceeded"
                    )));
                }
                self.expansions += 1;
                body.clone()
            }
            None if self.later_snippets.contains(&pattern) => {
                // CoreDNS looks for a file of that name, finds none and stops.
                return Err(self.syntax(format!(
                    "import {pattern} comes before the snippet ({pattern}) is defined: CoreDNS reads it as a file name, and a file of that name is not found"
                )));
            }
            None => {
                let wildcards = pattern.matches('*').count() > 1
                    || pattern.matches('?').count() > 1
                    || (pattern.contains('[') && pattern.contains(']'));
                if wildcards {
                    return Err(self.syntax(format!(
                        "glob pattern may only contain one wildcard (*), but has others: {pattern}"
                    )));
                }
                self.corefile.file_imports.push(pattern);
                Vec::new()
            }
        };
        if self.tokens.len() + imported.len() > MAX_TOKENS {
            return Err(self.syntax(format!(
                "the tool does not accept this: the imports expand the Corefile beyond {MAX_TOKENS} words"
            )));
        }
        // The cursor is on the pattern: replace `import` and the pattern with the tokens.
        let at = usize::try_from(self.cursor - 1).unwrap_or(0);
        let end = usize::try_from(self.cursor + 1)
            .unwrap_or(at)
            .min(self.tokens.len());
        self.tokens.splice(at..end, imported);
        self.cursor -= 1;
        Ok(())
    }
}

/// Replaces `{%VAR%}` then `{$VAR}` references (`replaceEnvVars`); returns the names it had no
/// value for, which read as unset.
pub fn replace_env_vars(text: &str, env: &BTreeMap<String, String>) -> (String, Vec<String>) {
    let mut unknown = Vec::new();
    let mut out = text.to_string();
    for (start, end) in [("{%", "%}"), ("{$", "}")] {
        // A value that holds a reference again would loop forever in CoreDNS; the tool stops.
        let mut rounds = 0;
        while let Some(index) = out.find(start) {
            rounds += 1;
            let Some(offset) = out[index..].find(end) else {
                break;
            };
            let end_index = index + offset;
            if end_index <= index + start.len() || rounds > 64 {
                break;
            }
            let reference = out[index..end_index + end.len()].to_string();
            let name = &reference[start.len()..reference.len() - end.len()];
            let value = match env.get(name) {
                Some(value) => value.clone(),
                None => {
                    unknown.push(name.to_string());
                    String::new()
                }
            };
            out = out.replace(&reference, &value);
        }
    }
    (out, unknown)
}

/// A directive's tokens read the way a plugin's setup reads them with the dispenser: the
/// arguments of its line, then the block when `{` is on that line, then what is left.
fn dispense(tokens: &[Token]) -> Directive {
    let mut cursor = 0;
    let directive = dispense_one(tokens, &mut cursor);
    let mut directive = directive;
    directive.trailing = tokens
        .get(cursor + 1..)
        .unwrap_or_default()
        .iter()
        .map(|t| t.text.clone())
        .collect();
    directive
}

/// Reads the entry at `cursor` (its name, arguments and block), leaving the cursor on its last
/// token.
fn dispense_one(tokens: &[Token], cursor: &mut usize) -> Directive {
    let name = tokens
        .get(*cursor)
        .map_or(String::new(), |t| t.text.clone());
    let line = tokens.get(*cursor).map_or(0, |t| t.line);
    let same_line = |a: usize, b: usize| match (tokens.get(a), tokens.get(b)) {
        (Some(a), Some(b)) => a.end_line() == b.line,
        _ => false,
    };
    let mut args = Vec::new();
    while same_line(*cursor, *cursor + 1) {
        if tokens[*cursor + 1].text == "{" {
            break;
        }
        *cursor += 1;
        args.push(tokens[*cursor].text.clone());
    }
    let mut block = Vec::new();
    let mut braced = false;
    // `NextBlock`: the `{` must be on the line of the last argument; `{ }` is an empty block.
    if same_line(*cursor, *cursor + 1) && tokens[*cursor + 1].text == "{" {
        *cursor += 1;
        braced = true;
        while let Some(token) = tokens.get(*cursor + 1) {
            *cursor += 1;
            if token.text == "}" {
                break;
            }
            block.push(dispense_one(tokens, cursor));
        }
    }
    Directive {
        name,
        args,
        block,
        braced,
        trailing: Vec::new(),
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn parse_env(text: &str, env: &[(&str, &str)]) -> Result<Corefile, CorefileError> {
        let env = env
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        parse_blocks(tokenize(text), &env)
    }

    fn parse(text: &str) -> Result<Corefile, CorefileError> {
        parse_env(text, &[])
    }

    fn keys(corefile: &Corefile) -> Vec<Vec<&str>> {
        corefile
            .blocks
            .iter()
            .map(|b| b.keys.iter().map(String::as_str).collect())
            .collect()
    }

    /// Counts the tokens of each directive name as caddy's `ServerBlock.Tokens` map does (the
    /// name, its arguments, and a block's braces and words).
    fn token_counts(block: &ServerBlock) -> BTreeMap<String, usize> {
        fn count(d: &Directive) -> usize {
            let braces = if d.braced { 2 } else { 0 };
            1 + d.args.len() + braces + d.block.iter().map(count).sum::<usize>() + d.trailing.len()
        }
        let mut counts = BTreeMap::new();
        for d in &block.directives {
            *counts.entry(d.name.clone()).or_insert(0) += count(d);
        }
        counts
    }

    /// coredns/caddy `parse_test.go TestParseOneAndImport` and `TestParseAll`, restated with
    /// DNS directive names (the tables use HTTP ones, which a DNS server refuses): input,
    /// whether it errs, the keys per block and the tokens per directive of the first block.
    #[test]
    fn the_caddy_parser_table() {
        type Row = (
            &'static str,
            bool,
            &'static [&'static [&'static str]],
            &'static [(&'static str, usize)],
        );
        let table: &[Row] = &[
            ("localhost", false, &[&["localhost"]], &[]),
            ("localhost\n  log", false, &[&["localhost"]], &[("log", 1)]),
            (
                "localhost:1234\n  log foo bar",
                false,
                &[&["localhost:1234"]],
                &[("log", 3)],
            ),
            (
                "localhost {\n  log\n}",
                false,
                &[&["localhost"]],
                &[("log", 1)],
            ),
            (
                "localhost:1234 {\n  log foo bar\n  errors\n}",
                false,
                &[&["localhost:1234"]],
                &[("log", 3), ("errors", 1)],
            ),
            (
                "dns://localhost tls://localhost\n  log foo bar",
                false,
                &[&["dns://localhost", "tls://localhost"]],
                &[("log", 3)],
            ),
            (
                "dns://localhost, tls://localhost {\n  log foo bar\n}",
                false,
                &[&["dns://localhost", "tls://localhost"]],
                &[("log", 3)],
            ),
            ("dns://localhost, {\n}", true, &[], &[]),
            (
                "host1:80, dns://host2.com\n  log foo bar\n  errors baz",
                false,
                &[&["host1:80", "dns://host2.com"]],
                &[("log", 3), ("errors", 2)],
            ),
            (
                "dns://host1.com,\n  dns://host2.com,\n  tls://host3.com",
                false,
                &[&["dns://host1.com", "dns://host2.com", "tls://host3.com"]],
                &[],
            ),
            (
                "host1.com:1234, tls://host2.com\n  log foo {\n    bar baz\n  }\n  errors",
                false,
                &[&["host1.com:1234", "tls://host2.com"]],
                &[("log", 6), ("errors", 1)],
            ),
            (
                "127.0.0.1\n  log {\n    bar baz\n  }\n  errors {\n    foo bar\n  }",
                false,
                &[&["127.0.0.1"]],
                &[("log", 5), ("errors", 5)],
            ),
            ("localhost\n  log {\n    foo", true, &[], &[]),
            (
                "localhost\n  log {\n  }",
                false,
                &[&["localhost"]],
                &[("log", 3)],
            ),
            ("localhost\n  log {\n  } }", true, &[], &[]),
            ("", false, &[], &[]),
            ("\"\"", false, &[], &[]),
            ("import }{$\"", false, &[], &[]),
            ("import /*/*.txt", true, &[], &[]),
            ("import /???/?*?o", true, &[], &[]),
            ("import /[a-z]", true, &[], &[]),
            (
                "localhost:1234, dns://host2",
                false,
                &[&["localhost:1234", "dns://host2"]],
                &[],
            ),
            ("localhost:1234, dns://host2,", true, &[], &[]),
            (
                "localhost:1234 {\n}\nlocalhost:2015 {\n}",
                false,
                &[&["localhost:1234"], &["localhost:2015"]],
                &[],
            ),
            (
                "dns://host1.com, dns://host2.com {\n}\ntls://host3.com, tls://host4.com {\n}",
                false,
                &[
                    &["dns://host1.com", "dns://host2.com"],
                    &["tls://host3.com", "tls://host4.com"],
                ],
                &[],
            ),
            ("import notfound/*", false, &[], &[]),
        ];
        for (input, should_err, expected_keys, expected_tokens) in table {
            let result = parse(input);
            assert_eq!(result.is_err(), *should_err, "input {input:?}: {result:?}");
            let Ok(corefile) = result else { continue };
            let expected: Vec<Vec<&str>> = expected_keys.iter().map(|k| k.to_vec()).collect();
            assert_eq!(keys(&corefile), expected, "input {input:?}");
            if let Some(block) = corefile.blocks.first() {
                let expected: BTreeMap<String, usize> = expected_tokens
                    .iter()
                    .map(|(name, n)| ((*name).to_string(), *n))
                    .collect();
                assert_eq!(token_counts(block), expected, "input {input:?}");
            }
        }
    }

    /// `TestEnvironmentReplacement`, with the values given instead of read from the process.
    #[test]
    fn environment_references() {
        let env = [
            ("PORT", "8080"),
            ("ADDRESS", "servername.com"),
            ("FOOBAR", "foobar"),
            ("PARTIAL_DIR", "r1"),
        ];
        let first_key = |text: &str| parse_env(text, &env).unwrap().blocks[0].keys[0].clone();
        assert_eq!(first_key("{$ADDRESS}"), "servername.com");
        assert_eq!(first_key("di{$PARTIAL_DIR}"), "dir1");
        assert_eq!(first_key("{$ADDRESS}:{$PORT}"), "servername.com:8080");
        assert_eq!(first_key("{%ADDRESS%}:{$PORT}"), "servername.com:8080");
        assert_eq!(first_key("{$ADDRESS}:{%PORT%}"), "servername.com:8080");
        let arg =
            |text: &str| parse_env(text, &env).unwrap().blocks[0].directives[0].args[0].clone();
        assert_eq!(arg(":{%PORT%}\nlog {$FOOBAR}"), "foobar");
        assert_eq!(
            arg(":{%PORT%}\nlog {%ADDRESS%}/{%FOOBAR%}"),
            "servername.com/foobar"
        );
        assert_eq!(arg(":1234\nlog {%ADDRESS}"), "{%ADDRESS}");
        assert_eq!(
            arg(":1234\nlog \"Test {$FOOBAR} test\""),
            "Test foobar test"
        );
        assert_eq!(
            arg(":1234\ntemplate \"{{ .Name }} {$FOOBAR}\""),
            "{{ .Name }} foobar"
        );
        // `{$PORT$}` names a variable `PORT$`: unset, it reads as empty.
        let corefile = parse_env(":{$PORT$}", &env).unwrap();
        assert_eq!(corefile.blocks[0].keys[0], ":");
        assert_eq!(corefile.unknown_env, BTreeSet::from(["PORT$".to_string()]));
        // The directive name is replaced too.
        let corefile = parse_env(".:53 {\n{$PLUGIN} x\n}", &[("PLUGIN", "log")]).unwrap();
        assert_eq!(corefile.blocks[0].directives[0].name, "log");
    }

    #[test]
    fn snippets_everywhere_the_parser_allows_them() {
        // `TestSnippets`: a snippet in a block.
        let corefile =
            parse("(common) {\n log foo\n errors stderr\n}\n.:53 {\n import common\n}\n").unwrap();
        assert_eq!(corefile.blocks.len(), 1);
        assert_eq!(corefile.blocks[0].keys, ["..:53"[1..].to_string()]);
        assert_eq!(token_counts(&corefile.blocks[0]).len(), 2);
        assert_eq!(corefile.blocks[0].directives[1].args, ["stderr"]);
        // Inside a directive's block: the options come from the snippet.
        let corefile = parse(
            "(opts) {\n pods insecure\n ttl 30\n}\n.:53 {\n kubernetes cluster.local {\n  import opts\n  fallthrough\n }\n}\n",
        )
        .unwrap();
        let k8s = &corefile.blocks[0].directives[0];
        let names: Vec<&str> = k8s.block.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["pods", "ttl", "fallthrough"]);
        // At the top level: a whole server block from a snippet.
        let corefile =
            parse("(zone) {\n example.org:53 {\n  whoami\n }\n}\nimport zone\n").unwrap();
        assert_eq!(keys(&corefile), [["example.org:53"]]);
        // Snippets importing snippets defined before them.
        let corefile =
            parse("(a) {\n log\n}\n(b) {\n import a\n errors\n}\n.:53 {\n import b\n}\n").unwrap();
        assert_eq!(corefile.blocks[0].directives.len(), 2);
    }

    #[test]
    fn what_coredns_refuses_about_imports() {
        // `TestSnippetImportCycle`: directly and through another level.
        assert!(parse("(loop) {\nimport loop\n}\nimport loop\n").is_err());
        assert!(parse("(loop) {\n{ }\nimport loop\n}\nimport loop\n").is_err());
        // Two snippets importing each other reach the expansion cap.
        let cycle = parse("(a) {\n import b\n}\n(b) {\n import a\n}\n.:53 {\n import a\n}\n");
        assert!(
            matches!(cycle, Err(CorefileError::Syntax { .. })),
            "{cycle:?}"
        );
        // A snippet used before its definition is read as a file name.
        let early = parse(".:53 {\n import common\n}\n(common) {\n log\n}\n").unwrap_err();
        assert!(early.to_string().contains("before the snippet"), "{early}");
        assert!(parse("(a) {\n log\n}\n(a) {\n errors\n}\n").is_err());
        assert!(parse(".:53 {\n import\n}").is_err());
        assert!(parse(".:53 {\n import a b\n}").is_err());
        let files = parse(".:53 {\n import custom/*.override\n log\n}\n").unwrap();
        assert_eq!(files.file_imports, ["custom/*.override"]);
        assert_eq!(files.blocks[0].directives[0].name, "log");
    }

    #[test]
    fn the_dispenser_reads_arguments_and_blocks() {
        let corefile = parse(
            ".:53 {\n kubernetes cluster.local in-addr.arpa {\n  pods insecure\n  ttl 30\n }\n cache 30 {\n  denial 9984 5\n }\n}\n",
        )
        .unwrap();
        let block = &corefile.blocks[0];
        let k8s = &block.directives[0];
        assert_eq!(k8s.args, ["cluster.local", "in-addr.arpa"]);
        assert_eq!(k8s.block.len(), 2);
        assert_eq!(block.directives[1].block[0].args, ["9984", "5"]);
        // On one line the closing brace is an argument of the last option.
        let corefile = parse(".:53 {\n cache 30 { denial 9984 5 }\n}\n").unwrap();
        assert_eq!(
            corefile.blocks[0].directives[0].block[0].args,
            ["9984", "5", "}"]
        );
        // A `{` on the next line is part of the directive, but no block to its plugin.
        let corefile =
            parse(".:53 {\n kubernetes cluster.local\n {\n  pods insecure\n }\n}\n").unwrap();
        let k8s = &corefile.blocks[0].directives[0];
        assert!(k8s.block.is_empty());
        assert_eq!(k8s.trailing, ["{", "pods", "insecure", "}"]);
        // `{ }` right after the arguments is an empty block.
        for text in [
            ".:53 {\n kubernetes cluster.local { }\n}\n",
            ".:53 {\n kubernetes cluster.local {\n }\n}\n",
        ] {
            let corefile = parse(text).unwrap();
            let k8s = &corefile.blocks[0].directives[0];
            assert!(
                k8s.braced && k8s.block.is_empty() && k8s.trailing.is_empty(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn unknown_directives_and_braces() {
        assert!(
            parse(".:53 {\n frobnicate\n}\n")
                .unwrap_err()
                .to_string()
                .contains("unknown directive")
        );
        assert!(parse(".:53 {\n log\n").is_err(), "a block left open");
        assert!(parse(".:53 {\n log }\n").is_err());
        // A `{` after keys on their own line still opens the block.
        let corefile = parse(".:53\n{\n log\n}\n").unwrap();
        assert_eq!(corefile.blocks[0].directives[0].name, "log");
        // A block without braces runs to the end of the text.
        let corefile = parse(".:53\nlog\nerrors\n").unwrap();
        assert_eq!(corefile.blocks[0].directives.len(), 2);
    }
}
