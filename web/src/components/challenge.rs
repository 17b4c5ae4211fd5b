//! A challenge in the Lessons pane: the task, the starting program, and the result card
//! that grades the scenario in the editor from its real run against LRU and OPT.

use yew::prelude::*;

use selfpage_core::challenges::{Challenge, Goal, Score, Verdict};
use selfpage_core::lessons::group_digits;

use crate::markdown::{inline, render};
use crate::state::{Action, AppState};

/// Props of a challenge view.
#[derive(Properties, PartialEq, Clone)]
pub struct ChallengeProps {
    /// The app state and its dispatcher.
    pub state: UseReducerHandle<AppState>,
    /// The challenge.
    pub challenge: Challenge,
    /// Back to the list.
    pub on_back: Callback<()>,
}

/// The challenge view.
#[component]
pub fn ChallengeView(props: &ChallengeProps) -> Html {
    let result = use_state(|| None::<Result<Verdict, String>>);
    let c = &props.challenge;
    let load = {
        let (state, c, result) = (props.state.clone(), c.clone(), result.clone());
        Callback::from(move |_: MouseEvent| match c.start_scenario() {
            Ok(s) => {
                result.set(None);
                state.dispatch(Action::Load(Box::new(s)));
                store_in_location(c.number);
            }
            Err(e) => state.dispatch(Action::Fail(e.to_string())),
        })
    };
    let submit = {
        let (state, c, result) = (props.state.clone(), c.clone(), result.clone());
        Callback::from(move |_: MouseEvent| {
            result.set(Some(c.grade(&state.scenario).map_err(|e| e.to_string())));
            store_in_location(c.number);
        })
    };
    let back = {
        let on_back = props.on_back.clone();
        Callback::from(move |_: MouseEvent| on_back.emit(()))
    };
    let goal = match c.goal {
        Goal::VsOpt { percent } => format!("faults ≤ {percent} % of OPT's"),
        Goal::VsLru { percent } => format!("faults ≤ {percent} % of LRU's"),
        Goal::ExitsCleanly => "every task exits 0".into(),
    };
    html! {
        <article class="lesson challenge" id={format!("challenge-{}", c.number)}>
            <nav class="lesson-nav">
                <button class="link" id="challenge-back" onclick={back}>{"← All lessons"}</button>
                <span class="muted small">{ format!("Challenge {} · after lesson {}", c.number, c.lesson) }</span>
            </nav>
            <h3 class="lesson-title">{ &c.title }</h3>
            <div class="goal"><span class="label">{ format!("Goal: {goal}") }</span>{ render(&c.task) }</div>
            <details class="hint"><summary>{"A hint"}</summary><p>{ inline(&c.hint) }</p></details>
            <ol class="challenge-how">
                <li><button class="chip" id="challenge-load" onclick={load}>{"Load the starting program"}</button>{ " into the editor." }</li>
                <li>{"Change it in the editor, then "}<strong>{"Assemble & load"}</strong>{" to try it."}</li>
                <li><button class="chip primary" id="challenge-submit" onclick={submit}>{"Submit for grading"}</button>{" runs it to the end."}</li>
            </ol>
            { card(result.as_ref()) }
            <p class="muted small">{"The address bar holds this challenge and your scenario: copy it to share your solution."}</p>
        </article>
    }
}

/// The result card.
fn card(result: Option<&Result<Verdict, String>>) -> Html {
    match result {
        None => html! {},
        Some(Err(msg)) => html! {
            <div class="result-card refused" id="challenge-result" role="status">
                <strong>{"Not graded: "}</strong>{ msg }
            </div>
        },
        Some(Ok(v)) => {
            let row = |name: &str, s: Option<Score>, class: &str| match s {
                Some(s) => html! {
                    <tr class={class.to_string()}>
                        <th>{ name }</th>
                        <td class="num">{ group_digits(s.faults) }</td>
                        <td class="num">{ s.time.map(group_digits).unwrap_or_else(|| "—".into()) }</td>
                    </tr>
                },
                None => html! {},
            };
            html! {
                <div class={classes!("result-card", if v.met { "met" } else { "missed" })} id="challenge-result" data-met={v.met.to_string()} role="status">
                    <p class="result-head">{ if v.met { "✓ Goal met" } else { "✗ Not yet" } }</p>
                    <table class="result-table">
                        <thead><tr><th></th><th class="num">{"faults"}</th><th class="num">{"time"}</th></tr></thead>
                        <tbody>
                            { row("yours", Some(v.yours), "yours") }
                            { row("LRU", v.lru, "") }
                            { row("OPT", v.opt, "") }
                        </tbody>
                    </table>
                    <p class="result-reason">{ &v.reason }</p>
                    if v.opt.is_some() {
                        <p class="muted small">{"OPT is Belady's policy replayed on the program's page references: it needs the future, so it has no live run and no time."}</p>
                    }
                </div>
            }
        }
    }
}

/// Puts `?challenge=N` into the URL, keeping the scenario fragment (the solution).
fn store_in_location(n: usize) {
    crate::lesson::store_query(&format!("?challenge={n}"));
}
