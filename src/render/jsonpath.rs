//! kubectl's JSONPath templates (`-o jsonpath=…`, custom columns, `--sort-by`), applied to our
//! JSON documents. The dialect is kubectl's, not RFC 9535: text outside `{}` is printed as is,
//! `{range EXPR}…{end}` repeats its body per element, `{"\n"}` is a literal, and an expression
//! that yields several values prints them separated by spaces. Supported, as kubectl documents
//! them: `$` and `@`, `.field` and `['field']`, `..field` (recursive descent), `*` and `[*]`,
//! `[n]` (negative from the end), `[start:end:step]`, unions `['a','b']` and `[0,2]`, and
//! filters `[?(@.k)]` and `[?(@.k OP value)]` with `==`, `!=`, `<`, `<=`, `>`, `>=`. A missing
//! key yields nothing, as `kubectl get -o jsonpath` does (it allows missing keys).
//!
//! Pure: no I/O. The template text comes from the command line; the values it prints come
//! from objects and pass [`super::escape::terminal`].

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

/// A template that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid jsonpath template {template:?} at character {at}: {problem}")]
pub struct JsonPathError {
    /// The template as given.
    pub template: String,
    /// The 0-based character offset of the problem.
    pub at: usize,
    /// What is wrong there.
    pub problem: String,
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    nodes: Vec<Node>,
}

/// One expression (`.a.b[*]`): what `--sort-by` and a custom column evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Values(Path),
    Range(Path, Vec<Node>),
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// `$`: back to the document's root.
    Root,
    /// `@`: the current element (a no-op step).
    Current,
    Field(String),
    /// `*` or `[*]`: every member of an object or element of an array.
    Wildcard,
    /// `..`: the value and all its descendants; the next step selects among them.
    Descend,
    Index(i64),
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// `[a,b]`: each member evaluated over all current values, the results one after another
    /// (so `['a','b']` on two items gives both `a`s, then both `b`s, as kubectl prints them).
    Union(Vec<Vec<Step>>),
    Filter(Box<Filter>),
}

#[derive(Debug, Clone, PartialEq)]
struct Filter {
    left: Operand,
    /// `None`: keep the elements for which `left` yields a value (`[?(@.name)]`).
    compare: Option<(Op, Operand)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Path(Path),
    Literal(Value),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The members of the document's root that a template or path can read: the caller builds
/// only those (a cluster's `names` alone can be a gigabyte as a `Value`). Conservative: anything
/// the walk cannot pin to named members reads them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootReach {
    /// Every member: the root itself is printed or compared, or a step other than `.field`
    /// (`*`, `..`, an index, a slice, a union, a filter) is applied to it.
    All,
    /// Only these members; none when every path stays below the element it starts from.
    Members(BTreeSet<String>),
}

impl RootReach {
    /// Whether the member `name` of the root may be read.
    pub fn includes(&self, name: &str) -> bool {
        match self {
            RootReach::All => true,
            RootReach::Members(members) => members.contains(name),
        }
    }

    /// Whether no member of the root is read at all.
    pub fn is_none(&self) -> bool {
        matches!(self, RootReach::Members(members) if members.is_empty())
    }

    /// Nothing of the root.
    pub fn none() -> RootReach {
        RootReach::Members(BTreeSet::new())
    }

    fn add(&mut self, name: &str) {
        if let RootReach::Members(members) = self {
            members.insert(name.to_string());
        }
    }

    /// Everything either reaches.
    pub fn union(mut self, other: RootReach) -> RootReach {
        match (&mut self, other) {
            (RootReach::All, _) | (_, RootReach::All) => RootReach::All,
            (RootReach::Members(mine), RootReach::Members(theirs)) => {
                mine.extend(theirs);
                self
            }
        }
    }
}

/// Follows `steps` from the root (`at_root`) or from an element below it, adding to `reach`
/// every root member they read; returns whether the values they end at include the root.
fn reach_steps(steps: &[Step], mut at_root: bool, reach: &mut RootReach) -> bool {
    for step in steps {
        match step {
            Step::Root => at_root = true,
            Step::Current => {}
            Step::Field(name) => {
                if at_root {
                    reach.add(name);
                }
                at_root = false;
            }
            Step::Union(members) => {
                if at_root {
                    *reach = RootReach::All;
                }
                for member in members {
                    if reach_steps(member, at_root, reach) {
                        *reach = RootReach::All;
                    }
                }
                at_root = false;
            }
            Step::Filter(filter) => {
                if at_root {
                    *reach = RootReach::All;
                }
                reach_filter(filter, reach);
                at_root = false;
            }
            Step::Wildcard | Step::Descend | Step::Index(_) | Step::Slice(..) => {
                if at_root {
                    *reach = RootReach::All;
                }
                at_root = false;
            }
        }
    }
    at_root
}

/// What a filter's operands read of the root: each is evaluated on a candidate element, and one
/// that comes back to the root compares the root itself.
fn reach_filter(filter: &Filter, reach: &mut RootReach) {
    let right = filter.compare.as_ref().map(|(_, right)| right);
    for operand in std::iter::once(&filter.left).chain(right) {
        if let Operand::Path(path) = operand
            && reach_steps(&path.steps, false, reach)
        {
            *reach = RootReach::All;
        }
    }
}

