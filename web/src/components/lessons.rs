//! The Lessons pane: the list of lessons with progress marks, and the open lesson beside
//! the live panes — its goal, its steps ticked from the session, graded questions, and
//! links to the panes a step talks about. The lesson engine is `selfpage_core::lessons`.

use std::collections::BTreeMap;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use selfpage_core::lessons::{self, Act, Answer, Grade, Lesson, LessonError, Link};
use selfpage_core::{challenges, presets};

use super::challenge::ChallengeView;

use crate::lesson::{self as classroom, Mark, Progress};
use crate::markdown::{inline, render};
use crate::state::{Action, AppState};

/// Props of the Lessons pane.
#[derive(Properties, PartialEq, Clone)]
pub struct LessonsProps {
    /// The app state and its dispatcher.
    pub state: UseReducerHandle<AppState>,
    /// `AppState::tick`: the steps' ticks follow the session.
    pub tick: u64,
    /// Whether the pane is shown (it stays mounted, so the open lesson survives closing).
    pub open: bool,
    /// Opens (`true`) or closes the pane.
    pub on_open: Callback<bool>,
}

/// A student's answer to one question and what the page said about it.
#[derive(Clone, Debug, Default, PartialEq)]
struct Answering {
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

/// The whole pane's own state.
#[derive(Clone, Debug, Default, PartialEq)]
struct Ui {
    /// The open lesson's number, or the list.
    current: Option<usize>,
    /// The open challenge's number (shown instead of a lesson).
    challenge: Option<usize>,
    /// Progress, as saved in this browser.
    progress: Progress,
    /// A message about a bad link or unreadable progress.
    notice: Option<String>,
    /// Answers by (lesson, question).
    answers: BTreeMap<(usize, usize), Answering>,
    /// The step (from 0) the lesson was opened at: the current step is not before it.
    focus: usize,
    /// Whether the presenter view is on: larger type, the lesson and the panes it needs.
    presenter: bool,
    /// The step (from 0) whose link was followed last: while its element is not in the
    /// session, the step says why.
    link_tried: Option<usize>,
}

/// The Lessons pane.
#[component]
pub fn Lessons(props: &LessonsProps) -> Html {
    let all = use_memo((), |_| lessons::all());
    let ui = use_state(|| {
        let (progress, notice) = Progress::load();
        Ui {
            progress,
            notice,
            ..Ui::default()
        }
    });
    use_lesson_link(props, &all, &ui);
    use_progress(props, &all, &ui);
    let presenting = ui.presenter && props.open && ui.current.is_some();
    use_effect_with(presenting, |&on| {
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = if on {
                body.class_list().add_1("presenter")
            } else {
                body.class_list().remove_1("presenter")
            };
        }
    });
    if !props.open {
        return html! {};
    }
    let close = {
        let on_open = props.on_open.clone();
        Callback::from(move |_: MouseEvent| on_open.emit(false))
    };
    let challenge = ui.challenge.and_then(|n| challenges::challenge(n).ok());
    let body = match (all.as_ref(), ui.current) {
        (_, _) if challenge.is_some() => {
            let on_back = {
                let ui = ui.clone();
                Callback::from(move |()| {
                    let mut next = (*ui).clone();
                    next.challenge = None;
                    next.current = None;
                    ui.set(next);
                    classroom::store_in_location(None);
                })
            };
            let c = challenge
                .clone()
                .unwrap_or_else(|| unreachable!("checked above"));
            html! { <ChallengeView state={props.state.clone()} challenge={c} {on_back} /> }
        }
        (Err(e), _) => html! { <p class="lesson-notice" role="alert">{ e.to_string() }</p> },
        (Ok(all), Some(n)) => match all.get(n - 1) {
            Some(lesson) => view_lesson(props, &ui, lesson, all.len()),
            None => list(props, &ui, all),
        },
        (Ok(all), None) => list(props, &ui, all),
    };
    html! {
        <aside class="lessons card" id="lessons" aria-label="Lessons">
            <div class="lessons-bar">
                <h2>{"Lessons"}</h2>
                <button class="icon" id="lessons-close" title="Close the lessons (l)" aria-label="Close the lessons" onclick={close}>{"×"}</button>
            </div>
            if let Some(msg) = &ui.notice {
                <p class="lesson-notice" role="alert" id="lesson-notice">{ msg }</p>
            }
            { body }
        </aside>
    }
}

