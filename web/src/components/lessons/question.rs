//! A graded question: a number checked against the run or a choice; a wrong answer gets
//! the hint, "show the answer" the measured explanation.

use yew::prelude::*;

use selfpage_core::lessons::{Answer, Grade, Lesson};

use super::Ui;
use crate::lesson::Progress;
use crate::markdown::{inline, render};

/// A student's answer to one question and what the page said about it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Answering {
    /// What was typed or chosen (a choice's index).
    input: String,
    /// The last verdict.
    verdict: Option<Grade>,
    /// Whether "show the answer" was pressed.
    shown: bool,
    /// The value measured from the run, once needed.
    measured: Option<Result<u64, String>>,
}

/// A change to one answer (and the progress, when it is right).
type AnswerEdit = Box<dyn Fn(&mut Answering, &mut Progress)>;

/// One graded question.
pub(super) fn question(ui: &UseStateHandle<Ui>, lesson: &Lesson, qi: usize) -> Html {
    let Some(q) = lesson.question.get(qi) else {
        return html! {};
    };
    let key = (lesson.number, qi);
    let a = ui.answers.get(&key).cloned().unwrap_or_default();
    let id = format!("q-{}", qi + 1);
    let update = {
        let ui = ui.clone();
        move |f: AnswerEdit| {
            let mut next = (*ui).clone();
            let mut entry = next.answers.get(&key).cloned().unwrap_or_default();
            f(&mut entry, &mut next.progress);
            next.answers.insert(key, entry);
            ui.set(next);
        }
    };
    let on_input = {
        let update = update.clone();
        Callback::from(move |e: InputEvent| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let v = input.value();
            update(Box::new(move |a, _| {
                a.input = v.clone();
                a.verdict = None;
            }));
        })
    };
    let check = {
        let update = update.clone();
        let q = q.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let q = q.clone();
            update(Box::new(move |a, progress| {
                let measured = a
                    .measured
                    .get_or_insert_with(|| q.measured().map_err(|e| e.to_string()))
                    .clone();
                a.verdict = Some(match measured {
                    Ok(v) => q.grade(&a.input, v),
                    Err(msg) => Grade::Invalid(format!("the run could not be measured: {msg}")),
                });
                if a.verdict == Some(Grade::Right) && progress.answer(key.0, key.1) {
                    progress.save();
                }
            }));
        })
    };
    let show = {
        let update = update.clone();
        let q = q.clone();
        Callback::from(move |_: MouseEvent| {
            let q = q.clone();
            update(Box::new(move |a, _| {
                a.shown = true;
                if a.measured.is_none() {
                    a.measured = Some(q.measured().map_err(|e| e.to_string()));
                }
            }));
        })
    };
    let value = a.measured.clone().and_then(Result::ok).unwrap_or(0);
    let answered_before = ui
        .progress
        .lessons
        .get(&lesson.number)
        .is_some_and(|p| p.questions.contains(&qi));
    let field = match &q.answer {
        Answer::Number { .. } => html! {
            <input type="text" inputmode="numeric" id={format!("{id}-input")} aria-label="Your answer" placeholder="a number" value={a.input.clone()} oninput={on_input} />
        },
        Answer::Choice { options, .. } => html! {
            <div class="choices" role="radiogroup">
                { for options.iter().enumerate().map(|(oi, o)| {
                    let update = update.clone();
                    let onchange = Callback::from(move |_: Event| {
                        update(Box::new(move |a, _| {
                            a.input = oi.to_string();
                            a.verdict = None;
                        }));
                    });
                    html! {
                        <label class="choice">
                            <input type="radio" name={id.clone()} id={format!("{id}-option-{}", oi + 1)} checked={a.input == oi.to_string()} {onchange} />
                            { inline(o) }
                        </label>
                    }
                }) }
            </div>
        },
    };
    let verdict = match &a.verdict {
        Some(Grade::Right) => html! {
            <div class="verdict right" id={format!("{id}-verdict")} role="status">
                <strong>{"Right. "}</strong>{ render(&q.explain(value)) }
            </div>
        },
        Some(Grade::Wrong) => html! {
            <div class="verdict wrong" id={format!("{id}-verdict")} role="status">
                <strong>{"Not quite. "}</strong>{ inline(&q.hint) }
            </div>
        },
        Some(Grade::Invalid(msg)) => html! {
            <div class="verdict invalid" id={format!("{id}-verdict")} role="status">{ msg }</div>
        },
        None => html! {},
    };
    let right = a.verdict == Some(Grade::Right);
    html! {
        <form class={classes!("question", right.then_some("right"), answered_before.then_some("answered"))} id={id.clone()} onsubmit={check}>
            <div class="q-text">{ render(&q.text) }</div>
            <div class="q-answer">
                { field }
                <button type="submit" class="chip primary" id={format!("{id}-check")}>{"Check"}</button>
                if !right && !a.shown && a.verdict.is_some() {
                    <button type="button" class="link" id={format!("{id}-show")} onclick={show}>{"Show the answer"}</button>
                }
            </div>
            { verdict }
            if a.shown && !right {
                <div class="verdict shown" id={format!("{id}-answer")}>
                    <strong>{ format!("Answer: {}. ", q.answer_text(value)) }</strong>{ render(&q.explain(value)) }
                </div>
            }
        </form>
    }
}