/// [`reach_steps`] over a template's nodes, evaluated at the root or at an element.
fn reach_nodes(nodes: &[Node], at_root: bool, reach: &mut RootReach) {
    for node in nodes {
        match node {
            Node::Text(_) => {}
            Node::Values(path) => {
                // Printing the root prints every member.
                if reach_steps(&path.steps, at_root, reach) {
                    *reach = RootReach::All;
                }
            }
            Node::Range(path, body) => {
                // A range whose path ends at the root runs its body on the root (`run`).
                let body_at_root = reach_steps(&path.steps, at_root, reach);
                reach_nodes(body, body_at_root, reach);
            }
        }
    }
}

impl Template {
    /// Parses a kubectl template.
    pub fn parse(text: &str) -> Result<Template, JsonPathError> {
        let mut parser = TemplateParser {
            text,
            chars: text.char_indices().collect(),
            pos: 0,
        };
        let (nodes, end) = parser.nodes(false)?;
        if end {
            return Err(parser.error(text.chars().count(), "{end} without {range}"));
        }
        Ok(Template { nodes })
    }

    /// The members of the root the template can read (see [`RootReach`]).
    pub fn root_reach(&self) -> RootReach {
        let mut reach = RootReach::none();
        reach_nodes(&self.nodes, true, &mut reach);
        reach
    }

    /// The text the template prints for `root`.
    pub fn execute(&self, root: &Value) -> String {
        let mut out = String::new();
        run(&self.nodes, root, root, &mut out);
        out
    }

    /// Whether the template can be run with the array `member` of the root given one element
    /// at a time ([`Template::execute_streamed`]), and then what it reads of the rest of the
    /// root. It can when every top-level expression that reads `member` only walks its
    /// elements one by one: `{.member[*]…}` with no union after the wildcard (a union gathers
    /// across elements), or `{range .member}` / `{range .member[*]}`, with nothing after the
    /// member coming back to it through `$`.
    pub fn streamed_reach(&self, member: &str) -> Option<RootReach> {
        let mut reach = RootReach::none();
        for node in &self.nodes {
            let mut own = RootReach::none();
            reach_nodes(std::slice::from_ref(node), true, &mut own);
            if !own.includes(member) {
                reach = reach.union(own);
                continue;
            }
            let (_, after) = streamed_walk(node, member)?;
            if after.includes(member) {
                return None;
            }
            reach = reach.union(after);
        }
        Some(reach)
    }

    /// [`Template::execute`] over `root` with its array `member` given by `elements`, one
    /// element at a time, instead of held in `root`: what it prints is the same, provided
    /// [`Template::streamed_reach`] allowed it. `elements` is called once per expression that
    /// walks the member.
    pub fn execute_streamed<'v, I, E>(
        &self,
        root: &Value,
        member: &str,
        elements: impl Fn() -> I,
    ) -> Result<String, E>
    where
        I: Iterator<Item = Result<std::borrow::Cow<'v, Value>, E>>,
    {
        let mut out = String::new();
        for node in &self.nodes {
            match streamed_walk(node, member) {
                Some((Streamed::Values { filter, rest }, _)) => {
                    let mut texts = Vec::new();
                    for element in elements() {
                        let element = element?;
                        // The filter over the array tests each element as one candidate.
                        if filter.is_some_and(|filter| !filter.keeps(root, &element)) {
                            continue;
                        }
                        texts.extend(select(rest, root, vec![&*element]).into_iter().map(printed));
                    }
                    out.push_str(&texts.join(" "));
                }
                Some((Streamed::Range(body), _)) => {
                    for element in elements() {
                        run(body, root, &*element?, &mut out);
                    }
                }
                None => run(std::slice::from_ref(node), root, root, &mut out),
            }
        }
        Ok(out)
    }
}

/// How an expression from the root walks the array `member`.
enum MemberWalk<'s> {
    /// `.member REST`.
    Whole(&'s [Step]),
    /// `.member[*] REST`: every element, then REST on each.
    Elements(&'s [Step]),
    /// `.member[?(…)] REST`: the elements the filter keeps, then REST on each.
    Filtered(&'s Filter, &'s [Step]),
}

/// `steps` as `[$ or @…] .member …` (see [`MemberWalk`]).
fn walk_of_member<'s>(steps: &'s [Step], member: &str) -> Option<MemberWalk<'s>> {
    let start = steps
        .iter()
        .position(|step| !matches!(step, Step::Root | Step::Current))?;
    match &steps[start..] {
        [Step::Field(name), Step::Wildcard, rest @ ..] if name == member => {
            Some(MemberWalk::Elements(rest))
        }
        [Step::Field(name), Step::Filter(filter), rest @ ..] if name == member => {
            Some(MemberWalk::Filtered(filter, rest))
        }
        [Step::Field(name), rest @ ..] if name == member => Some(MemberWalk::Whole(rest)),
        _ => None,
    }
}

/// A top-level node that walks the elements of a member one by one: what runs on each element.
enum Streamed<'n> {
    /// `{.member[*] REST}` or `{.member[?(…)] REST}`: REST on each element the filter keeps.
    Values {
        filter: Option<&'n Filter>,
        rest: &'n [Step],
    },
    /// `{range .member}…{end}` or `{range .member[*]}…{end}`: the body on each element.
    Range(&'n [Node]),
}

