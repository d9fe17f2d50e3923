//! Tokens → server blocks and their directives, with `(snippet)` definitions expanded where a
//! block says `import NAME`.

use std::collections::HashMap;

use super::CorefileError;
use super::lexer::Token;

/// One directive (`kubernetes cluster.local { … }`) with its arguments and sub-block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The directive's name.
    pub name: String,
    /// Its arguments on the same line.
    pub args: Vec<String>,
    /// The directives inside its `{ … }`, if any.
    pub block: Vec<Directive>,
    /// The line it starts on.
    pub line: usize,
}

/// One server block: its keys (`.:53`, `cluster.local:53`) and directives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerBlock {
    /// The keys before the `{`.
    pub keys: Vec<String>,
    /// The plugins configured in it.
    pub directives: Vec<Directive>,
    /// The line the block starts on.
    pub line: usize,
}

/// The parsed Corefile: server blocks, plus imports of files the tool cannot follow.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Corefile {
    /// Server blocks in order.
    pub blocks: Vec<ServerBlock>,
    /// Arguments of `import` directives that named files rather than snippets.
    pub file_imports: Vec<String>,
}

struct Cursor<'a> {
    tokens: &'a [Token],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<&'a Token> {
        let token = self.tokens.get(self.pos);
        self.pos += 1;
        token
    }

    fn last_line(&self) -> usize {
        self.tokens.last().map_or(1, |t| t.line)
    }
}

/// Parses tokens into server blocks.
pub fn parse_blocks(tokens: &[Token]) -> Result<Corefile, CorefileError> {
    let mut cursor = Cursor { tokens, pos: 0 };
    let mut snippets: HashMap<String, Vec<Directive>> = HashMap::new();
    let mut raw_blocks = Vec::new();
    while let Some(first) = cursor.peek() {
        let line = first.line;
        let mut keys = Vec::new();
        let opened = loop {
            match cursor.next() {
                Some(token) if token.is_open() => break true,
                Some(token) if token.is_close() => {
                    return Err(CorefileError::Syntax {
                        line: token.line,
                        message: "unexpected '}'".to_string(),
                    });
                }
                Some(token) => keys.extend(
                    token
                        .text
                        .split(',')
                        .filter(|k| !k.is_empty())
                        .map(str::to_string),
                ),
                None => break false,
            }
        };
        if !opened {
            return Err(CorefileError::Syntax {
                line,
                message: format!("server block {:?} has no '{{'", keys.join(" ")),
            });
        }
        let directives = parse_directives(&mut cursor, true)?;
        match keys.as_slice() {
            [key] if key.starts_with('(') && key.ends_with(')') => {
                snippets.insert(key[1..key.len() - 1].to_string(), directives);
            }
            _ => raw_blocks.push(ServerBlock {
                keys,
                directives,
                line,
            }),
        }
    }
    let mut corefile = Corefile::default();
    for mut block in raw_blocks {
        block.directives = expand_imports(block.directives, &snippets, &mut corefile.file_imports);
        corefile.blocks.push(block);
    }
    Ok(corefile)
}

/// Reads directives up to the closing `}` (or the end, for the top level).
fn parse_directives(cursor: &mut Cursor, nested: bool) -> Result<Vec<Directive>, CorefileError> {
    let mut directives = Vec::new();
    loop {
        let Some(token) = cursor.next() else {
            if nested {
                return Err(CorefileError::Syntax {
                    line: cursor.last_line(),
                    message: "missing '}'".to_string(),
                });
            }
            return Ok(directives);
        };
        if token.is_close() {
            return Ok(directives);
        }
        if token.is_open() {
            return Err(CorefileError::Syntax {
                line: token.line,
                message: "unexpected '{'".to_string(),
            });
        }
        let mut directive = Directive {
            name: token.text.clone(),
            args: Vec::new(),
            block: Vec::new(),
            line: token.line,
        };
        while let Some(next) = cursor.peek() {
            if next.line != directive.line || next.is_close() {
                break;
            }
            cursor.next();
            if next.is_open() {
                directive.block = parse_directives(cursor, true)?;
                break;
            }
            directive.args.push(next.text.clone());
        }
        directives.push(directive);
    }
}

fn expand_imports(
    directives: Vec<Directive>,
    snippets: &HashMap<String, Vec<Directive>>,
    file_imports: &mut Vec<String>,
) -> Vec<Directive> {
    let mut out = Vec::new();
    for directive in directives {
        if directive.name == "import" {
            for arg in &directive.args {
                match snippets.get(arg) {
                    Some(body) => out.extend(body.iter().cloned()),
                    None => file_imports.push(arg.clone()),
                }
            }
            continue;
        }
        out.push(directive);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn parse(text: &str) -> Corefile {
        parse_blocks(&tokenize(text).unwrap()).unwrap()
    }

    #[test]
    fn nested_blocks_and_one_line_blocks() {
        let corefile = parse(
            ".:53 {\n errors\n kubernetes cluster.local in-addr.arpa {\n  pods insecure\n  ttl 30\n }\n cache 30 { denial 9984 5 }\n}\n",
        );
        let block = &corefile.blocks[0];
        assert_eq!(block.keys, vec![".:53"]);
        let names: Vec<&str> = block.directives.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, vec!["errors", "kubernetes", "cache"]);
        let k8s = &block.directives[1];
        assert_eq!(k8s.args, vec!["cluster.local", "in-addr.arpa"]);
        assert_eq!(k8s.block.len(), 2);
        assert_eq!(block.directives[2].block[0].args, vec!["9984", "5"]);
    }

    #[test]
    fn snippets_and_file_imports() {
        let corefile =
            parse("(common) {\n log\n}\n.:53 {\n import common\n import custom/*.override\n}\n");
        assert_eq!(corefile.blocks.len(), 1);
        assert_eq!(corefile.blocks[0].directives[0].name, "log");
        assert_eq!(corefile.file_imports, vec!["custom/*.override"]);
    }

    #[test]
    fn unbalanced_braces_are_errors() {
        assert!(parse_blocks(&tokenize(".:53 {\n log\n").unwrap()).is_err());
        assert!(parse_blocks(&tokenize("}\n").unwrap()).is_err());
        assert!(parse_blocks(&tokenize(".:53\n").unwrap()).is_err());
    }
}
