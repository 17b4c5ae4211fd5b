//! One open lesson: goal, scenarios, steps ticked from the session, questions, discussion,
//! and the presenter view's rule.

use yew::prelude::*;

use selfpage_core::lessons::{self, Act, Lesson};
use selfpage_core::presets;

use super::links::{link_button, link_missing};
use super::question::question;
use super::{mark, open_lesson, LessonsProps, Ui};
use crate::lesson::{self as classroom, Mark};
use crate::markdown::render;
use crate::state::Action;

/// One lesson: goal, scenarios, steps, questions, discussion.
pub(super) fn view_lesson(
    props: &LessonsProps,
    ui: &UseStateHandle<Ui>,
    lesson: &Lesson,
    count: usize,
) -> Html {
    let state = &props.state;
    let ticks: Vec<bool> = (0..lesson.step.len())
        .map(|i| {
            state
                .session
                .as_ref()
                .is_some_and(|s| lesson.ticked(i, &s.borrow()))
        })
        .collect();
    let seen = ui
        .progress
        .lessons
        .get(&lesson.number)
        .cloned()
        .unwrap_or_default();
    let current_step = (ui.focus.min(lesson.step.len())..lesson.step.len())
        .find(|i| !ticks[*i] && !seen.steps.contains(i));
    let back = {
        let ui = ui.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*ui).clone();
            next.current = None;
            ui.set(next);
            classroom::store_in_location(None);
        })
    };
    let toggle_presenter = {
        let ui = ui.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*ui).clone();
            next.presenter = !next.presenter;
            ui.set(next);
        })
    };
    let complete = mark(ui, lesson) == Mark::Complete;
    let next_lesson = (lesson.number < count).then(|| {
        let (state, ui) = (state.clone(), ui.clone());
        let n = lesson.number + 1;
        Callback::from(move |_: MouseEvent| {
            if let Ok(l) = lessons::lesson(n) {
                open_lesson(&state, &ui, &l, 0);
            }
        })
    });
    html! {
        <article class="lesson" id={format!("lesson-{}", lesson.number)}>
            <nav class="lesson-nav">
                <button class="link" id="lesson-back" onclick={back}>{"← All lessons"}</button>
                <span class="muted small">{ format!("Lesson {} of {count}", lesson.number) }</span>
                <button class="chip" id="presenter-toggle" aria-pressed={ui.presenter.to_string()} onclick={toggle_presenter} title="Larger type, the lesson and the panes it needs: for a projector">
                    { if ui.presenter { "Leave presenter view" } else { "Presenter view" } }
                </button>
            </nav>
            if ui.presenter {
                <style>{ presenter_css(lesson) }</style>
            }
            <h3 class="lesson-title">{ &lesson.title }</h3>
            <div class="goal"><span class="label">{"Goal"}</span>{ render(&lesson.goal) }</div>
            if let Some(bg) = &lesson.background {
                <details class="background"><summary>{"Background"}</summary>{ render(bg) }</details>
            }
            <details class="scenarios"><summary>{"The scenarios"}</summary>{ render(&lesson.scenarios) }</details>
            <h4>{"Steps"}</h4>
            <ol class="steps" id="steps">
                { for lesson.step.iter().enumerate().map(|(i, step)| {
                    let done = ticks[i];
                    let was = seen.steps.contains(&i);
                    let class = classes!("step", done.then_some("done"), (!done && was).then_some("was-done"), (current_step == Some(i)).then_some("current"));
                    let name = lesson.step_scenario(i);
                    let loaded = presets::scenario(name).is_some_and(|s| s.name == state.scenario.name);
                    let load = (!loaded).then(|| {
                        let (state, ui, lesson) = (state.clone(), ui.clone(), lesson.clone());
                        Callback::from(move |_: MouseEvent| open_lesson(&state, &ui, &lesson, i))
                    });
                    let do_it = (loaded && current_step == Some(i) && step.act != Act::Look).then(|| {
                        let state = state.clone();
                        let (act, times) = (step.act, step.times);
                        Callback::from(move |_: MouseEvent| state.dispatch(Action::Act(act, times)))
                    });
                    html! {
                        <li {class} id={format!("step-{}", i + 1)} data-done={done.to_string()}>
                            <span class="tick" aria-label={ if done { "done" } else { "not done yet" } }>{ if done { "✓".to_string() } else { (i + 1).to_string() } }</span>
                            <div class="step-body">
                                { render(&step.text) }
                                <div class="step-actions">
                                    if let Some(onclick) = load {
                                        <button class="chip" id={format!("step-{}-load", i + 1)} {onclick}>{ "Load " }<code>{ name }</code></button>
                                    }
                                    if let Some(link) = &step.link {
                                        { link_button(state, ui, link, i) }
                                    }
                                    if let Some(onclick) = do_it {
                                        <button class="chip quiet" id={format!("step-{}-do", i + 1)} title="Do what the step says, for a presenter or if you are stuck" {onclick}>
                                            { format!("Do it: {}{}", step.act.label(), if step.times > 1 { format!(" × {}", step.times) } else { String::new() }) }
                                        </button>
                                    }
                                </div>
                                if let Some(why) = link_missing(state, ui, step.link.as_ref(), i) {
                                    <p class="link-missing muted small" id={format!("step-{}-missing", i + 1)} role="status">{ format!("Nothing to point at now: {why}.") }</p>
                                }
                            </div>
                        </li>
                    }
                }) }
            </ol>
            if !lesson.question.is_empty() {
                <h4>{"Check yourself"}</h4>
                { for lesson.question.iter().enumerate().map(|(qi, _)| question(ui, lesson, qi)) }
            }
            if let Some(d) = &lesson.discuss {
                <h4>{"Discuss"}</h4>
                <div class="discuss">{ render(d) }</div>
            }
            <footer class="lesson-foot">
                if complete {
                    <p class="complete-badge" id="lesson-complete">{"✓ Lesson complete"}</p>
                } else {
                    <p class="muted small">{ format!("{} of {} steps done, {} of {} questions answered", seen.steps.len(), lesson.step.len(), seen.questions.len(), lesson.question.len()) }</p>
                }
                if let Some(onclick) = next_lesson {
                    <button class="chip" id="lesson-next" {onclick}>{"Next lesson →"}</button>
                }
            </footer>
        </article>
    }
}

/// The panes a lesson's steps link to (at most three), as card ids.
fn needed_panes(lesson: &Lesson) -> Vec<&str> {
    let mut panes: Vec<&str> = Vec::new();
    for l in lesson.step.iter().filter_map(|s| s.link.as_ref()) {
        let card = if l.pane.starts_with("queue-") {
            "tasks"
        } else {
            l.pane.as_str()
        };
        if !panes.contains(&card) && panes.len() < 3 {
            panes.push(card);
        }
    }
    panes
}

/// The presenter view's rule: every card but the lesson and the panes it needs is hidden.
fn presenter_css(lesson: &Lesson) -> String {
    let keep: String = needed_panes(lesson)
        .iter()
        .map(|p| format!(":not(#{p})"))
        .collect();
    format!("body.presenter .main-area .card:not(#lessons){keep} {{ display: none; }}")
}