/// For a top-level node that walks the elements of `member` one by one, what runs on each
/// element and what that reads of the root; `None` for any other node.
fn streamed_walk<'n>(node: &'n Node, member: &str) -> Option<(Streamed<'n>, RootReach)> {
    let mut reach = RootReach::none();
    let streamed = match node {
        Node::Values(path) => {
            let (filter, rest) = match walk_of_member(&path.steps, member)? {
                MemberWalk::Elements(rest) => (None, rest),
                MemberWalk::Filtered(filter, rest) => (Some(filter), rest),
                MemberWalk::Whole(_) => return None,
            };
            // Each step after the member maps each value on its own, so the values of all the
            // elements are those of each element one after another; a union evaluates its
            // members over all the values together, and does not.
            if rest.iter().any(|step| matches!(step, Step::Union(_))) {
                return None;
            }
            if let Some(filter) = filter {
                reach_filter(filter, &mut reach);
            }
            if reach_steps(rest, false, &mut reach) {
                return None;
            }
            Streamed::Values { filter, rest }
        }
        Node::Range(path, body) => {
            // `{range .member}` iterates the array it names, `{range .member[*]}` its elements.
            match walk_of_member(&path.steps, member)? {
                MemberWalk::Whole([]) | MemberWalk::Elements([]) => {}
                _ => return None,
            }
            reach_nodes(body, false, &mut reach);
            Streamed::Range(body)
        }
        Node::Text(_) => return None,
    };
    Some((streamed, reach))
}

impl Path {
    /// Parses one expression the way kubectl relaxes custom-column and `--sort-by` paths:
    /// `{.a.b}`, `.a.b` and `a.b` are the same.
    pub fn parse_relaxed(text: &str) -> Result<Path, JsonPathError> {
        let trimmed = text.trim();
        let inner = trimmed
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(trimmed);
        let inner = inner.trim();
        let body = if inner.starts_with('.') || inner.starts_with('$') || inner.starts_with('@') {
            inner.to_string()
        } else {
            format!(".{inner}")
        };
        if inner.is_empty() {
            return Err(JsonPathError {
                template: text.to_string(),
                at: 0,
                problem: "the path is empty".to_string(),
            });
        }
        parse_path(&body).map_err(|(at, problem)| JsonPathError {
            template: text.to_string(),
            at,
            problem,
        })
    }

    /// The members of the root the path can read when it is evaluated on an element below the
    /// root, as custom columns and `--sort-by` evaluate it (see [`RootReach`]).
    pub fn root_reach(&self) -> RootReach {
        let mut reach = RootReach::none();
        if reach_steps(&self.steps, false, &mut reach) {
            reach = RootReach::All;
        }
        reach
    }

    /// Every value the path selects in `current` (with `root` for `$`), in document order.
    pub fn select<'a>(&self, root: &'a Value, current: &'a Value) -> Vec<&'a Value> {
        select(&self.steps, root, vec![current])
    }

    /// Whether the path selects single values (no wildcard, slice, union, filter or descent):
    /// a range over such a path iterates the array it names.
    fn names_one(&self) -> bool {
        self.steps.iter().all(|step| {
            matches!(
                step,
                Step::Root | Step::Current | Step::Field(_) | Step::Index(_)
            )
        })
    }
}

/// How kubectl prints one value: strings raw, everything else as compact JSON.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The order `--sort-by` uses: numbers by value, strings by text, `false` before `true`;
/// values of different kinds by kind; a missing value first.
pub fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn rank(value: &Value) -> u8 {
        match value {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                x.partial_cmp(&y).unwrap_or(Ordering::Equal)
            }
            (Value::String(x), Value::String(y)) => x.cmp(y),
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            _ if rank(a) != rank(b) => rank(a).cmp(&rank(b)),
            _ => a.to_string().cmp(&b.to_string()),
        },
    }
}

fn run(nodes: &[Node], root: &Value, current: &Value, out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Values(path) => {
                let texts: Vec<String> = path
                    .select(root, current)
                    .into_iter()
                    .map(printed)
                    .collect();
                out.push_str(&texts.join(" "));
            }
            Node::Range(path, body) => {
                let selected = path.select(root, current);
                let items: Vec<&Value> = match selected.as_slice() {
                    // `{range .items}` names the array; `{range .items[*]}` its elements.
                    [Value::Array(items)] if path.names_one() => items.iter().collect(),
                    _ => selected,
                };
                for item in items {
                    run(body, root, item, out);
                }
            }
        }
    }
}

/// One selected value as a template prints it. Values come from objects: escaped, as every
/// renderer escapes them.
fn printed(value: &Value) -> String {
    super::escape::terminal(&value_text(value)).into_owned()
}

fn select<'a>(steps: &[Step], root: &'a Value, mut values: Vec<&'a Value>) -> Vec<&'a Value> {
    for step in steps {
        values = match step {
            Step::Union(members) => members
                .iter()
                .flat_map(|member| select(member, root, values.clone()))
                .collect(),
            _ => {
                let mut next = Vec::new();
                for value in values {
                    apply(step, root, value, &mut next);
                }
                next
            }
        };
    }
    values
}

fn apply<'a>(step: &Step, root: &'a Value, value: &'a Value, out: &mut Vec<&'a Value>) {
    match step {
        Step::Root => out.push(root),
        Step::Current => out.push(value),
        Step::Field(name) => {
            if let Some(found) = value.as_object().and_then(|o| o.get(name)) {
                out.push(found);
            }
        }
        Step::Wildcard => match value {
            Value::Array(items) => out.extend(items.iter()),
            Value::Object(members) => out.extend(members.values()),
            _ => {}
        },
        Step::Descend => descend(value, out),
        Step::Index(index) => {
            if let Some(found) = value.as_array().and_then(|items| at(items, *index)) {
                out.push(found);
            }
        }
        // Handled over the whole list in `select`.
        Step::Union(_) => {}
        Step::Slice(start, end, step) => {
            if let Some(items) = value.as_array() {
                out.extend(slice(items, *start, *end, *step));
            }
        }
        Step::Filter(filter) => {
            let candidates: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            out.extend(
                candidates
                    .into_iter()
                    .filter(|item| filter.keeps(root, item)),
            );
        }
    }
}

