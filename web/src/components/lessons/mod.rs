//! The Lessons pane: the list of lessons with progress marks, and the open lesson beside
//! the live panes — its goal, its steps ticked from the session, graded questions, and
//! links to the panes and elements a step talks about. The lesson engine is
//! `selfpage_core::lessons`; this module holds the pane, its state and the hooks that
//! follow the URL and the session.

mod links;
mod list;
mod question;
mod view;

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::prelude::*;

use selfpage_core::lessons::{self, Act, Lesson, LessonError};
use selfpage_core::{challenges, presets};

use super::challenge::ChallengeView;

use crate::lesson::{self as classroom, Mark, Progress};
use crate::state::{Action, AppState};

use list::list;
use question::Answering;
use view::view_lesson;

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
            // A refused link opens the pane to say why.
            let refuse = |msg: String| {
                let mut next = (*ui).clone();
                next.notice = Some(msg);
                ui.set(next);
                on_open.emit(true);
            };
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
                        Err(msg) => refuse(msg),
                    }
                }
                Err(msg) => refuse(msg),
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
        crate::keys::on_shortcut(move |e| {
            if e.key() == "l" {
                e.prevent_default();
                open.set(!is_open);
            }
        })
    });
}

fn mark(ui: &Ui, l: &Lesson) -> Mark {
    ui.progress.mark(l.number, l.step.len(), l.question.len())
}
