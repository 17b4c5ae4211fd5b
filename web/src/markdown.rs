//! The small part of Markdown the lessons use, rendered as Yew nodes (never as raw HTML):
//! paragraphs, bullet lists (two levels), fenced code, and inline `code`, **bold** and
//! *emphasis*.

use yew::prelude::*;

/// One block of a lesson text.
#[derive(Debug, PartialEq)]
enum Block {
    /// A paragraph.
    Para(String),
    /// A bullet list item, with its nesting depth (0 or 1).
    Item(usize, String),
    /// A fenced code block.
    Code(String),
}

/// Splits a text into blocks.
fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let depth = (line.len() - trimmed.len()) / 2;
        if trimmed.starts_with("```") {
            let mut code = Vec::new();
            for l in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                code.push(l.strip_prefix("  ").unwrap_or(l));
            }
            out.push(Block::Code(code.join("\n")));
        } else if let Some(item) = trimmed
            .strip_prefix("* ")
            .or_else(|| trimmed.strip_prefix("- "))
        {
            out.push(Block::Item(depth.min(1), item.to_string()));
        } else if trimmed.is_empty() {
            out.push(Block::Para(String::new()));
        } else {
            match out.last_mut() {
                Some(Block::Para(p) | Block::Item(_, p)) if !p.is_empty() => {
                    p.push(' ');
                    p.push_str(trimmed);
                }
                _ => out.push(Block::Para(trimmed.to_string())),
            }
        }
    }
    out.retain(|b| !matches!(b, Block::Para(p) if p.is_empty()));
    out
}

/// Renders inline Markdown: `code`, **bold**, *emphasis*.
pub fn inline(text: &str) -> Html {
    let mut parts = Vec::new();
    for (i, piece) in text.split('`').enumerate() {
        if i % 2 == 1 {
            parts.push(html! { <code>{ piece }</code> });
            continue;
        }
        for (j, strong) in piece.split("**").enumerate() {
            let em_parts: Vec<Html> = strong
                .split('*')
                .enumerate()
                .map(|(k, t)| {
                    if k % 2 == 1 {
                        html! { <em>{ t }</em> }
                    } else {
                        html! { { t } }
                    }
                })
                .collect();
            if j % 2 == 1 {
                parts.push(html! { <strong>{ for em_parts }</strong> });
            } else {
                parts.extend(em_parts);
            }
        }
    }
    html! { <>{ for parts }</> }
}

/// Renders a Markdown text.
pub fn render(text: &str) -> Html {
    let mut out = Vec::new();
    let mut items: Vec<Html> = Vec::new();
    let mut sub: Vec<Html> = Vec::new();
    let flush_sub = |items: &mut Vec<Html>, sub: &mut Vec<Html>| {
        if !sub.is_empty() {
            items.push(html! { <li class="sub"><ul>{ for sub.drain(..) }</ul></li> });
        }
    };
    for b in blocks(text) {
        match b {
            Block::Item(0, t) => {
                flush_sub(&mut items, &mut sub);
                items.push(html! { <li>{ inline(&t) }</li> });
            }
            Block::Item(_, t) => sub.push(html! { <li>{ inline(&t) }</li> }),
            other => {
                flush_sub(&mut items, &mut sub);
                if !items.is_empty() {
                    out.push(html! { <ul>{ for items.drain(..) }</ul> });
                }
                out.push(match other {
                    Block::Code(c) => html! { <pre class="md-code">{ c }</pre> },
                    Block::Para(p) => html! { <p>{ inline(&p) }</p> },
                    Block::Item(..) => Html::default(),
                });
            }
        }
    }
    flush_sub(&mut items, &mut sub);
    if !items.is_empty() {
        out.push(html! { <ul>{ for items }</ul> });
    }
    html! { <>{ for out }</> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_continuations_and_code_blocks_are_split_as_written() {
        let b = blocks("Intro line\ngoes on.\n\n* one\n  more\n  * nested\n\n```sh\n  x\n```\n");
        assert_eq!(
            b,
            vec![
                Block::Para("Intro line goes on.".into()),
                Block::Item(0, "one more".into()),
                Block::Item(1, "nested".into()),
                Block::Code("x".into()),
            ]
        );
    }
}