fn descend<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    out.push(value);
    match value {
        Value::Array(items) => items.iter().for_each(|item| descend(item, out)),
        Value::Object(members) => members.values().for_each(|member| descend(member, out)),
        _ => {}
    }
}

fn at(items: &[Value], index: i64) -> Option<&Value> {
    let len = i64::try_from(items.len()).ok()?;
    let index = if index < 0 { len + index } else { index };
    usize::try_from(index).ok().and_then(|i| items.get(i))
}

fn slice(items: &[Value], start: Option<i64>, end: Option<i64>, step: Option<i64>) -> Vec<&Value> {
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let clamp = |bound: i64| -> i64 {
        let bound = if bound < 0 { len + bound } else { bound };
        bound.clamp(0, len)
    };
    let step = step.unwrap_or(1);
    if step <= 0 {
        return Vec::new();
    }
    let (start, end) = (clamp(start.unwrap_or(0)), clamp(end.unwrap_or(len)));
    let mut picked = Vec::new();
    let mut index = start;
    while index < end {
        if let Some(item) = usize::try_from(index).ok().and_then(|i| items.get(i)) {
            picked.push(item);
        }
        index += step;
    }
    picked
}

impl Filter {
    fn keeps(&self, root: &Value, item: &Value) -> bool {
        let left = self.left.values(root, item);
        let Some((op, right)) = &self.compare else {
            return !left.is_empty();
        };
        let right = right.values(root, item);
        let (Some(left), Some(right)) = (left.first(), right.first()) else {
            return false;
        };
        let ordering = match (left, right) {
            (Value::Number(_), Value::Number(_)) | (Value::String(_), Value::String(_)) => {
                compare_values(Some(left), Some(right))
            }
            // Other kinds are only equal or not.
            _ if left == right => Ordering::Equal,
            _ => return *op == Op::Ne,
        };
        match op {
            Op::Eq => ordering == Ordering::Equal,
            Op::Ne => ordering != Ordering::Equal,
            Op::Lt => ordering == Ordering::Less,
            Op::Le => ordering != Ordering::Greater,
            Op::Gt => ordering == Ordering::Greater,
            Op::Ge => ordering != Ordering::Less,
        }
    }
}

impl Operand {
    fn values<'a>(&'a self, root: &'a Value, item: &'a Value) -> Vec<&'a Value> {
        match self {
            Operand::Path(path) => path.select(root, item),
            Operand::Literal(value) => vec![value],
        }
    }
}

struct TemplateParser<'t> {
    text: &'t str,
    chars: Vec<(usize, char)>,
    pos: usize,
}

impl TemplateParser<'_> {
    fn error(&self, at: usize, problem: &str) -> JsonPathError {
        JsonPathError {
            template: self.text.to_string(),
            at,
            problem: problem.to_string(),
        }
    }

    /// Nodes up to the end of the text (`false`) or up to an `{end}` (`true`).
    fn nodes(&mut self, in_range: bool) -> Result<(Vec<Node>, bool), JsonPathError> {
        let mut nodes = Vec::new();
        let mut text = String::new();
        while self.pos < self.chars.len() {
            let (_, c) = self.chars[self.pos];
            if c != '{' {
                text.push(c);
                self.pos += 1;
                continue;
            }
            if !text.is_empty() {
                nodes.push(Node::Text(std::mem::take(&mut text)));
            }
            let open = self.pos;
            let inner = self.action()?;
            let action = inner.trim();
            if action == "end" {
                if !in_range {
                    return Err(self.error(open, "{end} without {range}"));
                }
                return Ok((nodes, true));
            }
            if let Some(path) = action.strip_prefix("range ") {
                let path = self.path(path.trim(), open)?;
                let (body, closed) = self.nodes(true)?;
                if !closed {
                    return Err(self.error(open, "{range} without {end}"));
                }
                nodes.push(Node::Range(path, body));
            } else if action.starts_with('"') {
                nodes.push(Node::Text(
                    self.literal(action).map_err(|p| self.error(open, &p))?,
                ));
            } else if action.is_empty() {
                return Err(self.error(open, "empty {}"));
            } else {
                nodes.push(Node::Values(self.path(action, open)?));
            }
        }
        if !text.is_empty() {
            nodes.push(Node::Text(text));
        }
        Ok((nodes, false))
    }

    /// The text between `{` at `pos` and its `}` (quotes and brackets may hold braces).
    fn action(&mut self) -> Result<String, JsonPathError> {
        let open = self.pos;
        self.pos += 1;
        let mut inner = String::new();
        let mut quote: Option<char> = None;
        let mut depth = 0usize;
        while self.pos < self.chars.len() {
            let (_, c) = self.chars[self.pos];
            self.pos += 1;
            match quote {
                Some(q) => {
                    if c == '\\' && self.pos < self.chars.len() {
                        inner.push(c);
                        inner.push(self.chars[self.pos].1);
                        self.pos += 1;
                        continue;
                    }
                    if c == q {
                        quote = None;
                    }
                }
                None => match c {
                    '"' | '\'' => quote = Some(c),
                    '[' | '(' => depth += 1,
                    ']' | ')' => depth = depth.saturating_sub(1),
                    '}' if depth == 0 => return Ok(inner),
                    _ => {}
                },
            }
            inner.push(c);
        }
        Err(self.error(
            open,
            match (quote, depth) {
                (Some(_), _) => "unterminated quote inside {",
                (None, 0) => "unclosed {",
                _ => "unclosed [ or ( inside {",
            },
        ))
    }

    fn path(&self, text: &str, at: usize) -> Result<Path, JsonPathError> {
        parse_path(text).map_err(|(offset, problem)| self.error(at + 1 + offset, &problem))
    }

    /// `"…"` with Go's escapes `\n`, `\t`, `\r`, `\"`, `\\`.
    fn literal(&self, action: &str) -> Result<String, String> {
        let body = action
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
            .ok_or_else(|| "a literal must be one quoted string".to_string())?;
        let mut out = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                other => {
                    return Err(format!(
                        "unknown escape \\{}",
                        other.map(String::from).unwrap_or_default()
                    ));
                }
            }
        }
        Ok(out)
    }
}