/// Opens lesson `n` at step `step` (from 0): loads the step's scenario and does what the
/// earlier steps in that scenario ask, so the session is where step `step` begins.
fn open_lesson(
    state: &UseReducerHandle<AppState>,
    ui: &UseStateHandle<Ui>,
    lesson: &Lesson,
    step: usize,
) {
    let mut next = (**ui).clone();
    next.current = Some(lesson.number);
    next.focus = step;
    next.challenge = None;
    next.notice = None;
    ui.set(next);
    classroom::store_in_location(Some(lesson.number));
    let name = lesson.step_scenario(step);
    let Some(scenario) = presets::scenario(name) else {
        state.dispatch(Action::Fail(
            LessonError::NoScenario(name.into()).to_string(),
        ));
        return;
    };
    state.dispatch(Action::Load(Box::new(scenario)));
    for (i, s) in lesson.step.iter().enumerate().take(step) {
        if lesson.step_scenario(i) == name && s.act != Act::Look {
            state.dispatch(Action::Act(s.act, s.times));
        }
    }
}

/// On the first render: opens the lesson a `?lesson=N&step=K` link names, or says why the
/// link is refused.
#[hook]
fn use_lesson_link(
    props: &LessonsProps,
    all: &Rc<Result<Vec<Lesson>, LessonError>>,
    ui: &UseStateHandle<Ui>,
) {
    let state = props.state.clone();
    let on_open = props.on_open.clone();
    let all = all.clone();
    let ui = ui.clone();
    use_effect_with((), move |_| {
        if let Ok(all) = all.as_ref() {
            let steps = |n: usize| all.get(n - 1).map_or(0, |l| l.step.len());
            match classroom::link_from_location(all.len(), steps) {
                Ok(Some(link)) => {
                    if let Some(lesson) = all.get(link.lesson - 1) {
                        open_lesson(&state, &ui, lesson, link.step - 1);
                        on_open.emit(true);
                    }
                }
                Ok(None) => {
                    match classroom::parse_challenge(&classroom::query(), challenges::count()) {
                        Ok(Some(n)) => {
                            let mut next = (*ui).clone();
                            next.challenge = Some(n);
                            ui.set(next);
                            on_open.emit(true);
                            // A shared solution rides in the link; without one, or with one
                            // that was refused, the starting program is loaded.
                            if state.link_scenario != Some(Ok(())) {
                                if let Ok(s) =
                                    challenges::challenge(n).and_then(|c| c.start_scenario())
                                {
                                    state.dispatch(Action::Load(Box::new(s)));
                                }
                            }
                            if let Some(Err(why)) = &state.link_scenario {
                                state.dispatch(Action::Fail(format!(
                                    "{why}: challenge {n}'s starting program is loaded instead"
                                )));
                            }
                        }
                        Ok(None) => {}
                        Err(msg) => {
                            let mut next = (*ui).clone();
                            next.notice = Some(msg);
                            ui.set(next);
                            on_open.emit(true);
                        }
                    }
                }
                Err(msg) => {
                    let mut next = (*ui).clone();
                    next.notice = Some(msg);
                    ui.set(next);
                    on_open.emit(true);
                }
            }
        }
    });
}

/// After every change of the session: records the open lesson's steps that are ticked now.
#[hook]
fn use_progress(
    props: &LessonsProps,
    all: &Rc<Result<Vec<Lesson>, LessonError>>,
    ui: &UseStateHandle<Ui>,
) {
    let state = props.state.clone();
    let all = all.clone();
    let ui = ui.clone();
    use_effect_with((props.tick, ui.current), move |&(_, current)| {
        let lesson = current.and_then(|n| all.as_ref().as_ref().ok()?.get(n - 1));
        if let (Some(lesson), Some(session)) = (lesson, state.session.as_ref()) {
            let session = session.borrow();
            let mut progress = ui.progress.clone();
            let mut changed = false;
            for i in 0..lesson.step.len() {
                if lesson.ticked(i, &session) {
                    changed |= progress.tick_step(lesson.number, i);
                }
            }
            if changed {
                progress.save();
                let mut next = (*ui).clone();
                next.progress = progress;
                ui.set(next);
            }
        }
    });
}

/// The `l` key opens and closes the pane (outside text fields).
#[hook]
pub fn use_lessons_key(open: UseStateHandle<bool>) {
    use_effect_with(*open, move |&is_open| {
        let document = web_sys::window().and_then(|w| w.document());
        let cb =
            Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                let in_field = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| {
                        matches!(el.tag_name().as_str(), "TEXTAREA" | "INPUT" | "SELECT")
                    });
                if e.key() == "l" && !in_field && !e.ctrl_key() && !e.meta_key() && !e.alt_key() {
                    e.prevent_default();
                    open.set(!is_open);
                }
            });
        if let Some(d) = &document {
            let _ = d.add_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
        }
        move || {
            if let Some(d) = document {
                let _ =
                    d.remove_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
            }
        }
    });
}