/// Parses an expression: `$`/`@`, then `.name`, `..name`, `.*`, `[…]`; a bare leading name is
/// a field. Errors carry the character offset.
fn parse_path(text: &str) -> Result<Path, (usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut steps = Vec::new();
    let mut pos = 0;
    match chars.first() {
        Some('$') => {
            steps.push(Step::Root);
            pos = 1;
        }
        Some('@') => {
            steps.push(Step::Current);
            pos = 1;
        }
        _ => {}
    }
    // A bare name at the start (`{kind}`) is a field of the current element.
    if chars.get(pos).is_some_and(|c| is_name_char(*c)) {
        let (name, next) = name_at(&chars, pos);
        steps.push(Step::Field(name));
        pos = next;
    }
    while pos < chars.len() {
        match chars[pos] {
            '.' if chars.get(pos + 1) == Some(&'.') => {
                steps.push(Step::Descend);
                pos += 2;
                match chars.get(pos) {
                    Some('*') => {
                        steps.push(Step::Wildcard);
                        pos += 1;
                    }
                    Some(c) if is_name_char(*c) => {
                        let (name, next) = name_at(&chars, pos);
                        steps.push(Step::Field(name));
                        pos = next;
                    }
                    Some('[') => {}
                    _ => return Err((pos, "expected a name after ..".to_string())),
                }
            }
            '.' => {
                pos += 1;
                match chars.get(pos) {
                    Some('*') => {
                        steps.push(Step::Wildcard);
                        pos += 1;
                    }
                    Some(c) if is_name_char(*c) => {
                        let (name, next) = name_at(&chars, pos);
                        steps.push(Step::Field(name));
                        pos = next;
                    }
                    // `{.}` and a trailing dot name the current element itself.
                    None => {}
                    Some('[') => {}
                    Some(c) => return Err((pos, format!("unexpected {c:?} after ."))),
                }
            }
            '[' => {
                let close = bracket_end(&chars, pos).ok_or((pos, "unclosed [".to_string()))?;
                let inner: String = chars[pos + 1..close].iter().collect();
                steps.push(bracket(inner.trim()).map_err(|problem| (pos, problem))?);
                pos = close + 1;
            }
            ' ' | '\t' => return Err((pos, "unexpected space in a path".to_string())),
            c => return Err((pos, format!("unexpected {c:?}"))),
        }
    }
    Ok(Path { steps })
}

/// Whether `c` may start or continue a field name: anything but kubectl's terminators.
fn is_name_char(c: char) -> bool {
    !matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}' | '(' | ')'
    ) && c != '*'
}

/// A field name from `start`: up to the next unescaped terminator, `\x` standing for `x` (so
/// `kubernetes\.io/hostname` is one key).
fn name_at(chars: &[char], start: usize) -> (String, usize) {
    let mut name = String::new();
    let mut end = start;
    while end < chars.len() {
        let c = chars[end];
        if c == '\\' && end + 1 < chars.len() {
            name.push(chars[end + 1]);
            end += 2;
            continue;
        }
        if !is_name_char(c) {
            break;
        }
        name.push(c);
        end += 1;
    }
    (name, end)
}

/// The index of the `]` closing the `[` at `open`, skipping quotes and nested brackets.
fn bracket_end(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut index = open;
    while index < chars.len() {
        let c = chars[index];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '[' => depth += 1,
                ']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(index);
                    }
                }
                _ => {}
            },
        }
        index += 1;
    }
    None
}

fn bracket(inner: &str) -> Result<Step, String> {
    if let Some(filter) = inner.strip_prefix('?') {
        let body = filter
            .trim()
            .strip_prefix('(')
            .and_then(|f| f.strip_suffix(')'))
            .ok_or_else(|| "a filter is [?(…)]".to_string())?;
        return Ok(Step::Filter(Box::new(parse_filter(body.trim())?)));
    }
    let members = split_top(inner, ',');
    if members.len() > 1 {
        return members
            .into_iter()
            .map(|member| member_steps(member.trim()))
            .collect::<Result<Vec<_>, _>>()
            .map(Step::Union);
    }
    let mut steps = member_steps(inner)?;
    Ok(match steps.len() {
        1 => steps.remove(0),
        _ => Step::Union(vec![steps]),
    })
}

/// One member of a bracket: `*`, an index, a slice, or a quoted key — which kubectl reads as a
/// path, so `['metadata.name']` is `.metadata.name` (escape a dot in a key as `\.`).
fn member_steps(inner: &str) -> Result<Vec<Step>, String> {
    if inner == "*" {
        return Ok(vec![Step::Wildcard]);
    }
    if inner.starts_with('\'') || inner.starts_with('"') {
        let key = unquote(inner)?;
        return parse_path(&format!(".{key}"))
            .map(|path| path.steps)
            .map_err(|(_, problem)| problem);
    }
    if inner.contains(':') {
        let parts: Vec<&str> = inner.split(':').collect();
        if parts.len() > 3 {
            return Err(format!("invalid slice [{inner}]"));
        }
        let bound = |i: usize| -> Result<Option<i64>, String> {
            match parts.get(i).map(|p| p.trim()) {
                None | Some("") => Ok(None),
                Some(text) => text
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("invalid slice bound {text:?}")),
            }
        };
        return Ok(vec![Step::Slice(bound(0)?, bound(1)?, bound(2)?)]);
    }
    inner
        .trim()
        .parse::<i64>()
        .map(|index| vec![Step::Index(index)])
        .map_err(|_| format!("invalid array index [{inner}]"))
}

fn unquote(text: &str) -> Result<String, String> {
    let quote = text.chars().next().ok_or("empty name")?;
    text.strip_prefix(quote)
        .and_then(|t| t.strip_suffix(quote))
        .map(str::to_string)
        .ok_or_else(|| format!("unterminated quote in {text}"))
}

/// Splits on `sep` outside quotes.
fn split_top(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (index, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == sep => {
                parts.push(&text[start..index]);
                start = index + c.len_utf8();
            }
            None => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_filter(body: &str) -> Result<Filter, String> {
    const OPS: [(&str, Op); 6] = [
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("<", Op::Lt),
        (">", Op::Gt),
    ];
    // The first operator outside quotes splits the filter.
    let mut quote: Option<char> = None;
    let mut found: Option<(usize, &str, Op)> = None;
    for (index, c) in body.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None => {
                if let Some((text, op)) =
                    OPS.iter().find(|(text, _)| body[index..].starts_with(text))
                {
                    found = Some((index, text, *op));
                    break;
                }
            }
        }
    }
    match found {
        None => Ok(Filter {
            left: operand(body)?,
            compare: None,
        }),
        Some((index, text, op)) => Ok(Filter {
            left: operand(body[..index].trim())?,
            compare: Some((op, operand(body[index + text.len()..].trim())?)),
        }),
    }
}

fn operand(text: &str) -> Result<Operand, String> {
    if text.starts_with('@') || text.starts_with('$') {
        return parse_path(text)
            .map(Operand::Path)
            .map_err(|(_, problem)| problem);
    }
    if text.starts_with('\'') || text.starts_with('"') {
        return unquote(text).map(|s| Operand::Literal(Value::String(s)));
    }
    match text {
        "true" => return Ok(Operand::Literal(Value::Bool(true))),
        "false" => return Ok(Operand::Literal(Value::Bool(false))),
        "null" => return Ok(Operand::Literal(Value::Null)),
        _ => {}
    }
    serde_json::from_str::<serde_json::Number>(text)
        .map(|n| Operand::Literal(Value::Number(n)))
        .map_err(|_| format!("{text:?} is not @.path, a quoted string, a number or true/false"))
}