/// The list of lessons with their marks, and the reset.
fn list(props: &LessonsProps, ui: &UseStateHandle<Ui>, all: &[Lesson]) -> Html {
    let reset = {
        let ui = ui.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*ui).clone();
            next.progress = Progress::default();
            next.answers.clear();
            next.notice = None;
            next.progress.save();
            ui.set(next);
        })
    };
    let done = all.iter().filter(|l| mark(ui, l) == Mark::Complete).count();
    html! {
        <div class="lesson-list-wrap">
            <p class="lesson-intro">{"Ten guided lessons on self-paging. Each loads its scenario, ticks its steps as you reach them, and grades your answers against the run itself."}</p>
            <ol class="lesson-list" id="lesson-list">
                { for all.iter().map(|l| {
                    let m = mark(ui, l);
                    let (sign, label, class) = match m {
                        Mark::Complete => ("✓", "complete", "complete"),
                        Mark::Started => ("◐", "started", "started"),
                        Mark::New => ("", "not started", "new"),
                    };
                    let onclick = {
                        let (state, ui, lesson) = (props.state.clone(), ui.clone(), l.clone());
                        Callback::from(move |_: MouseEvent| open_lesson(&state, &ui, &lesson, 0))
                    };
                    html! {
                        <li>
                            <button class="lesson-item" id={format!("open-lesson-{}", l.number)} data-mark={class} {onclick}>
                                <span class={classes!("mark", class)} aria-label={label} title={label}>{ sign }</span>
                                <span class="lesson-num">{ l.number }</span>
                                <span class="lesson-name">{ &l.title }</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
            <h4 class="list-head">{"Challenges"}</h4>
            <ol class="lesson-list" id="challenge-list">
                { for challenges::all().unwrap_or_default().into_iter().map(|c| {
                    let onclick = {
                        let (state, ui) = (props.state.clone(), ui.clone());
                        let c = c.clone();
                        Callback::from(move |_: MouseEvent| {
                            let mut next = (*ui).clone();
                            next.challenge = Some(c.number);
                            ui.set(next);
                            if let Ok(s) = c.start_scenario() {
                                state.dispatch(Action::Load(Box::new(s)));
                            }
                            classroom::store_query(&format!("?challenge={}", c.number));
                        })
                    };
                    html! {
                        <li>
                            <button class="lesson-item" id={format!("open-challenge-{}", c.number)} {onclick}>
                                <span class="mark challenge-mark" aria-hidden="true">{"★"}</span>
                                <span class="lesson-num">{ c.number }</span>
                                <span class="lesson-name">{ &c.title }</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
            <p class="lesson-progress muted small">
                { format!("{done} of {} complete · progress is kept in this browser ", all.len()) }
                <button class="link" id="progress-reset" onclick={reset}>{"Reset progress"}</button>
            </p>
        </div>
    }
}

fn mark(ui: &Ui, l: &Lesson) -> Mark {
    ui.progress.mark(l.number, l.step.len(), l.question.len())
}

/// One lesson: goal, scenarios, steps, questions, discussion.
fn view_lesson(
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
                                    <p class="link-missing muted small" id={format!("step-{}-missing", i + 1)} role="status">{ format!("Nothing to show yet: {why}.") }</p>
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

/// A link that walks its address (if any), points the pane at its element (if any),
/// scrolls the pane into view and flashes it.
fn link_button(
    state: &UseReducerHandle<AppState>,
    ui: &UseStateHandle<Ui>,
    link: &Link,
    step: usize,
) -> Html {
    let onclick = {
        let (state, ui) = (state.clone(), ui.clone());
        let link = link.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(va) = link.walk {
                state.dispatch(Action::Walk(va));
            }
            if let Some(target) = &link.target {
                state.dispatch(Action::Point(target.clone()));
            }
            let mut next = (*ui).clone();
            next.link_tried = Some(step);
            ui.set(next);
            highlight(&link.pane);
        })
    };
    html! {
        <button class="chip link-chip" id={format!("step-{}-link", step + 1)} data-pane={link.pane.clone()} {onclick}>
            { "Show " }{ inline(&link.label) }
        </button>
    }
}

/// Why the element step `step`'s link points at is not in the session now, once the
/// student has followed that link.
fn link_missing(state: &AppState, ui: &Ui, link: Option<&Link>, step: usize) -> Option<String> {
    let target = link?
        .target
        .as_ref()
        .filter(|_| ui.link_tried == Some(step))?;
    state.find(target)?.err().map(|e| e.to_string())
}

/// Scrolls the element with id `id` into view and flashes its outline.
pub fn highlight(id: &str) {
    let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    else {
        return;
    };
    let _ = el.class_list().remove_1("flash");
    if let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() {
        // Reading the layout restarts the animation when the class comes back.
        let _ = h.offset_width();
    }
    let _ = el.class_list().add_1("flash");
    el.scroll_into_view_with_bool(false);
}

/// One graded question.
fn question(ui: &UseStateHandle<Ui>, lesson: &Lesson, qi: usize) -> Html {
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