/// Writes `values` of one custom column as kubectl does: `<none>` for nothing, several joined
/// by commas.
pub fn column_text(values: &[&Value]) -> String {
    if values.is_empty() {
        return "<none>".to_string();
    }
    let mut out = String::new();
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}", super::escape::terminal(&value_text(value)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(template: &str, doc: &Value) -> String {
        Template::parse(template)
            .unwrap_or_else(|e| panic!("{e}"))
            .execute(doc)
    }

    fn members(names: &[&str]) -> RootReach {
        RootReach::Members(names.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn root_reach_names_the_members_a_template_reads() {
        for (template, reach) in [
            ("{.records[*].name}", members(&["records"])),
            (
                "{range .records[*]}{.name}{\"\\n\"}{end}",
                members(&["records"]),
            ),
            (
                "{range .names}{.name} {.causes[*]}{end}",
                members(&["names"]),
            ),
            (
                "{.zone} {$.ttl} {@.config.ttl}",
                members(&["config", "ttl", "zone"]),
            ),
            (
                "{range .records[*]}{$.zone}{.name}{end}",
                members(&["records", "zone"]),
            ),
            (
                "{.records[?(@.name == $.zone)].ttl}",
                members(&["records", "zone"]),
            ),
            ("text only", members(&[])),
            ("{..name}", RootReach::All),
            ("{.*}", RootReach::All),
            ("{$}", RootReach::All),
            ("{@}", RootReach::All),
            ("{['records','names']}", RootReach::All),
            ("{range $}{.records[0].name}{end}", members(&["records"])),
            ("{range .records[*]}{$}{end}", RootReach::All),
            ("{.records[?(@.name == $)]}", RootReach::All),
        ] {
            let parsed = Template::parse(template).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(parsed.root_reach(), reach, "{template}");
        }
        for (path, reach) in [
            (".name", members(&[])),
            (".source.pod", members(&[])),
            ("$.zone", members(&["zone"])),
            ("{.data[?(@ == $.ttl)]}", members(&["ttl"])),
            ("$", RootReach::All),
            ("$..name", RootReach::All),
        ] {
            let parsed = Path::parse_relaxed(path).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(parsed.root_reach(), reach, "{path}");
        }
    }

    /// What a template prints does not change when the members it does not reach are emptied,
    /// as the record view's partial document empties them.
    #[test]
    fn a_template_prints_the_same_over_the_members_it_reaches() {
        let full = json!({
            "zone": "cluster.local.",
            "ttl": 5,
            "config": {"ttl": 5, "zones": ["cluster.local."]},
            "records": [
                {"name": "a.ns.svc.cluster.local.", "type": "A", "ttl": 5, "data": "10.0.0.1"},
                {"name": "cluster.local.", "type": "NS", "ttl": 5, "data": "ns.dns.cluster.local."}
            ],
            "names": [{"name": "b.ns.svc.cluster.local.", "state": "absent", "causes": ["no endpoints"]}],
            "findings": [{"id": "DNS001", "message": "m"}],
            "notes": [{"level": "info", "message": "n"}]
        });
        for template in [
            "{.records[*].name}",
            "{range .records[*]}{$.zone} {.name}{\"\\n\"}{end}",
            "{.records[?(@.name == $.zone)].type}",
            "{range .names[*]}{.name}: {.causes[0]}{end}",
            "{.findings[0].id} {.notes[*].message} {.ttl}",
            "{..name}",
            "{range $}{.records[1].data}{end}",
            "{@.config.zones[0]}",
        ] {
            let parsed = Template::parse(template).unwrap_or_else(|e| panic!("{e}"));
            let reach = parsed.root_reach();
            let mut partial = full.clone();
            if let Some(object) = partial.as_object_mut() {
                for (name, member) in object.iter_mut() {
                    if !reach.includes(name) && member.is_array() {
                        *member = json!([]);
                    }
                }
            }
            assert_eq!(
                parsed.execute(&partial),
                parsed.execute(&full),
                "{template}"
            );
        }
    }

    /// A template run with the records given one at a time prints what it prints over the whole
    /// document; templates that gather across records are not run that way.
    #[test]
    fn streamed_records_print_what_the_whole_document_prints() {
        let full = json!({
            "zone": "cluster.local.",
            "records": [
                {"name": "a.ns.svc.cluster.local.", "type": "A", "data": "10.0.0.1", "source": {"pod": "a-0"}},
                {"name": "_http._tcp.a.ns.svc.cluster.local.", "type": "SRV", "data": "0 100 80 a."},
                {"name": "b.ns.svc.cluster.local.", "type": "A", "data": "10.0.0.2", "source": {"pod": "b-0"}}
            ],
            "names": [{"name": "c.ns.svc.cluster.local.", "state": "absent"}]
        });
        let records: Vec<Value> = full["records"].as_array().cloned().unwrap_or_default();
        let mut rest = full.clone();
        rest["records"] = json!([]);
        for (template, streams) in [
            ("{.records[*].name}", true),
            ("{$.records[*].source.pod}", true),
            (r#"{range .records[*]}{$.zone} {.name}{"\n"}{end}"#, true),
            (r#"{range .records}{.type}{"\n"}{end}"#, true),
            (
                r#"zone {.zone}: {.records[?(@.type == "A")].data} {.names[0].name}"#,
                true,
            ),
            ("{.records[*]..pod}", true),
            ("{.records[*]['name','type']}", false),
            ("{.records[0].name}", false),
            ("{.records[-1:].name}", false),
            ("{range .records[*]}{$.records[0].name}{end}", false),
            ("{..name}", false),
            ("{.zone}", true),
        ] {
            let parsed = Template::parse(template).unwrap_or_else(|e| panic!("{e}"));
            let reach = parsed.streamed_reach("records");
            assert_eq!(reach.is_some(), streams, "{template}");
            if let Some(reach) = reach {
                assert!(!reach.includes("records"), "{template}");
                let streamed = parsed.execute_streamed(&rest, "records", || {
                    records
                        .iter()
                        .map(|r| Ok::<_, ()>(std::borrow::Cow::Borrowed(r)))
                });
                assert_eq!(streamed, Ok(parsed.execute(&full)), "{template}");
            }
        }
    }

    /// The JSON of kubectl's JSONPath documentation (kubectl reference, "JSONPath Support").
    fn kubectl_doc() -> Value {
        json!({
          "kind": "List",
          "items": [
            {
              "kind": "None",
              "metadata": {"name": "127.0.0.1", "labels": {"kubernetes.io/hostname": "127.0.0.1"}},
              "status": {
                "capacity": {"cpu": "4"},
                "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.1"}]
              }
            },
            {
              "kind": "None",
              "metadata": {"name": "127.0.0.2"},
              "status": {
                "capacity": {"cpu": "8"},
                "addresses": [
                  {"type": "LegacyHostIP", "address": "127.0.0.2"},
                  {"type": "another", "address": "127.0.0.3"}
                ]
              }
            }
          ],
          "users": [
            {"name": "myself", "user": {}},
            {"name": "e2e", "user": {"username": "admin", "password": "secret"}}
          ]
        })
    }

    #[test]
    fn kubectl_documented_examples() {
        let doc = kubectl_doc();
        // The table of kubectl's documentation, row by row.
        assert_eq!(run("{.kind}", &doc), "List");
        assert_eq!(run("{['kind']}", &doc), "List");
        assert_eq!(run("{$.kind}", &doc), "List");
        assert_eq!(
            run("{.items[*].metadata.name}", &doc),
            "127.0.0.1 127.0.0.2"
        );
        assert_eq!(run("{..name}", &doc), "127.0.0.1 127.0.0.2 myself e2e");
        assert_eq!(run("{.users[0].name}", &doc), "myself");
        assert_eq!(run("{.items[0].kind}", &doc), "None");
        assert_eq!(run("{.items[-1].metadata.name}", &doc), "127.0.0.2");
        assert_eq!(run("{.users[0:1].name}", &doc), "myself");
        assert_eq!(
            run("{.users[?(@.name==\"e2e\")].user.password}", &doc),
            "secret"
        );
        assert_eq!(
            run("{.items[*]['metadata.name', 'status.capacity']}", &doc),
            r#"127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}"#
        );
        assert_eq!(run("{['metadata.name']}", &doc["items"][1]), "127.0.0.2");
        assert_eq!(
            run("{.items[0]['metadata', 'kind']}", &doc),
            r#"{"labels":{"kubernetes.io/hostname":"127.0.0.1"},"name":"127.0.0.1"} None"#
        );
        assert_eq!(
            run(
                "{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}",
                &doc
            ),
            r#"[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] "#
        );
        assert_eq!(
            run(r"{.items[*].metadata.labels.kubernetes\.io/hostname}", &doc),
            "127.0.0.1"
        );
        assert_eq!(
            run(
                r#"{range .items[*]}{.metadata.name}{"\t"}{.status.capacity.cpu}{"\n"}{end}"#,
                &doc
            ),
            "127.0.0.1\t4\n127.0.0.2\t8\n"
        );
        assert_eq!(
            run(
                "{.items[*].status.addresses[?(@.type==\"another\")].address}",
                &doc
            ),
            "127.0.0.3"
        );
    }

    /// The same forms on this tool's `dnsrecords/v1` document.
    #[test]
    fn our_schema() {
        let doc = json!({
            "schema": "dnsrecords/v1",
            "zone": "cluster.local.",
            "records": [
                {"name": "redis.cache.svc.cluster.local.", "type": "A", "ttl": 30, "data": "10.96.20.15",
                 "source": {"kind": "Service", "namespace": "cache", "name": "redis"}},
                {"name": "redis.cache.svc.cluster.local.", "type": "SRV", "ttl": 30,
                 "data": "0 100 6379 redis.cache.svc.cluster.local.",
                 "source": {"kind": "Service", "namespace": "cache", "name": "redis"}},
                {"name": "redis-0.redis-headless.cache.svc.cluster.local.", "type": "A", "ttl": 30,
                 "data": "10.244.1.10",
                 "source": {"kind": "Endpoint", "namespace": "cache", "name": "redis-headless", "pod": "redis-0"}}
            ],
            "findings": [{"id": "unnamed-port", "severity": "info"}]
        });
        assert_eq!(run("{.schema}", &doc), "dnsrecords/v1");
        assert_eq!(
            run("{.records[?(@.type==\"A\")].data}", &doc),
            "10.96.20.15 10.244.1.10"
        );
        assert_eq!(
            run(r#"{range .records[*]}{.name}{" "}{.type}{"\n"}{end}"#, &doc),
            "redis.cache.svc.cluster.local. A\nredis.cache.svc.cluster.local. SRV\nredis-0.redis-headless.cache.svc.cluster.local. A\n"
        );
        assert_eq!(
            run("{.records[?(@.source.pod)].source.pod}", &doc),
            "redis-0"
        );
        assert_eq!(run("{.records[?(@.ttl>=30)].type}", &doc), "A SRV A");
        assert_eq!(run("{.records[?(@.type!='A')].type}", &doc), "SRV");
        assert_eq!(run("{.findings[*].id}", &doc), "unnamed-port");
        assert_eq!(
            run("{.records[5].name}", &doc),
            "",
            "a missing index prints nothing"
        );
        assert_eq!(
            run("{.nothing.here}", &doc),
            "",
            "missing keys print nothing"
        );
        assert_eq!(run("{range .findings}{.id};{end}", &doc), "unnamed-port;");
        assert_eq!(run("zone={.zone}", &doc), "zone=cluster.local.");
        assert_eq!(run("{.records[0].ttl}", &doc), "30");
        assert_eq!(run("{.records[0:3:2].type}", &doc), "A A");
        assert_eq!(run("{.records[0,1].type}", &doc), "A SRV");
        // Object members in key order: serde_json's map is sorted.
        assert_eq!(run("{.records[0].source.*}", &doc), "Service redis cache");
    }

    #[test]
    fn malformed_templates_are_errors_with_a_position() {
        for (template, at) in [
            ("{.a", 0),
            ("{range .a}x", 0),
            ("x{end}", 1),
            ("{}", 0),
            ("{.a[}", 0),
            ("{.a b}", 3),
            ("{\"\\q\"}", 0),
        ] {
            let err = Template::parse(template).expect_err(template);
            assert_eq!(err.at, at, "{template}: {err}");
            assert!(
                err.to_string().starts_with(&format!(
                    "invalid jsonpath template {template:?} at character"
                )),
                "{err}"
            );
        }
    }

    #[test]
    fn relaxed_paths_as_custom_columns_take_them() {
        let doc = json!({"a": {"b": [1, 2]}});
        for text in ["{.a.b}", ".a.b", "a.b"] {
            let path = Path::parse_relaxed(text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(column_text(&path.select(&doc, &doc)), "[1,2]", "{text}");
        }
        let each = Path::parse_relaxed(".a.b[*]").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(column_text(&each.select(&doc, &doc)), "1,2");
        let none = Path::parse_relaxed(".x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(column_text(&none.select(&doc, &doc)), "<none>");
        assert!(Path::parse_relaxed("").is_err());
    }

    #[test]
    fn sort_order_is_numeric_for_numbers_and_missing_first() {
        let (one, ten, a) = (json!(1), json!(10), json!("a"));
        assert_eq!(compare_values(Some(&one), Some(&ten)), Ordering::Less);
        assert_eq!(compare_values(None, Some(&one)), Ordering::Less);
        assert_eq!(compare_values(Some(&ten), Some(&a)), Ordering::Less);
        assert_eq!(
            compare_values(Some(&json!("10.0.0.9")), Some(&json!("10.0.0.10"))),
            Ordering::Greater,
            "strings compare as text, as kubectl's do"
        );
    }
}
